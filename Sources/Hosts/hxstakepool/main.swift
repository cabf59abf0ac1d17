import PoolHost

print("hxstakepool: not wired yet")

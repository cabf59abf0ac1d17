import PoolHost

print("poolbench: not wired yet")

import PoolHost

print("poolctl: not wired yet")

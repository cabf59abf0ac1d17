import PoolHost

print("simwallet: not wired yet")

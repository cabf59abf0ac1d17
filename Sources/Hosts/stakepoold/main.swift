import PoolHost

print("stakepoold: not wired yet")

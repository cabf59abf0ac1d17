import PoolHost

ChainBenchmarks.runAll()

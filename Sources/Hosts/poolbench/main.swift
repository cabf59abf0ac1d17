import PoolHost

ChainBenchmarks.runAll()
await HTTPBenchmarks.runAll()

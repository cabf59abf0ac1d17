import PoolHost

ChainBenchmarks.runAll()
try await RPCBenchmarks.runAll()
await ServicesBenchmarks.runAll()
await HTTPBenchmarks.runAll()

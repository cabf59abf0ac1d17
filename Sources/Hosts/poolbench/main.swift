import PoolHost

ChainBenchmarks.runAll()
try await RPCBenchmarks.runAll()

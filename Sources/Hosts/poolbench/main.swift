// poolbench: `make bench` runs it in release; every figure is one JSON line on stdout.
// Groups can be chosen by name: `poolbench chain storage` (default: all).
import Foundation
import PoolHost

// One JSON line at a time, even into a pipe (`make bench | tee`), so a long run shows progress.
nonisolated(unsafe) let standardOutput = stdout
setvbuf(standardOutput, nil, _IOLBF, 0)
let chosen = Set(CommandLine.arguments.dropFirst())
func wants(_ group: String) -> Bool { chosen.isEmpty || chosen.contains(group) }

if wants("chain") { ChainBenchmarks.runAll() }
if wants("storage") { await StorageBenchmarks.runAll() }
if wants("rpc") {
    do { try await RPCBenchmarks.runAll() } catch { print(#"{"bench":"rpc","error":"\#(error)"}"#) }
}
if wants("simnet") { SimnetBenchmarks.runAll() }
if wants("services") { await ServicesBenchmarks.runAll() }
if wants("vote") { await VoteBenchmarks.run(print: { print($0) }) }
if wants("http") { await HTTPBenchmarks.runAll() }
if wants("pages") { await PagesBenchmarks.runAll() }

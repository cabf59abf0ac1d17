// poolbench: `make bench` runs it in release; every figure is one JSON line on stdout, written at once (not
// buffered) so a long run shows progress. Groups can be chosen by name: `poolbench chain storage` (default: all).
import Foundation
import PoolHost

let chosen = Set(CommandLine.arguments.dropFirst())
func wants(_ group: String) -> Bool { chosen.isEmpty || chosen.contains(group) }
let emit: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }

if wants("chain") { ChainBenchmarks.runAll(print: emit) }
if wants("storage") { await StorageBenchmarks.runAll(print: emit) }
if wants("rpc") {
    do { try await RPCBenchmarks.runAll(print: emit) } catch { emit(#"{"bench":"rpc","error":"\#(error)"}"#) }
}
if wants("simnet") { SimnetBenchmarks.runAll(print: emit) }
if wants("services") { await ServicesBenchmarks.runAll() }
if wants("vote") { await VoteBenchmarks.run(print: emit) }
if wants("http") { await HTTPBenchmarks.runAll(print: emit) }
if wants("pages") { await PagesBenchmarks.runAll(print: emit) }
if chosen.contains("pages-stages") { await PagesBenchmarks.stages(print: emit) }

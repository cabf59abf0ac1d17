// poolbench: `make bench` runs it in release; every figure is one JSON line on stdout, written at once (not
// buffered) so a long run shows progress. Groups can be chosen by name: `poolbench chain storage` (default: all).
import Foundation
import BenchHost
import PoolSystem

// The web app's pages and API run in this process: keep freed heap as `hxstakepool` does, so their CPU is its.
HeapRetention.apply(environment: ProcessInfo.processInfo.environment)

let groups = ["chain", "storage", "rpc", "simnet", "services", "vote", "http", "pages", "dashboard", "vsp", "idle", "scale", "watch"]
/// Diagnostic groups, run only when named (not part of `make bench`).
let extraGroups = ["pages-stages", "storage-stages", "signin-storm"]
let chosen = Set(CommandLine.arguments.dropFirst())
if chosen.contains("--help") || chosen.contains("-h") {
    print("""
        Usage: poolbench [group ...]
        Prints one JSON line per figure (`make bench` runs it in release with the test services). With no group,
        every group runs, each in its own child process.
          groups: \(groups.joined(separator: " "))
          diagnostic groups (only when named): \(extraGroups.joined(separator: " "))
        """)
    exit(0)
}
func wants(_ group: String) -> Bool { chosen.contains(group) }

// With no group named, each group runs in a fresh child process, so one group's memory and threads do not
// colour another's figures (the web server's RSS with 2,000 idle connections is the process's own RSS).
if chosen.isEmpty {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    for group in groups {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = [group]
        do {
            try child.run()
            child.waitUntilExit()
        } catch {
            print(#"{"bench":"\#(group)","error":"cannot start poolbench \#(group): \#(error)"}"#)
        }
    }
    exit(0)
}
if let unknown = chosen.subtracting(groups + extraGroups).first {
    FileHandle.standardError.write(Data("poolbench: unknown group \(unknown); groups: \((groups + extraGroups).joined(separator: " "))\n".utf8))
    exit(2)
}
// A closed stdout (`poolbench | head`) ends the run quietly instead of crashing on EPIPE.
let emit: @Sendable (String) -> Void = { line in
    do { try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) } catch { exit(0) }
}

if wants("chain") { ChainBenchmarks.runAll(print: emit) }
// POOLBENCH_USERS sets the storage table size for quick local runs; `make bench` uses the issue's 100,000.
let benchUsers = ProcessInfo.processInfo.environment["POOLBENCH_USERS"].flatMap { Int($0) }.map { max(1_000, $0) }
if wants("storage") { await StorageBenchmarks.runAll(users: benchUsers ?? 100_000, print: emit) }
if wants("rpc") {
    do { try await RPCBenchmarks.runAll(print: emit) } catch { emit(#"{"bench":"rpc","error":"\#(error)"}"#) }
}
if wants("simnet") { SimnetBenchmarks.runAll(print: emit) }
if wants("services") { await ServicesBenchmarks.runAll() }
if wants("vote") { await VoteBenchmarks.run(print: emit) }
if wants("http") {
    await HTTPBenchmarks.runAll(print: emit)
    await SignInStormBenchmark.runAll(print: emit)
}
if wants("pages") { await PagesBenchmarks.runAll(print: emit) }
if wants("dashboard") { await DashboardBenchmarks.runAll(print: emit) }
if wants("vsp") { await VspBenchmarks.runAll(print: emit) }
if wants("idle") { await IdleBenchmarks.runAll(print: emit) }
// POOLBENCH_SCALE_USERS scales the million-user pool down for machines that cannot hold it.
let scaleUsers = ProcessInfo.processInfo.environment["POOLBENCH_SCALE_USERS"].flatMap { Int($0) }.map { max(1_000, $0) }
if wants("scale") { await ScaleBenchmarks.runAll(users: scaleUsers ?? 1_000_000, print: emit) }
// watchbytes: stakepoold's wallet watch, one round at POOLBENCH_WATCH_USERS users (default 100,000).
let watchUsers = ProcessInfo.processInfo.environment["POOLBENCH_WATCH_USERS"].flatMap { Int($0) }.map { max(1_000, $0) }
if wants("watch") { await StakepooldWatchBenchmarks.runAll(users: watchUsers ?? 100_000, print: emit) }
if chosen.contains("pages-stages") { await PagesBenchmarks.stages(print: emit) }
// The storm alone (it also runs at the end of the `http` group).
if chosen.contains("signin-storm") { await SignInStormBenchmark.runAll(print: emit) }
if chosen.contains("storage-stages") { await StorageStagesBenchmarks.runAll(users: benchUsers ?? 20_000, print: emit) }

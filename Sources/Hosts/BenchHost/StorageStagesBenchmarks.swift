import Foundation
import PoolKernel
import PoolSystem
import SQLStorageBase
import StorageSQLite

/// Diagnostic figures for the storage look-up path (`poolbench storage-stages`, not part of `make bench`): what one
/// hand-off to a connection's owner thread costs with no database work, so the look-up figures can be split into
/// hand-off and engine.
public enum StorageStagesBenchmarks {
    public static func runAll(users: Int, print emit: @escaping @Sendable (String) -> Void) async {
        let owner = OwnerThread(name: "bench-owner")
        defer { owner.stop() }
        for work in [0, 2_000, 6_000] {
            let rate = await handOffRate(owner: owner, busyNanoseconds: UInt64(work))
            emit(ChainBenchmarks.Figure(bench: "owner_thread_round_trip_job_\(work / 1000)us", value: rate,
                                        unit: "ops/s", goal: "info").jsonLine)
        }
        do { try await ServicesBenchmarks.withStorage { try await sqliteStages($0, users: users, emit) } } catch { emit(#"{"bench":"storage-stages","error":"\#(error)"}"#) }
    }

    /// Token look-ups on a SQLite table of `users` users: 100 per hop in one transaction, 100 per hop each in
    /// autocommit (what a single look-up runs), the owner's CPU time per autocommit look-up, and one look-up per hop.
    static func sqliteStages(_ storage: SQLiteStorage, users: Int, _ emit: @Sendable (String) -> Void) async throws {
        let hash = try BCrypt.hash(password: "bench", cost: 4)
        for chunk in stride(from: 0, to: users, by: 1_000) {
            try await storage.write { tx in
                for n in chunk..<min(chunk + 1_000, users) {
                    _ = try tx.insertUser(User(email: "u\(n)@example.com", passwordHash: hash, emailVerified: .verified,
                                               apiToken: "token-\(n)"))
                }
            }
        }
        let tokens = (0..<users).map { "token-\($0)" }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> String {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return tokens[Int((state >> 33) % UInt64(users))]
        }
        func figure(_ name: String, _ body: () async throws -> Int) async throws {
            let start = DispatchTime.now().uptimeNanoseconds
            var count = 0
            while DispatchTime.now().uptimeNanoseconds - start < 1_000_000_000 { count += try await body() }
            let rate = Double(count) * 1e9 / Double(DispatchTime.now().uptimeNanoseconds - start)
            emit(ChainBenchmarks.Figure(bench: name, value: rate, unit: "ops/s", goal: "info").jsonLine)
        }
        try await figure("sqlite_token_in_one_transaction_100_per_hop") {
            let batch = (0..<100).map { _ in next() }
            return try await storage.read { tx in batch.reduce(0) { $0 + ((try? tx.user(apiToken: $1)) == nil ? 0 : 1) } }
        }
        try await figure("sqlite_token_autocommit_100_per_hop") {
            let batch = (0..<100).map { _ in next() }
            return try await storage.readOneStatement { tx in
                batch.reduce(0) { $0 + ((try? tx.user(apiToken: $1)) == nil ? 0 : 1) }
            }
        }
        // The owner thread's CPU time per autocommit look-up: host steal time is not in it, so it compares builds
        // on a noisy VM where the rates above swing by a third.
        var cpuNanoseconds: [Double] = []
        for _ in 0..<200 {
            let batch = (0..<100).map { _ in next() }
            cpuNanoseconds.append(try await storage.readOneStatement { tx in
                let start = threadCPUNanoseconds()
                for token in batch { _ = try tx.user(apiToken: token) }
                return Double(threadCPUNanoseconds() - start) / 100
            })
        }
        emit(ChainBenchmarks.Figure(bench: "sqlite_token_autocommit_cpu_per_op", value: StorageBenchmarks.median(cpuNanoseconds),
                                    unit: "ns", goal: "info").jsonLine)
        for _ in 0..<3 {
            try await figure("sqlite_token_one_per_hop") {
                for _ in 0..<100 { _ = try await storage.user(apiToken: next()) }
                return 100
            }
        }
    }

    /// Back-to-back `OwnerThread.run` calls by one task for about a second, each job busy for `busyNanoseconds`.
    static func handOffRate(owner: OwnerThread, busyNanoseconds: UInt64) async -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        while DispatchTime.now().uptimeNanoseconds - start < 1_000_000_000 {
            for _ in 0..<100 {
                _ = try? await owner.run(orThrow: CancellationError()) { () -> Int in
                    let begin = DispatchTime.now().uptimeNanoseconds
                    while DispatchTime.now().uptimeNanoseconds - begin < busyNanoseconds {}
                    return 1
                }
            }
            count += 100
        }
        return Double(count) * 1e9 / Double(DispatchTime.now().uptimeNanoseconds - start)
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

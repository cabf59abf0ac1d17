import Foundation
import PoolKernel
import StorageMySQL
import StorageSQLite

/// Storage speed figures for `poolbench` / `make bench`, one JSON line each (release build only: debug numbers
/// mean nothing). The MySQL figures need `POOL_MYSQL_DSN` (set by scripts/with-test-services.sh); without it
/// they are skipped with a note on stderr.
///
/// Goals (issue 5): look-ups by API token / id ≥ 50,000/s on SQLite and ≥ 5,000/s on MySQL over one connection;
/// 100,000 user inserts (one transaction each) in < 30 s on each engine. Look-ups go through
/// `StorageBackend.user(apiToken:)` / `user(id:)` as the web app calls them (one statement, no explicit
/// transaction, one hand-off to a connection's owner thread each), by one caller and, on SQLite, by 4 concurrent callers over its 2 readers;
/// `*_batched` is the engine alone (100 look-ups per hop, no goal). Each look-up rate is the median of three
/// one-second windows, so one burst of host steal time (printed as `storage_host_steal`) does not decide it.
public enum StorageBenchmarks {
    public static func runAll(users: Int = 100_000, print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) })
        async
    {
        let steal = HostSteal()
        defer {
            emit(ChainBenchmarks.Figure(bench: "storage_host_steal", value: steal.percent, unit: "%",
                                        goal: "info").jsonLine)
        }
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolbench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("bench.sqlite").path
            let writer = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
            let reader = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
            try await run(engine: "sqlite", writer: writer, reader: reader, users: users, concurrency: 1,
                          lookupGoal: ">=50000", lookupCallers: [1, 4], emit: emit)
        } catch {
            FileHandle.standardError.write(Data("poolbench: sqlite storage benchmark failed: \(error)\n".utf8))
        }
        guard let dsn = ProcessInfo.processInfo.environment["POOL_MYSQL_DSN"], !dsn.isEmpty else {
            FileHandle.standardError.write(Data("poolbench: POOL_MYSQL_DSN not set, MySQL benchmarks skipped\n".utf8))
            return
        }
        do {
            var configuration = try MySQLStoragePlugin.Configuration(dsn: dsn)
            configuration.poolSize = 8
            let writer = MySQLStorage(configuration: configuration, logger: .disabled)
            configuration.poolSize = 1
            let reader = MySQLStorage(configuration: configuration, logger: .disabled)
            try await run(engine: "mysql", writer: writer, reader: reader, users: users, concurrency: 8,
                          lookupGoal: ">=5000", lookupCallers: [1], emit: emit)
        } catch {
            FileHandle.standardError.write(Data("poolbench: mysql storage benchmark failed: \(error)\n".utf8))
        }
    }

    /// Inserts `users` users (`concurrency` writers, one transaction per user) through `writer`, then looks users up
    /// by API token and by id through `reader` for about a second each, with each number of concurrent callers in
    /// `lookupCallers` (1: one call at a time).
    static func run(engine: String, writer: any StorageBackend, reader: any StorageBackend, users: Int,
                    concurrency: Int, lookupGoal: String, lookupCallers: [Int],
                    emit: @Sendable (String) -> Void) async throws {
        try await writer.migrate()
        let prefix = UUID().uuidString.prefix(8).lowercased()
        let hash = try BCrypt.hash(password: "bench", cost: 4)
        let start = DispatchTime.now()
        let ids = try await withThrowingTaskGroup(of: [UserId].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var ids: [UserId] = []
                    for n in stride(from: worker, to: users, by: concurrency) {
                        let user = User(email: "bench-\(prefix)-\(n)@example.com", passwordHash: hash,
                                        emailVerified: .verified, apiToken: "token-\(prefix)-\(n)")
                        ids.append(try await writer.write { try $0.insertUser(user) })
                    }
                    return ids
                }
            }
            var all: [UserId] = []
            for try await part in group { all += part }
            return all
        }
        let insertSeconds = seconds(since: start)
        emit(ChainBenchmarks.Figure(bench: "\(engine)_insert_\(users)_users", value: insertSeconds, unit: "s",
                                    goal: "<30").jsonLine)

        // The engine's own share: 100 look-ups inside one read transaction, so one hand-off per 100 (for
        // reading the figures below, which pay one hop per look-up; no goal).
        let batchedRate = try await rate {
            let first = Int.random(in: 0..<max(1, users - 100))
            _ = try await reader.read { tx in
                for n in first..<min(users, first + 100) { _ = try tx.user(apiToken: "token-\(prefix)-\(n)") }
            }
        } * Double(min(users, 100))
        emit(ChainBenchmarks.Figure(bench: "\(engine)_lookup_api_token_batched", value: batchedRate, unit: "ops/s",
                                    goal: "info").jsonLine)

        // Look-ups as the web app makes them (`StorageBackend.user(apiToken:)` / `user(id:)`): first one call at a
        // time, then several callers at once (requests arrive concurrently; SQLite spreads them over its readers).
        // The tokens exist before the clock starts (a request carries its token) and users are picked by a cheap
        // generator: the system one costs a system call per pick, which is not part of a look-up.
        let tokens = (0..<users).map { "token-\(prefix)-\($0)" }
        let picks = LockedValue(UInt64(0x9E37_79B9_7F4A_7C15))
        @Sendable func pick(_ count: Int) -> Int {
            let state = picks.withLock { value -> UInt64 in
                value = value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return value
            }
            return Int((state >> 33) % UInt64(count))
        }
        for callers in lookupCallers {
            let suffix = callers == 1 ? "" : "_\(callers)_callers"
            var steal = HostSteal()
            let tokenRate = try await rate(callers: callers) {
                let n = pick(users)
                guard try await reader.user(apiToken: tokens[n]) != nil else {
                    throw StorageError(.notFound, "benchmark user \(n) missing")
                }
            }
            emit(ChainBenchmarks.Figure(bench: "\(engine)_lookup_api_token\(suffix)", value: tokenRate, unit: "ops/s",
                                        goal: lookupGoal, stealPercent: steal.percent).jsonLine)
            steal = HostSteal()
            let idRate = try await rate(callers: callers) {
                let id = ids[pick(ids.count)]
                guard try await reader.user(id: id) != nil else {
                    throw StorageError(.notFound, "benchmark user \(id) missing")
                }
            }
            emit(ChainBenchmarks.Figure(bench: "\(engine)_lookup_id\(suffix)", value: idRate, unit: "ops/s",
                                        goal: lookupGoal, stealPercent: steal.percent).jsonLine)
        }
        await reader.shutdown()
        await writer.shutdown()
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Calls per second of `body` run back to back by `callers` concurrent tasks: the median of `windows`
    /// windows of `duration` seconds each.
    private static func rate(callers: Int = 1, windows: Int = 3,
                             _ body: @escaping @Sendable () async throws -> Void) async throws -> Double {
        var rates: [Double] = []
        for _ in 0..<windows { rates.append(try await rate(callers: callers, duration: 1.0, body)) }
        return median(rates)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Calls per second of `body`, run back to back by `callers` concurrent tasks for about `duration` seconds.
    private static func rate(callers: Int, duration: Double,
                             _ body: @escaping @Sendable () async throws -> Void) async throws -> Double {
        let start = DispatchTime.now()
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    var count = 0
                    while seconds(since: start) < duration {
                        for _ in 0..<100 { try await body() }
                        count += 100
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(count) / seconds(since: start)
    }
}

import CSQLite
import Synchronization

/// Runs the write-ahead log's checkpoints on a connection of its own instead of inside a writer's `COMMIT`.
///
/// SQLite's automatic checkpoint runs in the commit that pushes the WAL past 1,000 pages, and a checkpoint syncs the
/// WAL and the database file to disk: on a virtual disk that one commit took 0.3–1 s, and every write queued behind
/// it (the vspd API's feeaddress at 1,000/s showed a p99 of 311–940 ms with a median of 1 ms; on tmpfs 3 ms). Here
/// the writer's commit only notices the WAL's size (`sqlite3_wal_hook`, which also turns the automatic checkpoint
/// off for that connection) and wakes this connection, which runs a PASSIVE checkpoint on its own thread while
/// writers go on appending. Nothing runs while nothing is written. A checkpoint that runs while writers append
/// cannot let the WAL start over, so under a long burst the WAL grows; past `writerCheckpointFrames` the writer's
/// commit checkpoints itself, as SQLite would have done all along, which bounds the file.
final class SQLiteCheckpointer: Sendable {
    /// WAL pages after which a checkpoint is started: SQLite's own automatic-checkpoint size.
    static let framesThreshold: Int32 = 1_000
    /// WAL pages after which the writer's own commit checkpoints (about 40 MB): the backstop of a long burst.
    static let writerCheckpointFrames: Int32 = 10_000
    /// Bytes the WAL file is cut back to when it starts over after a burst (`PRAGMA journal_size_limit`): a burst
    /// may grow it past 100 MB (a million users inserted 2,000 a transaction), which would otherwise stay on disk.
    /// Above the size the backstop allows (`writerCheckpointFrames` frames of 4,096 + 24 bytes, about 41 MB), so
    /// under steady load the file is reused, never cut and grown again: cut back to 16 MiB about once a second, its
    /// freed blocks made the next journal commits slow (checkpoints of 50–150 ms instead of 1–5, and a stalled write
    /// behind them).
    static let walSizeLimit = 48 << 20

    private let connection: SQLiteConnection
    private let running = Atomic<Bool>(false)
    private let completed = Atomic<Int>(0)

    init(path: String, busyTimeoutMilliseconds: Int32) {
        connection = SQLiteConnection(path: path, label: "sqlite-checkpoint",
                                      busyTimeoutMilliseconds: busyTimeoutMilliseconds, isReader: false)
    }

    /// Checkpoints run so far (tests, diagnostics).
    var checkpoints: Int { completed.load(ordering: .relaxed) }

    /// The writer's commit left `frames` pages in the WAL. Called on the writer's thread: never blocks it.
    func committed(frames: Int32) {
        guard frames >= Self.framesThreshold,
              running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        Task {
            // A failed checkpoint (busy, shut down) leaves the frames for the next one; the data is in the WAL.
            if (try? await self.connection.perform { try $0.checkpointPassive() }) != nil {
                self.completed.add(1, ordering: .relaxed)
            }
            self.running.store(false, ordering: .releasing)
        }
    }

    func shutdown() async { await connection.shutdown() }
}

/// The context `sqlite3_wal_hook` hands back: what to tell after each commit. Kept alive by its connection.
final class WALCommitObserver: Sendable {
    let committed: @Sendable (Int32) -> Void
    init(_ committed: @escaping @Sendable (Int32) -> Void) { self.committed = committed }
}

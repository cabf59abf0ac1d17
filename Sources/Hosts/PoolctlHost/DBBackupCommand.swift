import Foundation
import HostKit
import PoolKernel

/// `poolctl db backup FILE` and `poolctl db restore FILE`: the portable backup format
/// (`PortableBackup`, docs/operations.md "Backup and restore") for either engine.
///
/// Exit codes: 0 done; 1 restore refused because the database is not empty (nothing written); 2 usage, an
/// existing or unwritable FILE (backup), an unreadable or invalid FILE (restore; the line is named);
/// 7 a database problem.
enum DBBackupCommand {
    static func backup(to path: String, storage: any StorageBackend, output: HostOutput) async -> Int32 {
        if FileManager.default.fileExists(atPath: path) {
            output.err("poolctl: \(path) already exists; give a new file name (a backup never overwrites a file)")
            return ExitCode.usage
        }
        do {
            let status = try await storage.schemaStatus()
            // One read transaction: every table from the same moment.
            let snapshot = try await storage.read { try $0.snapshot() }
            let header = PortableBackup.header(for: snapshot, status: status, createdAt: Int64(Date().timeIntervalSince1970))
            do {
                try await AtomicFile.write({ handle in
                    try PortableBackup.encode(snapshot, header: header) { try handle.write(contentsOf: $0) }
                }, to: path)
            } catch {
                output.err("poolctl: cannot write \(path): \(error.localizedDescription)")
                return ExitCode.usage
            }
            output.out("wrote \(path): \(describe(snapshot)) from \(status.engine) at schema version \(status.currentVersion)")
            return ExitCode.ok
        } catch {
            return databaseFailure(error, output)
        }
    }

    static func restore(from path: String, storage: any StorageBackend, output: HostOutput) async -> Int32 {
        guard let data = FileManager.default.contents(atPath: path) else {
            output.err("poolctl: cannot read \(path)")
            return ExitCode.usage
        }
        let header: PortableBackup.Header, snapshot: StorageSnapshot
        do {
            (header, snapshot) = try PortableBackup.decode(data)
        } catch let error as PortableBackupError {
            output.err("poolctl: \(path): \(error.message); nothing was restored")
            return ExitCode.usage
        } catch {
            output.err("poolctl: \(path): \(error); nothing was restored")
            return ExitCode.usage
        }
        do {
            try await storage.migrate()
            try await storage.write { try $0.restore(snapshot) }
        } catch let error as StorageError where error.code == .notEmpty {
            output.err("poolctl: refusing to restore: \(error.message); restore into a new, empty database")
            return ExitCode.failure
        } catch let error as StorageError where error.code == .invalidInput || error.code == .duplicate {
            output.err("poolctl: \(path): \(error.message); nothing was restored")
            return ExitCode.usage
        } catch {
            return databaseFailure(error, output)
        }
        output.out("restored \(describe(snapshot)) into \(storage.engineName) from a backup of \(header.engine) "
            + "(schema version \(header.schemaVersion))")
        return ExitCode.ok
    }

    /// `3 Users, 1 Sessions, …` for the non-empty tables (`no rows` when all are empty).
    static func describe(_ snapshot: StorageSnapshot) -> String {
        let parts = snapshot.rowCounts.filter { $0.rows > 0 }.map { "\($0.rows) \($0.table)" }
        return parts.isEmpty ? "no rows" : parts.joined(separator: ", ")
    }

    private static func databaseFailure(_ error: any Error, _ output: HostOutput) -> Int32 {
        let text = (error as? StorageError)?.message ?? "\(error)"
        output.err("poolctl: storage: \(text)")
        return ExitCode.database
    }
}

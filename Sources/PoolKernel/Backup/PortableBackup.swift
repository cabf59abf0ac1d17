import Foundation

/// The portable backup format of `poolctl db backup|restore` (docs/operations.md, "Backup and restore"): JSON
/// Lines, UTF-8. Line 1 is the header, every later line one row of one table:
///
/// ```
/// {"format":"hxstakepool-backup","version":1,"createdAt":"2026-12-03T00:50:00Z","engine":"<engine> <version>","schemaVersion":4,"tables":{"Users":2,…}}
/// {"table":"Users","UserId":1,"Email":"a@example.com",…}
/// ```
///
/// Column names are the SQL schema's; integers are JSON numbers, text is JSON strings, `Sessions.Payload` is
/// base64, a missing user id is `null`. The header's row counts let a reader tell a truncated file from a whole
/// one. The same file restores into any storage plugin (each implements `StorageWriter.restore`).
public enum PortableBackup {
    public static let format = "hxstakepool-backup"
    /// The row layout this binary writes and reads; a newer file is refused.
    public static let version = 1

    /// Line 1.
    public struct Header: Equatable, Sendable {
        /// Unix seconds (written as ISO 8601, UTC).
        public var createdAt: Int64
        /// The source engine (`SchemaStatus.engine`), for the record.
        public var engine: String
        /// The source database's schema version (per engine), for the record.
        public var schemaVersion: Int
        /// Rows per table, by the SQL table names.
        public var tables: [String: Int]

        public init(createdAt: Int64, engine: String, schemaVersion: Int, tables: [String: Int]) {
            self.createdAt = createdAt
            self.engine = engine
            self.schemaVersion = schemaVersion
            self.tables = tables
        }
    }

    /// The header of `snapshot` taken at `createdAt` from a database at `status`.
    public static func header(for snapshot: StorageSnapshot, status: SchemaStatus, createdAt: Int64) -> Header {
        Header(createdAt: createdAt, engine: status.engine, schemaVersion: status.currentVersion,
               tables: Dictionary(uniqueKeysWithValues: snapshot.rowCounts.map { ($0.table, $0.rows) }))
    }

    /// The whole file: the header line, then every row, each line ending in `\n`. `emit` receives it in pieces
    /// (so a large database is written out as it is encoded).
    public static func encode(_ snapshot: StorageSnapshot, header: Header, emit: (Data) throws -> Void) throws {
        let headerObject: [String: Any] = [
            "format": format, "version": version, "createdAt": PortableBackupRows.isoDate(header.createdAt),
            "engine": header.engine, "schemaVersion": header.schemaVersion, "tables": header.tables,
        ]
        var buffer = try line(headerObject)
        try PortableBackupRows.forEachRow(of: snapshot) { row in
            buffer.append(try line(row))
            if buffer.count >= 1 << 20 {
                try emit(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try emit(buffer)
    }

    private static func line(_ object: [String: Any]) throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads a whole file. Throws `PortableBackupError` for anything but a complete file of a known version whose
    /// rows match the header's counts.
    public static func decode(_ data: Data) throws -> (Header, StorageSnapshot) {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw PortableBackupError(line: 0, "the file is empty") }
        let header = try decodeHeader(first)
        var snapshot = StorageSnapshot()
        for (index, bytes) in lines.enumerated().dropFirst() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw PortableBackupError(line: index + 1, "not a JSON object")
            }
            do {
                try PortableBackupRows.add(object, to: &snapshot)
            } catch let problem as PortableBackupRows.Problem {
                throw PortableBackupError(line: index + 1, problem.text)
            }
        }
        for (table, rows) in snapshot.rowCounts where header.tables[table, default: 0] != rows {
            throw PortableBackupError(line: 0, "the header counts \(header.tables[table, default: 0]) rows of \(table) "
                + "but the file holds \(rows) (truncated or edited)")
        }
        let known = Set(snapshot.rowCounts.map(\.table))
        if let unknown = header.tables.keys.sorted().first(where: { !known.contains($0) }) {
            throw PortableBackupError(line: 1, "unknown table \(unknown) in the header")
        }
        return (header, snapshot)
    }

    private static func decodeHeader(_ bytes: Data.SubSequence) throws -> Header {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              object["format"] as? String == format else {
            throw PortableBackupError(line: 1, "not an hxstakepool backup (the first line must be its header)")
        }
        guard let fileVersion = (object["version"] as? NSNumber)?.intValue else {
            throw PortableBackupError(line: 1, "the header has no version")
        }
        if fileVersion > version || fileVersion < 1 {
            throw PortableBackupError(line: 1, "backup format version \(fileVersion) is not known to this binary (it reads \(version))")
        }
        guard let created = object["createdAt"] as? String, let createdAt = PortableBackupRows.parseISODate(created),
              let engine = object["engine"] as? String, let schema = (object["schemaVersion"] as? NSNumber)?.intValue,
              let tables = object["tables"] as? [String: Any] else {
            throw PortableBackupError(line: 1, "the header lacks createdAt, engine, schemaVersion or tables")
        }
        var counts: [String: Int] = [:]
        for (table, value) in tables {
            guard let count = (value as? NSNumber)?.intValue, count >= 0 else {
                throw PortableBackupError(line: 1, "the row count of \(table) is not a number")
            }
            counts[table] = count
        }
        return Header(createdAt: createdAt, engine: engine, schemaVersion: schema, tables: counts)
    }
}

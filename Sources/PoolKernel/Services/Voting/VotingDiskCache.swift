import Foundation

/// stakepoold's disk cache in `datadir` (stakepoold.md §9), as JSON instead of Go gob: one file per kind and
/// save, named `<kind>-<YYYY_MM_DD_HH_MM_SS>-1.0.0.json` (local time), so lexical order is chronological.
///
/// - `save` (on shutdown): the live-ticket map (`ticketHash → msa`), the user prefs (`msa → {Userid,
///   MultiSigAddress, VoteBits, VoteBitsVersion}`) and the operator-added tickets; empty maps are skipped.
/// - `prune` (start-up): keeps the newest `keep` files of each kind.
/// - `loadUsers` (start-up, when storage gave no users): the newest user-prefs file, so the daemon votes with
///   the users' choices through a database outage. `loadLiveTickets` exists for tools; the daemon always
///   rebuilds the ticket map from its wallet.
public struct VotingDiskCache: Sendable {
    /// The kinds of file, by lower-case name prefix.
    public enum Kind: String, Sendable, CaseIterable {
        case liveTickets = "livetickets"
        case manuallyAddedTickets = "manuallyaddedtickets"
        case userVotingConfig = "uservotingconfig"
    }

    public static let schemaVersion = "1.0.0"
    /// Files larger than this are not read (a cache of 1M tickets is ~130 MB).
    public static let maxFileBytes = 512 << 20

    public let directory: String
    let logger: Logger

    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    /// One user's entry, with stakepoold's field names.
    struct UserEntry: Codable {
        var userId: Int64
        var multiSigAddress: String
        var voteBits: UInt16
        var voteBitsVersion: UInt32

        enum CodingKeys: String, CodingKey {
            case userId = "Userid", multiSigAddress = "MultiSigAddress", voteBits = "VoteBits"
            case voteBitsVersion = "VoteBitsVersion"
        }
    }

    // MARK: - Save

    /// Writes one new file per non-empty kind. Returns the paths written. Errors are logged, not thrown (the
    /// daemon is stopping).
    @discardableResult
    public func save(liveTickets: [String: String], users: [VotingUser], manuallyAdded: [String: String],
                     now: Date = Date()) -> [String] {
        var written: [String] = []
        let stamp = Self.timestamp(now)
        if liveTickets.isEmpty {
            logger.warn("saveData: liveTicketsMSA is empty; skipping save")
        } else if let path = write(liveTickets, kind: .liveTickets, stamp: stamp) {
            written.append(path)
        }
        if !manuallyAdded.isEmpty, let path = write(manuallyAdded, kind: .manuallyAddedTickets, stamp: stamp) {
            written.append(path)
        }
        if users.isEmpty {
            logger.warn("saveData: UserVotingConfig is empty; skipping save")
        } else {
            var map: [String: UserEntry] = [:]
            for user in users {
                map[user.multiSigAddress] = UserEntry(userId: user.userId.rawValue, multiSigAddress: user.multiSigAddress,
                                                      voteBits: user.voteBits, voteBitsVersion: user.voteBitsVersion)
            }
            if let path = write(map, kind: .userVotingConfig, stamp: stamp) { written.append(path) }
        }
        return written
    }

    private func write(_ value: some Encodable, kind: Kind, stamp: String) -> String? {
        let path = (directory as NSString).appendingPathComponent("\(kind.rawValue)-\(stamp)-\(Self.schemaVersion).json")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
            logger.info("saveData: successfully saved \(kind.rawValue) data to \(path)")
            return path
        } catch {
            logger.warn("saveData: unable to save \(kind.rawValue) data to \(path): \(error)")
            return nil
        }
    }

    // MARK: - Prune and load

    /// The cache files of a kind in `directory`, oldest first.
    public func files(_ kind: Kind) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(kind.rawValue + "-") && $0.contains(Self.schemaVersion) && $0.hasSuffix(".json") }
            .sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Deletes all but the newest `keep` files of each kind.
    public func prune(keep: Int = 10) {
        for kind in Kind.allCases {
            for path in files(kind).dropLast(max(0, keep)) {
                do {
                    try FileManager.default.removeItem(atPath: path)
                    logger.info("pruned old data file \(path)")
                } catch {
                    logger.warn("unable to prune old data file \(path): \(error)")
                }
            }
        }
    }

    /// The users of the newest user-prefs file; nil when there is none or it cannot be read (logged).
    public func loadUsers() -> [VotingUser]? {
        guard let entries: [String: UserEntry] = load(.userVotingConfig) else { return nil }
        return entries.values.map {
            VotingUser(userId: UserId($0.userId), multiSigAddress: $0.multiSigAddress, voteBits: $0.voteBits,
                       voteBitsVersion: $0.voteBitsVersion)
        }.sorted { $0.userId < $1.userId }
    }

    /// The newest live-ticket map (`ticketHash → msa`); nil when there is none or it cannot be read.
    public func loadLiveTickets() -> [String: String]? { load(.liveTickets) }

    private func load<Value: Decodable>(_ kind: Kind) -> Value? {
        guard let path = files(kind).last else { return nil }
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.maxFileBytes else {
                logger.warn("unable to load \(kind.rawValue) from disk cache: \(path) is larger than \(Self.maxFileBytes) bytes")
                return nil
            }
            let value = try JSONDecoder().decode(Value.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            logger.info("Loaded \(kind.rawValue) from \(path)")
            return value
        } catch {
            logger.warn("unable to load \(kind.rawValue) from disk cache \(path): \(error)")
            return nil
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy_MM_dd_HH_mm_ss"
        return formatter.string(from: date)
    }
}

import Foundation
import Synchronization

/// Tickets that paid less than the pool fee (stakepoold.md §6.5) and the operator's decision about them.
///
/// - *Detected* tickets (found by the fee check) are not voted. They are persisted as JSON in the data
///   directory (`lowfeetickets.json`) so they stay excluded after a restart, when the ticket map is rebuilt
///   from the wallet without a fee check.
/// - *Added* tickets (`poolctl tickets lowfee add <hash>`) are stored in the storage port's low-fee list and
///   are voted like any other ticket.
public final class LowFeeTickets: Sendable {
    /// One detected ticket.
    public struct Entry: Codable, Sendable, Equatable {
        public var ticket: String
        public var multiSigAddress: String
        public var height: Int64
        public var requiredAtoms: Int64
        public var committedAtoms: Int64
        public var detectedAt: Int64
        public init(ticket: String, multiSigAddress: String, height: Int64, requiredAtoms: Int64,
                    committedAtoms: Int64, detectedAt: Int64) {
            self.ticket = ticket
            self.multiSigAddress = multiSigAddress
            self.height = height
            self.requiredAtoms = requiredAtoms
            self.committedAtoms = committedAtoms
            self.detectedAt = detectedAt
        }
    }

    /// The file name inside the data directory.
    public static let fileName = "lowfeetickets.json"
    /// Most entries kept (oldest dropped first): bounds the file against a flood of bad tickets.
    public static let maxEntries = 100_000

    private struct State {
        var detected: [TicketHash: Entry] = [:]
        var added: Set<TicketHash> = []
    }
    private let state = Mutex(State())
    private let filePath: String?
    private let storage: (any StorageBackend)?
    private let logger: Logger

    /// - Parameters:
    ///   - directory: where `lowfeetickets.json` lives; nil keeps detections in memory only.
    ///   - storage: the operator's added list (`StorageReader.lowFeeTickets()`); nil for none.
    public init(directory: String?, storage: (any StorageBackend)?, logger: Logger) {
        self.filePath = directory.map { ($0 as NSString).appendingPathComponent(Self.fileName) }
        self.storage = storage
        self.logger = logger
    }

    /// Reads the detected list from disk and the added list from storage. Missing file: empty list.
    public func load() async {
        if let filePath, let data = FileManager.default.contents(atPath: filePath) {
            do {
                let entries = try JSONDecoder().decode([Entry].self, from: data)
                state.withLock { state in
                    for entry in entries {
                        if let hash = TicketHash(hex: entry.ticket) { state.detected[hash] = entry }
                    }
                }
            } catch {
                logger.warn("unable to read low-fee ticket list \(filePath): \(error)")
            }
        }
        await reloadAdded()
    }

    /// Re-reads the operator's added list from storage (on start and on every prefs reload).
    public func reloadAdded() async {
        guard let storage else { return }
        do {
            let hashes = try await storage.read { try $0.lowFeeTickets() }
            let set = Set(hashes.compactMap { TicketHash(hex: $0) })
            state.withLock { $0.added = set }
        } catch {
            logger.warn("unable to read the added low-fee tickets from storage: \(error)")
        }
    }

    /// Whether a detected low-fee ticket must be kept out of the ticket map (detected and not added).
    public func isExcluded(_ ticket: TicketHash) -> Bool {
        state.withLock { $0.detected[ticket] != nil && !$0.added.contains(ticket) }
    }

    /// Whether the operator added the ticket (vote it despite the fee).
    public func isAdded(_ ticket: TicketHash) -> Bool { state.withLock { $0.added.contains(ticket) } }

    /// Detected tickets the operator has since added: (ticket, owner) to put into the ticket map.
    public var addedDetected: [(TicketHash, String)] {
        state.withLock { state in
            state.detected.compactMap { state.added.contains($0.key) ? ($0.key, $0.value.multiSigAddress) : nil }
        }
    }

    /// How many tickets were detected paying too low a fee.
    public var detectedCount: Int { state.withLock { $0.detected.count } }

    /// How many detected tickets are kept out of the ticket map (not added by the operator).
    public var excludedCount: Int {
        state.withLock { state in state.detected.keys.filter { !state.added.contains($0) }.count }
    }

    /// Every detected ticket, oldest first.
    public var detected: [Entry] {
        state.withLock { Array($0.detected.values) }.sorted { ($0.detectedAt, $0.ticket) < ($1.detectedAt, $1.ticket) }
    }

    /// Records a detected ticket and persists the list.
    public func record(_ entry: Entry) {
        guard let hash = TicketHash(hex: entry.ticket) else { return }
        let entries: [Entry] = state.withLock { state in
            state.detected[hash] = entry
            if state.detected.count > Self.maxEntries,
               let oldest = state.detected.min(by: { $0.value.detectedAt < $1.value.detectedAt }) {
                state.detected.removeValue(forKey: oldest.key)
            }
            return Array(state.detected.values)
        }
        persist(entries)
    }

    private func persist(_ entries: [Entry]) {
        guard let filePath else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let sorted = entries.sorted { $0.ticket < $1.ticket }
            try encoder.encode(sorted).write(to: URL(fileURLWithPath: filePath), options: .atomic)
        } catch {
            logger.warn("unable to save low-fee ticket list \(filePath): \(error)")
        }
    }

    /// The detected list stored in `directory`, for `poolctl` (empty when there is none).
    public static func readDetected(directory: String) throws -> [Entry] {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return try JSONDecoder().decode([Entry].self, from: data).sorted { $0.detectedAt < $1.detectedAt }
    }
}

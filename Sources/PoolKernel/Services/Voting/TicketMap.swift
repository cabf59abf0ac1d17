/// Live pool tickets this daemon votes: ticket hash → owner's multisig address (stakepoold.md §6,
/// `liveTicketsMSA`). A plain value type; `TicketTracker` owns the shared instance.
///
/// Memory: tickets are 32-byte `TicketHash` keys mapping to a 4-byte index into an interned owner table, so
/// 1,000,000 tickets cost about 60 MB (a `[String: String]` would cost ~250 MB).
///
/// Notifications may arrive out of order, twice, or for tickets we never saw. Rules:
/// - adding a ticket that is already present is a no-op (`duplicate`);
/// - a removed ticket is remembered (with the removal height) for `tombstoneWindow` blocks, and an add of it
///   arriving late is ignored (`alreadyRemoved`): a spent or missed ticket never becomes live again;
/// - removing a ticket that is not present is a no-op (`unknown`).
public struct TicketMap: Sendable {
    public enum AddOutcome: Sendable, Equatable { case added, duplicate, alreadyRemoved }
    public enum RemoveOutcome: Sendable, Equatable { case removed, unknown }

    /// Ticket → index into `owners`.
    private var tickets: [TicketHash: UInt32] = [:]
    private var owners: [String] = []
    private var ownerIndex: [String: UInt32] = [:]
    /// Recently removed tickets → height of the removal.
    private var tombstones: [TicketHash: Int64] = [:]
    private var newestRemovalHeight: Int64 = 0
    /// How many blocks a removal is remembered.
    public var tombstoneWindow: Int64

    public init(tombstoneWindow: Int64 = 1024) {
        self.tombstoneWindow = tombstoneWindow
    }

    /// Number of live tickets.
    public var count: Int { tickets.count }
    /// Number of distinct owners ever seen.
    public var ownerCount: Int { owners.count }

    /// The owner's multisig address, or nil when the ticket is not ours. O(1).
    public func owner(of ticket: TicketHash) -> String? {
        guard let index = tickets[ticket] else { return nil }
        return owners[Int(index)]
    }

    public func contains(_ ticket: TicketHash) -> Bool { tickets[ticket] != nil }

    /// Whether the ticket was removed within the tombstone window.
    public func wasRemoved(_ ticket: TicketHash) -> Bool { tombstones[ticket] != nil }

    /// Every ticket with its owner (for the disk cache and resync diffs).
    public var entries: [(ticket: TicketHash, owner: String)] {
        tickets.map { ($0.key, owners[Int($0.value)]) }
    }

    /// Every ticket hash.
    public var ticketHashes: Set<TicketHash> { Set(tickets.keys) }

    @discardableResult
    public mutating func add(_ ticket: TicketHash, owner: String) -> AddOutcome {
        if tombstones[ticket] != nil { return .alreadyRemoved }
        if tickets[ticket] != nil { return .duplicate }
        tickets[ticket] = intern(owner)
        return .added
    }

    /// Removes a ticket that was spent or missed in the block at `height`.
    @discardableResult
    public mutating func remove(_ ticket: TicketHash, height: Int64) -> RemoveOutcome {
        tombstones[ticket] = height
        if height > newestRemovalHeight {
            newestRemovalHeight = height
            pruneTombstones()
        }
        return tickets.removeValue(forKey: ticket) == nil ? .unknown : .removed
    }

    /// Drops a ticket without remembering it (resync found the wallet no longer has it, e.g. expired).
    public mutating func forget(_ ticket: TicketHash) {
        tickets.removeValue(forKey: ticket)
    }

    /// Reserves room for `count` tickets (start-up with a known ticket count).
    public mutating func reserveCapacity(_ count: Int) { tickets.reserveCapacity(count) }

    private mutating func intern(_ owner: String) -> UInt32 {
        if let index = ownerIndex[owner] { return index }
        let index = UInt32(owners.count)
        owners.append(owner)
        ownerIndex[owner] = index
        return index
    }

    private mutating func pruneTombstones() {
        // Amortised: only prune when the table is clearly larger than one window's worth of removals.
        guard tombstones.count > 4096 else { return }
        let oldest = newestRemovalHeight - tombstoneWindow
        tombstones = tombstones.filter { $0.value >= oldest }
    }
}

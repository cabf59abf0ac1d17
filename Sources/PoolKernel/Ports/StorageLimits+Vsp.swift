/// Limits of the vspd per-ticket tables, checked by every engine before writing.
extension StorageLimits {
    /// Request and response bodies, fee transaction hex and each stored preference map, in bytes: vspd cuts
    /// request bodies at 1 MiB, so nothing a client sends is larger.
    public static let vspBodyBytes = 1 << 20

    /// Checks a bounded byte or text length.
    static func checkBytes(_ count: Int, field: String, max: Int = vspBodyBytes) throws {
        if count > max { throw StorageError(.invalidInput, "\(field) is larger than \(max) bytes") }
    }

    /// Checks every column of a vspd ticket.
    public static func check(_ ticket: VspTicket) throws {
        try checkTicketHash(ticket.hash)
        try checkText(ticket.commitmentAddress, field: "VspTickets.CommitmentAddress")
        try checkText(ticket.feeAddress, field: "VspTickets.FeeAddress")
        try checkText(ticket.feeTxHash, field: "VspTickets.FeeTxHash")
        if ticket.purchaseHeight < 0 || ticket.feeAddressXPubID < 0 {
            throw StorageError(.invalidInput, "VspTickets height and xpub id must not be negative")
        }
        try check(ticket.fee, field: "VspTickets")
        try check(ticket.preferences)
    }

    /// Checks the fee fields written by `updateVspFee`.
    public static func check(_ fee: VspFeeState, field: String = "VspTickets") throws {
        if fee.feeAmount < 0 { throw StorageError(.invalidInput, "\(field).FeeAmount is negative") }
        try checkText(fee.votingWIF, field: "\(field).VotingWIF")
        try checkText(fee.feeTxHash, field: "\(field).FeeTxHash")
        try checkBytes(fee.feeTxHex.utf8.count, field: "\(field).FeeTxHex")
        try checkText(fee.feeTxHex, field: "\(field).FeeTxHex", maxScalars: vspBodyBytes)
    }

    /// Checks the three preference maps: no NUL in a key or value, each map's JSON within `vspBodyBytes`.
    public static func check(_ preferences: VspVotePreferences) throws {
        for (name, map) in [("VoteChoices", preferences.voteChoices), ("TSpendPolicy", preferences.tSpendPolicy),
                            ("TreasuryPolicy", preferences.treasuryPolicy)] {
            for (key, value) in map {
                try checkText(key, field: "VspTickets.\(name) key", maxScalars: vspBodyBytes)
                try checkText(value, field: "VspTickets.\(name) value", maxScalars: vspBodyBytes)
            }
            try checkBytes(VspVotePreferences.encode(map).utf8.count, field: "VspTickets.\(name)")
        }
    }

    public static func check(_ change: VspVoteChange) throws {
        try checkTicketHash(change.ticketHash)
        try checkBytes(change.request.count, field: "VspVoteChanges.Request")
        try checkBytes(change.response.count, field: "VspVoteChanges.Response")
        try checkText(change.requestSignature, field: "VspVoteChanges.RequestSignature")
        try checkText(change.responseSignature, field: "VspVoteChanges.ResponseSignature")
    }

    public static func check(_ record: VspAltSignAddress) throws {
        try checkTicketHash(record.ticketHash)
        if record.address.isEmpty { throw StorageError(.invalidInput, "VspAltSignAddresses.Address is empty") }
        try checkText(record.address, field: "VspAltSignAddresses.Address")
        try checkBytes(record.request.count, field: "VspAltSignAddresses.Request")
        try checkBytes(record.response.count, field: "VspAltSignAddresses.Response")
        try checkText(record.requestSignature, field: "VspAltSignAddresses.RequestSignature")
        try checkText(record.responseSignature, field: "VspAltSignAddresses.ResponseSignature")
    }

    public static func checkVspFeeXPub(key: String) throws {
        if key.isEmpty { throw StorageError(.invalidInput, "VspFeeXPubs.XPubKey is empty") }
        try checkText(key, field: "VspFeeXPubs.XPubKey")
    }
}

/// The vspd tables of a snapshot.
extension StorageSnapshot {
    mutating func sortVspTables() {
        func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
        vspTickets.sort { bytes($0.hash).lexicographicallyPrecedes(bytes($1.hash)) }
        vspVoteChanges.sort {
            $0.ticketHash == $1.ticketHash ? $0.sequence < $1.sequence
                : bytes($0.ticketHash).lexicographicallyPrecedes(bytes($1.ticketHash))
        }
        vspAltSignAddresses.sort { bytes($0.ticketHash).lexicographicallyPrecedes(bytes($1.ticketHash)) }
        vspFeeXPubs.sort { $0.id < $1.id }
    }

    func validateVspTables() throws {
        func unique<Key: Hashable>(_ keys: [Key], _ table: String) throws {
            if Set(keys).count != keys.count { throw StorageError(.duplicate, "\(table) has the same key twice") }
        }
        for ticket in vspTickets { try StorageLimits.check(ticket) }
        try unique(vspTickets.map(\.hash), "VspTickets")
        for change in vspVoteChanges { try StorageLimits.check(change) }
        try unique(vspVoteChanges.map { "\($0.ticketHash) \($0.sequence)" }, "VspVoteChanges")
        for record in vspAltSignAddresses { try StorageLimits.check(record) }
        try unique(vspAltSignAddresses.map(\.ticketHash), "VspAltSignAddresses")
        for xpub in vspFeeXPubs {
            try StorageLimits.checkVspFeeXPub(key: xpub.key)
            if xpub.id <= 0 { throw StorageError(.invalidInput, "VspFeeXPubs ids must be positive, not \(xpub.id)") }
        }
        try unique(vspFeeXPubs.map(\.id), "VspFeeXPubs")
        try unique(vspFeeXPubs.map(\.key), "VspFeeXPubs (key)")
        let hashes = Set(vspTickets.map(\.hash))
        if let orphan = vspVoteChanges.first(where: { !hashes.contains($0.ticketHash) }) {
            throw StorageError(.invalidInput, "VspVoteChanges names ticket \(orphan.ticketHash), which is not in VspTickets")
        }
    }
}

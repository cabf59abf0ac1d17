import PoolKernel

/// Every voting user's redeem script as bytes (what the wallet watch compares with the wallet's `listscripts`),
/// each with the height to rescan from when it is re-imported.
///
/// A million users' scripts as hex `String`s cost ~200 bytes each, held as the database rows, the wallet's list and
/// a set of each at once; here a 71-byte script costs ~90 bytes (`ScriptSet`) plus its height. Scripts are read a
/// page of users at a time, never as one array of every row. A script several users share is one script with the
/// first user's height (ascending user id, as the row-list comparison kept it).
struct VotingUserScripts: Sendable {
    var scripts: ScriptSet
    /// `heights[i]`: the rescan height of `scripts[i]`.
    var heights: [Int64] = []
    /// Stored scripts that are not hex (old databases): no wallet can list them, so they stay missing, and
    /// re-importing them is left to the wallet to refuse, as before. Once each (case ignored).
    var undecodable: [RegisteredScript] = []
    /// Voting users read (a script shared, or none yet, still counts its user): what the watch's log says.
    var users = 0

    init(reservingScripts count: Int) {
        // Room for every user's 1-of-2 multisig script (71 bytes): no doubling copies of a million; unused room is
        // only address space.
        scripts = ScriptSet(reservingScripts: count, bytes: count * 71)
        heights.reserveCapacity(count)
    }

    /// Every active user's (non-empty multisig address) non-empty script, `pageSize` users per read.
    static func read(from storage: any StorageBackend, pageSize: Int = 2_000) async throws -> VotingUserScripts {
        var result = VotingUserScripts(reservingScripts: try await storage.read { try $0.activeUserCount() })
        var undecodableSeen = Set<String>()
        var cursor = UserId(0)
        while true {
            let after = cursor
            let page = try await storage.read { try $0.users(afterId: after, limit: pageSize) }
            guard let last = page.last else { break }
            cursor = last.id
            for user in page where user.isActive {
                result.users += 1
                guard !user.multiSigScript.isEmpty else { continue }
                if let (isNew, _) = result.scripts.insert(hex: user.multiSigScript) {
                    if isNew { result.heights.append(user.heightRegistered) }
                } else if undecodableSeen.insert(user.multiSigScript.lowercased()).inserted {
                    result.undecodable.append(RegisteredScript(multiSigScript: user.multiSigScript,
                                                               heightRegistered: user.heightRegistered))
                }
            }
        }
        return result
    }

    /// Scripts in all (the undecodable ones counted).
    var count: Int { scripts.count + undecodable.count }

    /// The positions (0..<count) of the scripts `held` lacks, in user id order (the undecodable ones last): a
    /// position, not a `String`, so a wallet restored from seed lacking every script costs 8 bytes a script here.
    func missing(from held: ScriptSet) -> [Int] {
        (0..<scripts.count).filter { !held.contains(scripts[$0]) } + (scripts.count..<count)
    }

    /// The script at `position` as `importscript` takes it: hex and the height to rescan from.
    func script(at position: Int) -> RegisteredScript {
        guard position < scripts.count else { return undecodable[position - scripts.count] }
        return RegisteredScript(multiSigScript: scripts.hex(position), heightRegistered: heights[position])
    }
}

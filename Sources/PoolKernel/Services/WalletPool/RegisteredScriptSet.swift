extension ScriptSet {
    /// Every active user's (non-empty multisig address) registered script as bytes, read `pageSize` users at a time:
    /// what `registeredScripts()` lists, without a hex `String` per row (a million users' rows as strings cost
    /// ~200 MB at once, on top of the wallets' sets). A stored script that is not hex is skipped, as the sync skips it.
    public static func registered(in storage: any StorageBackend, pageSize: Int = 2_000) async throws -> ScriptSet {
        let active = try await storage.read { try $0.activeUserCount() }
        var scripts = ScriptSet(reservingScripts: active, bytes: active * 71)
        var cursor = UserId(0)
        while true {
            let after = cursor
            let page = try await storage.read { try $0.users(afterId: after, limit: pageSize) }
            guard let last = page.last else { return scripts }
            cursor = last.id
            for user in page where user.isActive && !user.multiSigScript.isEmpty { _ = scripts.insert(hex: user.multiSigScript) }
        }
    }
}

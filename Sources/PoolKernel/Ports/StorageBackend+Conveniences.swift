/// Shorthands over `read`/`write` for the common single-operation cases (the look-ups are the default
/// implementations of the protocol's single-statement requirements).
extension StorageBackend {
    /// The user with this id, or nil.
    public func user(id: UserId) async throws -> User? { try await read { try $0.user(id: id) } }
    /// The user with this email (`EmailKey` comparison), or nil.
    public func user(email: String) async throws -> User? { try await read { try $0.user(email: email) } }
    /// The user with this API token, or nil.
    public func user(apiToken: String) async throws -> User? { try await read { try $0.user(apiToken: apiToken) } }

    /// Inserts a user and returns it with its id.
    public func insertUser(_ user: User) async throws -> User {
        try await write { tx in
            var stored = user
            stored.id = try tx.insertUser(user)
            return stored
        }
    }

    /// Reads user `id`, applies `change` and writes the whole row back, in one transaction. Returns the new row.
    /// `not-found` if the user does not exist. `change` may run more than once (see `StorageBackend.write`).
    @discardableResult
    public func updateUser(id: UserId, _ change: @escaping @Sendable (inout User) throws -> Void) async throws -> User {
        try await write { try $0.updateUser(id: id, change) }
    }
}

extension StorageWriter {
    /// Reads user `id`, applies `change`, writes the whole row back and returns it. `not-found` if absent.
    @discardableResult
    public func updateUser(id: UserId, _ change: (inout User) throws -> Void) throws -> User {
        guard var user = try userForUpdate(id: id) else { throw StorageError(.notFound, "no user with id \(id)") }
        try change(&user)
        user.id = id
        try updateUser(user)
        return user
    }
}

import PoolKernel

/// Typed access to one JSON-RPC result object, with errors naming the method and field: strict about required
/// fields and types (→ `walletBadResponse`), lenient about omitted `omitempty` fields. Both wallet plugins decode
/// with it.
public struct RPCReplyFields {
    public let object: JSONObject
    public let context: String

    public init(_ value: JSONValue, _ context: String) throws {
        guard case .object(let object) = value else { throw RPCReplyFields.bad(context, "result is not an object") }
        self.object = object
        self.context = context
    }

    public static func bad(_ context: String, _ why: String) -> WalletError {
        WalletError(.walletBadResponse, "\(context): \(why)")
    }

    private func required(_ key: String) throws -> JSONValue {
        guard let value = object[key] else { throw Self.bad(context, "missing field \(key)") }
        return value
    }

    public func string(_ key: String) throws -> String {
        guard let value = try required(key).stringValue else { throw Self.bad(context, "\(key) is not a string") }
        return value
    }

    public func bool(_ key: String) throws -> Bool {
        guard let value = try required(key).boolValue else { throw Self.bad(context, "\(key) is not a boolean") }
        return value
    }

    public func double(_ key: String) throws -> Double {
        guard let value = try required(key).doubleValue else { throw Self.bad(context, "\(key) is not a number") }
        return value
    }

    public func int<T: FixedWidthInteger>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard let value = try required(key).intValue, let typed = T(exactly: value) else {
            throw Self.bad(context, "\(key) is not a \(T.self)")
        }
        return typed
    }

    public func optionalString(_ key: String) throws -> String {
        guard let value = object[key], !value.isNull else { return "" }
        guard let text = value.stringValue else { throw Self.bad(context, "\(key) is not a string") }
        return text
    }

    public func optionalBool(_ key: String) throws -> Bool {
        guard let value = object[key], !value.isNull else { return false }
        guard let flag = value.boolValue else { throw Self.bad(context, "\(key) is not a boolean") }
        return flag
    }

    public func optionalInt<T: FixedWidthInteger>(_ key: String, as type: T.Type = T.self) throws -> T {
        guard let value = object[key], !value.isNull else { return 0 }
        guard let number = value.intValue, let typed = T(exactly: number) else { throw Self.bad(context, "\(key) is not a \(T.self)") }
        return typed
    }

    public func optionalDouble(_ key: String) throws -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw Self.bad(context, "\(key) is not a number") }
        return number
    }

    /// An array of strings; absent or null is empty.
    public func strings(_ key: String) throws -> [String] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw Self.bad(context, "\(key) is not an array") }
        return try array.map {
            guard let text = $0.stringValue else { throw Self.bad(context, "\(key) holds a non-string") }
            return text
        }
    }

    /// An array of objects; absent or null is empty.
    public func objects(_ key: String) throws -> [JSONValue] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else { throw Self.bad(context, "\(key) is not an array") }
        return array
    }
}

extension RPCReplyFields {
    /// `version`'s result (dcrd and dcrwallet alike): API name → `{versionstring, major, minor, patch, prerelease,
    /// buildmetadata}` (dcrd `rpc/jsonrpc/types/chainsvrresults.go` `VersionResult`).
    public static func versions(from value: JSONValue) throws -> [String: APIVersion] {
        guard case .object(let object) = value else { throw bad("version", "result is not an object") }
        var versions: [String: APIVersion] = [:]
        for (name, entry) in object.entries {
            let f = try RPCReplyFields(entry, "version \(name)")
            versions[name] = APIVersion(major: try f.int("major"), minor: try f.int("minor"), patch: try f.int("patch"),
                                        prerelease: try f.optionalString("prerelease"),
                                        buildMetadata: try f.optionalString("buildmetadata"),
                                        versionString: try f.optionalString("versionstring"))
        }
        return versions
    }

    /// A result that must be a string.
    public static func string(from value: JSONValue, _ context: String) throws -> String {
        guard let text = value.stringValue else { throw bad(context, "result is not a string") }
        return text
    }

    /// A result that must be an integer of `type`.
    public static func number<T: FixedWidthInteger>(from value: JSONValue, _ context: String, as type: T.Type = T.self) throws -> T {
        guard let number = value.intValue, let typed = T(exactly: number) else { throw bad(context, "result is not a \(T.self)") }
        return typed
    }
}

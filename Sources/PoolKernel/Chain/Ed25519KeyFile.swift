import Foundation

/// The VSP's Ed25519 response-signing key kept in a file: made at first use (mode 0600, written whole or not at
/// all), read back afterwards, never replaced — clients pin its public key, so losing or rotating it breaks them.
///
/// The file holds the 32-byte seed as 64 hex digits and a newline. Blocking file I/O: call it at start-up or
/// from a Dispatch thread, not from Swift's cooperative pool.
public enum Ed25519KeyFile {
    /// The key in `path`, creating the file with a fresh key when there is none. When two processes start at
    /// once, both end up with the one key that reached the name first (a hard link never replaces a file).
    ///
    /// Errors: `badKeyFile` when the file exists but is not a regular file, is open to group or others, or does
    /// not hold exactly one hex seed; `cryptoFailure`; Foundation's file errors (missing directory, no permission).
    public static func loadOrCreate(at path: String) throws -> Ed25519SigningKey {
        if let key = try load(at: path) { return key }
        let key = try Ed25519SigningKey.generate()
        let temporary = AtomicFile.temporaryPath(for: path)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary])
        }
        do {
            try handle.write(contentsOf: Data((Hex.encode(key.seed) + "\n").utf8))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        do {
            try FileManager.default.linkItem(atPath: temporary, toPath: path)
        } catch {
            // Another process made the key between our look and our link: use theirs. (Whatever error Foundation
            // reports for the existing name; any other failure has no file there and is rethrown.)
            guard FileManager.default.fileExists(atPath: path), let theirs = try load(at: path) else { throw error }
            return theirs
        }
        try AtomicFile.sync(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return key
    }

    /// The key in `path`, or nil when there is no file.
    public static func load(at path: String) throws -> Ed25519SigningKey? {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch CocoaError.fileReadNoSuchFile {
            return nil
        } catch let error as NSError where error.domain == NSPOSIXErrorDomain && error.code == 2 {
            return nil
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ChainError(.badKeyFile, "The key file \(path) is not a regular file.")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw ChainError(.badKeyFile, "The key file \(path) is readable by others; make it mode 0600 (chmod 600).")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ChainError(.badKeyFile, "The key file \(path) cannot be read.")
        }
        defer { try? handle.close() }
        // A seed file is 65 bytes; reading a little more shows when it is something else.
        let data = try handle.read(upToCount: 256) ?? Data()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        guard text.utf8.count == 2 * Ed25519SigningKey.seedLength, let seed = try? Hex.decode(text) else {
            throw ChainError(.badKeyFile, "The key file \(path) does not hold one 64-digit hex Ed25519 seed.")
        }
        return try Ed25519SigningKey(seed: seed)
    }
}

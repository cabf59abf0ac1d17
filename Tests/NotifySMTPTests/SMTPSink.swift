import Foundation
import XCTest
import PoolKernel
import PoolNet
import PoolTestKit

/// The test SMTP sink started by scripts/services/smtp.sh: addresses from the environment, received mail from
/// its maildir (`<n>.eml` raw bytes + `<n>.json` envelope).
struct SMTPSink {
    struct Received {
        var raw: String
        var listener: String
        var mailFrom: String
        var recipients: [String]
        var tls: Bool
        var authUser: String?

        /// The header block (unfolded lines kept as sent) and the body.
        var headerLines: [String] { raw.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n") }
        var body: String { raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
        func header(_ name: String) -> String? {
            headerLines.first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }.map { String($0.dropFirst(name.count + 2)) }
        }
    }

    let maildir: String
    let caFile: String
    let user: String
    let password: String

    init() throws {
        maildir = try TestEnvironment.require("POOL_SMTP_MAILDIR")
        caFile = try TestEnvironment.require("POOL_SMTP_CA_FILE")
        user = try TestEnvironment.require("POOL_SMTP_USER")
        password = try TestEnvironment.require("POOL_SMTP_PASSWORD")
    }

    /// `host:port` of a listener: plain, starttls, auth, implicit, plainauth, flaky.
    func address(_ listener: String) throws -> String {
        try TestEnvironment.require("POOL_SMTP_\(listener.uppercased())")
    }

    /// Every message received for `recipient`, oldest first.
    func messages(to recipient: String) throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir).filter { $0.hasSuffix(".json") }.sorted()
        var found: [Received] = []
        for name in names {
            let base = maildir + "/" + name.dropLast(5)
            guard let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any],
                  let recipients = meta["rcpt_tos"] as? [String], recipients.contains(recipient) else { continue }
            let raw = try Data(contentsOf: URL(fileURLWithPath: base + ".eml"))
            found.append(Received(raw: String(decoding: raw, as: UTF8.self), listener: meta["listener"] as? String ?? "",
                                  mailFrom: meta["mail_from"] as? String ?? "", recipients: recipients,
                                  tls: meta["tls"] as? Bool ?? false, authUser: meta["auth_user"] as? String))
        }
        return found
    }

    /// Waits (bounded polling) for the first message to `recipient`.
    func waitForMessage(to recipient: String, timeout: Duration = .seconds(10),
                        file: StaticString = #filePath, line: UInt = #line) async throws -> Received {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let first = try messages(to: recipient).first { return first }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("no message to \(recipient) reached the sink", file: file, line: line)
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no message to \(recipient) reached the sink"])
    }

    /// Takes the flaky listener down (connections refused) or brings it back on the same port.
    func setFlaky(up: Bool) async throws {
        let address = try PoolNet.HostPort(parsing: try TestEnvironment.require("POOL_SMTP_CONTROL"))
        let connection = try await NetConnection.connect(to: address, timeout: .seconds(5))
        defer { connection.close() }
        let answer = try await connection.perform { connection in
            try connection.write(up ? "up\n" : "down\n", timeout: .seconds(5))
            return try connection.read(maxLength: 16, timeout: .seconds(5))
        }
        XCTAssertEqual(String(decoding: answer, as: UTF8.self), "ok\n")
    }

    /// Every MAIL FROM (`event` "mail", value the sender) and AUTH attempt ("auth", the login) the sink's
    /// `listener` has seen, accepted or not, oldest first.
    func events(listener: String) throws -> [(event: String, value: String)] {
        let path = maildir + "/events.jsonl"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        return try text.split(separator: "\n").compactMap { line in
            guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  entry["listener"] as? String == listener else { return nil }
            return (entry["event"] as? String ?? "", entry["value"] as? String ?? "")
        }
    }

    /// A recipient no other test uses.
    static func recipient(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.org"
    }
}

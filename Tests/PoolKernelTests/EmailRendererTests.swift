import Foundation
import XCTest
@testable import PoolKernel

final class EmailRendererTests: XCTestCase {
    private var tempDir: String!
    private let token = "0123456789abcdef0123456789abcdef"

    override func setUpWithError() throws {
        tempDir = NSTemporaryDirectory() + "emailrenderer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: tempDir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: tempDir)
    }

    private func renderer(directory: String?) -> EmailRenderer {
        EmailRenderer(configuration: .init(baseURL: "https://pool.example.com", from: "pool@example.com",
                                           templateDirectory: directory), logger: .disabled)
    }

    private static var shippedTemplates: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates/email").path
    }

    /// The spec §5 texts, typed out with concrete values.
    private var expected: [(PoolEmail, String, String)] {
        [
            (.signupVerification(token: token, ip: "192.0.2.7"), "Stake pool email verification",
             "A request for an account for https://pool.example.com\r\nwas made from 192.0.2.7 for this email address.\r\n\n"
             + "If you made this request, follow the link below:\r\n\nhttps://pool.example.com/emailverify?t=\(token)\r\n\n"
             + "to verify your email address and finalize registration.\r\n\n"),
            (.passwordReset(token: token, ip: "192.0.2.7"), "Stake pool password reset",
             "A request to reset your password was made from IP address: 192.0.2.7\r\n\n"
             + "If you made this request, follow the link below:\r\n\nhttps://pool.example.com/passwordupdate?t=\(token)\r\n\n"
             + "The above link expires an hour after this email was sent.\r\n\n"
             + "If you did not make this request, you may safely ignore this email.\r\n"
             + "However, you may want to look into how this happened.\r\n"),
            (.emailChangeVerification(oldEmail: "old@example.org", newEmail: "new@example.org", token: token, ip: "192.0.2.7"),
             "Stake pool email change",
             "A request was made to change the email address\r\nfor a stake pool account at https://pool.example.com\r\n"
             + "from old@example.org to new@example.org\r\n\nThe request was made from IP address 192.0.2.7\r\n\n"
             + "If you made this request, follow the link below:\r\n\nhttps://pool.example.com/emailupdate?t=\(token)\r\n\n"
             + "The above link expires an hour after this email was sent.\r\n\n"
             + "If you did not make this request, you may safely ignore this email.\r\n"
             + "However, you may want to look into how this happened.\r\n"),
            (.emailChangeNotice(oldEmail: "old@example.org", newEmail: "new@example.org", ip: "192.0.2.7"),
             "Stake pool email change",
             "A request was made to change the email address\r\nfor your stake pool account at https://pool.example.com\r\n"
             + "from old@example.org to new@example.org\r\n\nThe request was made from IP address 192.0.2.7\r\n\n"
             + "If you did not make this request, please contact the \r\nstake pool administrator immediately.\r\n"),
            (.passwordChanged(ip: "192.0.2.7"), "Stake pool password change",
             "Your stake pool password for https://pool.example.com\r\nwas just changed by IP Address 192.0.2.7\r\n\n"
             + "If you did not make this request, please contact the \r\nstake pool administrator immediately.\r\n"),
        ]
    }

    private func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    func testEmailRenderer_builtInTextsMatchSpecBytes() {
        let renderer = renderer(directory: nil)
        for (email, subject, body) in expected {
            let message = renderer.render(email, to: "user@example.org")
            XCTAssertEqual(message.subject, subject)
            XCTAssertEqual(message.body, body, "\(email)")
            XCTAssertEqual(message.to, "user@example.org")
            XCTAssertEqual(message.from, "pool@example.com")
            XCTAssertTrue(message.messageID.hasSuffix("@example.com"))
        }
    }

    func testEmailRenderer_shippedTemplatesMatchBuiltIns() throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.shippedTemplates + "/password-reset.txt"))
        let renderer = renderer(directory: Self.shippedTemplates)
        for (email, subject, body) in expected {
            let message = renderer.render(email, to: "user@example.org")
            XCTAssertEqual(message.subject, subject)
            XCTAssertEqual(normalized(message.body), normalized(body), "\(email)")
        }
    }

    /// Every email, including this engine's own (no spec text), ships a template file saying what the built-in says.
    func testEmailRenderer_everyEmailHasAShippedTemplateMatchingItsBuiltIn() {
        let samples: [PoolEmail] = [
            .signupVerification(token: token, ip: "192.0.2.7"), .passwordReset(token: token, ip: "192.0.2.7"),
            .emailChangeVerification(oldEmail: "o@example.org", newEmail: "n@example.org", token: token, ip: "192.0.2.7"),
            .emailChangeNotice(oldEmail: "o@example.org", newEmail: "n@example.org", ip: "192.0.2.7"),
            .passwordChanged(ip: "192.0.2.7"), .accountExists(ip: "192.0.2.7"),
            .signupRepeated(token: token, ip: "192.0.2.7"), .accountClosed(ip: "192.0.2.7"),
        ]
        XCTAssertEqual(Set(samples.map(\.templateName)), Set(PoolEmail.allTemplateNames))
        let shipped = renderer(directory: Self.shippedTemplates), builtIn = renderer(directory: nil)
        for email in samples {
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.shippedTemplates + "/\(email.templateName).txt"), email.templateName)
            let file = shipped.render(email, to: "u@example.org"), text = builtIn.render(email, to: "u@example.org")
            XCTAssertEqual(file.subject, text.subject, email.templateName)
            XCTAssertEqual(normalized(file.body), normalized(text.body), email.templateName)
        }
        let repeated = builtIn.render(.signupRepeated(token: token, ip: "192.0.2.7"), to: "u@example.org").body
        XCTAssertTrue(repeated.contains("https://pool.example.com/emailverify?t=\(token)\n"))
        XCTAssertTrue(repeated.contains("https://pool.example.com/passwordreset\n"))
    }

    func testEmailRenderer_missingTemplateFallsBackToBuiltIn() {
        let message = renderer(directory: tempDir + "/nowhere").render(.passwordChanged(ip: "192.0.2.7"), to: "u@example.org")
        XCTAssertEqual(message.subject, "Stake pool password change")
        XCTAssertTrue(message.body.hasPrefix("Your stake pool password for https://pool.example.com\r\n"))
    }

    func testEmailRenderer_operatorTemplateOverridesSubjectAndBody() throws {
        try "Subject: Bitte bestätigen\n\nHallo {{ IP }}: {{Link}} {{Unknown}} {{Token\n".write(
            toFile: tempDir + "/signup-verification.txt", atomically: true, encoding: .utf8)
        // An address or IP that looks like a placeholder is inserted literally, never expanded again.
        let message = renderer(directory: tempDir).render(.signupVerification(token: "t1", ip: "{{Link}}"), to: "u@example.org")
        XCTAssertEqual(message.subject, "Bitte bestätigen")
        XCTAssertEqual(message.body, "Hallo {{Link}}: https://pool.example.com/emailverify?t=t1 {{Unknown}} {{Token\n")
    }

    func testEmailRenderer_badTemplateFileFallsBack() throws {
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: tempDir + "/password-reset.txt"))
        try Data(repeating: 0x41, count: EmailRenderer.maxTemplateBytes + 1)
            .write(to: URL(fileURLWithPath: tempDir + "/password-changed.txt"))
        let renderer = renderer(directory: tempDir)
        XCTAssertEqual(renderer.render(.passwordReset(token: token, ip: "1.2.3.4"), to: "u@example.org").subject,
                       "Stake pool password reset")
        XCTAssertTrue(renderer.render(.passwordChanged(ip: "1.2.3.4"), to: "u@example.org").body.hasPrefix("Your stake pool"))
    }

    func testEmailRenderer_messageIDsAreUniqueAndTemplateNamesComplete() {
        let renderer = renderer(directory: nil)
        let ids = Set((0..<50).map { _ in renderer.render(.passwordChanged(ip: "1.2.3.4"), to: "u@example.org").messageID })
        XCTAssertEqual(ids.count, 50)
        for name in PoolEmail.allTemplateNames {
            XCTAssertNotNil(BuiltInEmailTemplates.template(named: name), name)
        }
        XCTAssertEqual(PoolEmail.tokenLifetime, .seconds(3600))
    }
}

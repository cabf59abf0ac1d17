import Foundation
import XCTest
import PoolKernel
@testable import NotifySMTP

final class MessageEncoderTests: XCTestCase {
    private func message(to: String = "user@example.org", subject: String = "Stake pool email verification",
                         body: String = "hello\r\n", extra: [MailHeader] = []) -> MailMessage {
        MailMessage(to: to, from: "", subject: subject, body: body, messageID: "abc123@pool.example.com",
                    date: Date(timeIntervalSince1970: 1_790_000_000), extraHeaders: extra)
    }

    private func encoded(_ message: MailMessage) throws -> String {
        String(decoding: try MessageEncoder.encode(message, from: "pool@example.com"), as: UTF8.self)
    }

    func testMessageEncoder_headersInOrderWithCRLF() throws {
        let text = try encoded(message())
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        XCTAssertEqual(head.components(separatedBy: "\r\n"), [
            "Date: Mon, 21 Sep 2026 14:13:20 +0000",
            "From: pool@example.com",
            "To: user@example.org",
            "Subject: Stake pool email verification",
            "Message-ID: <abc123@pool.example.com>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    func testMessageEncoder_nonASCIISubjectIsRFC2047() throws {
        let subject = "Größe – " + String(repeating: "ß", count: 40)
        let text = try encoded(message(subject: subject))
        let lines = text.components(separatedBy: "\r\n")
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var words = [String(lines[start].dropFirst("Subject: ".count))]
        for line in lines[(start + 1)...] where line.hasPrefix(" ") { words.append(String(line.dropFirst())) }
        XCTAssertGreaterThan(words.count, 1)
        var decoded = Data()
        for word in words {
            XCTAssertLessThanOrEqual(word.count, 75)
            XCTAssertTrue(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            decoded.append(try XCTUnwrap(Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))))
            // Each word decodes alone: no character split between words.
            XCTAssertNotNil(String(data: Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!, encoding: .utf8))
        }
        XCTAssertEqual(String(decoding: decoded, as: UTF8.self), subject)
    }

    func testMessageEncoder_longASCIISubjectFoldedAtSpaces() throws {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let lines = try encoded(message(subject: subject)).components(separatedBy: "\r\n")
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var folded = [lines[start]]
        for line in lines[(start + 1)...] where line.hasPrefix(" ") { folded.append(line) }
        XCTAssertGreaterThan(folded.count, 1)
        for line in folded { XCTAssertLessThanOrEqual(line.utf8.count, 78) }
        // Unfolding (removing each CRLF before whitespace) gives the subject back.
        XCTAssertEqual(String(folded.joined().dropFirst("Subject: ".count)), subject)
    }

    func testMessageEncoder_headerInjectionRejected() {
        let attempts: [MailMessage] = [
            message(subject: "hi\r\nBcc: victim@example.net"),
            message(subject: "hi\nBcc: victim@example.net"),
            message(subject: "hi\rX: y"),
            message(to: "user@example.org\r\nBcc: victim@example.net"),
            message(to: "user@example.org>\r\nRCPT TO:<victim@example.net"),
            message(to: "a@b, c@d"),
            message(to: "no-at-sign"),
            message(extra: [MailHeader("X-Test", "a\r\nBcc: v@example.net")]),
            message(extra: [MailHeader("Bad Name", "x")]),
            message(extra: [MailHeader("Bcc", "v@example.net")]),
        ]
        for attempt in attempts {
            XCTAssertThrowsError(try encoded(attempt)) { error in
                XCTAssertEqual((error as? NotifyError)?.code, .mailInvalidMessage)
            }
        }
        XCTAssertThrowsError(try MessageEncoder.encode(message(), from: "pool@example.com\r\nX: y"))
    }

    func testMessageEncoder_longLinesWrappedAndDecodeIntact() throws {
        let link = "http://127.0.0.1:8000/emailverify?t=" + String(repeating: "0123456789abcdef", count: 8)
        let body = "Über \(link)\r\n\nline two   \n" + String(repeating: "x", count: 300) + "\n"
        let text = try encoded(message(body: body))
        let bodyPart = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        for line in bodyPart.components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.utf8.count, 76)
            XCTAssertTrue(line.utf8.allSatisfy { $0 < 0x80 })
        }
        XCTAssertEqual(Self.decodeQuotedPrintable(bodyPart), body.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testMessageEncoder_dataPayloadDotStuffs() {
        let payload = MessageEncoder.dataPayload(Array("a\r\n.\r\n..b\r\n.c".utf8))
        XCTAssertEqual(String(decoding: payload, as: UTF8.self), "a\r\n..\r\n...b\r\n..c\r\n.\r\n")
        XCTAssertEqual(String(decoding: MessageEncoder.dataPayload(Array(".x\r\n".utf8)), as: UTF8.self), "..x\r\n.\r\n")
    }

    /// Minimal RFC 2045 decoder used only to check the encoder round-trips.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "="), index + 2 < bytes.count + 0 {
                if bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A { index += 3; continue }
                if let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                    out.append(value); index += 3; continue
                }
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

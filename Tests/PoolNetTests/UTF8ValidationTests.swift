@testable import PoolNet
import XCTest

/// The in-place UTF-8 check of websocket text messages (no `String` copy of a 260 MB reply): the Unicode standard's
/// well-formed byte sequences (Table 3-7), at every offset from the word-at-a-time ASCII scan.
final class UTF8ValidationTests: XCTestCase {
    /// Well-formed and ill-formed sequences per Unicode 15, §3.9 Table 3-7.
    private let wellFormed: [[UInt8]] = [
        [0x24], [0xC2, 0xA2], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xE2, 0x82, 0xAC], [0xED, 0x9F, 0xBF],
        [0xEE, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
    ]
    private let illFormed: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xC2, 0x41], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE2, 0x82], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xF0, 0x9F, 0x98],
    ]

    func testWellFormedSequences_areValidAtEveryOffsetAndBetweenASCII() {
        for sequence in wellFormed {
            for prefix in 0..<17 {
                let bytes = [UInt8](repeating: 0x61, count: prefix) + sequence + [UInt8](repeating: 0x7A, count: 9)
                XCTAssertTrue(UTF8Validation.isValid(bytes), "\(sequence) after \(prefix) ASCII bytes")
            }
        }
        XCTAssertTrue(UTF8Validation.isValid([]))
        XCTAssertTrue(UTF8Validation.isValid(Array(String(repeating: "{\"redeemscript\":\"51ab\"},", count: 100).utf8)))
    }

    func testIllFormedSequences_areRejectedAtEveryOffset() {
        for sequence in illFormed {
            for prefix in 0..<17 {
                for suffix in [0, 1, 9] {
                    let bytes = [UInt8](repeating: 0x61, count: prefix) + sequence + [UInt8](repeating: 0x7A, count: suffix)
                    XCTAssertFalse(UTF8Validation.isValid(bytes), "\(sequence) after \(prefix), before \(suffix) ASCII bytes")
                }
            }
        }
    }

    func testTextFrames_withIllFormedUTF8AfterALongASCIIRun_areRefused() {
        var parser = WebSocketFrameParser(role: .client)
        let payload = [UInt8](repeating: 0x41, count: 300) + [0xED, 0xA0, 0x80]
        parser.append(WebSocketFrameEncoder.frame(opcode: .text, payload: payload, maskKey: nil))
        XCTAssertThrowsError(try parser.next()) { error in
            XCTAssertEqual((error as? NetError)?.code, .netProtocol)
            XCTAssertEqual(WebSocketFrameParser.closeCode(for: error as! NetError), 1007)
        }
    }
}

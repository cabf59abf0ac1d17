import Foundation
import Glibc
@testable import PoolKernel
import XCTest

/// The kernel reads and writes IP address text itself (no `inet_pton`): a table of hand-decoded forms, then glibc's
/// `inet_pton`/`inet_ntop` (allowed here, in the tests) as the reference over many generated inputs.
final class IPAddressTextTests: XCTestCase {
    /// IPv4 is held IPv4-mapped: `::ffff:a.b.c.d`.
    private func mapped(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> IPAddress {
        IPAddress(high: 0, low: 0xFFFF_0000_0000 | a << 24 | b << 16 | c << 8 | d)
    }

    private func words(_ w: [UInt64]) -> IPAddress {
        IPAddress(high: w[0] << 48 | w[1] << 32 | w[2] << 16 | w[3], low: w[4] << 48 | w[5] << 32 | w[6] << 16 | w[7])
    }

    func testAcceptedFormsDecodeToTheirBytes() {
        let table: [(String, IPAddress)] = [
            ("0.0.0.0", mapped(0, 0, 0, 0)),
            ("192.0.2.1", mapped(192, 0, 2, 1)),
            ("255.255.255.255", mapped(255, 255, 255, 255)),
            ("10.0.10.100", mapped(10, 0, 10, 100)),
            ("::", words([0, 0, 0, 0, 0, 0, 0, 0])),
            ("::1", words([0, 0, 0, 0, 0, 0, 0, 1])),
            ("1::", words([1, 0, 0, 0, 0, 0, 0, 0])),
            ("2001:db8::1", words([0x2001, 0x0DB8, 0, 0, 0, 0, 0, 1])),
            ("2001:DB8:0:0:8:800:200C:417A", words([0x2001, 0x0DB8, 0, 0, 8, 0x800, 0x200C, 0x417A])),
            ("ff01::101", words([0xFF01, 0, 0, 0, 0, 0, 0, 0x101])),
            ("0001:0002:0003:0004:0005:0006:0007:0008", words([1, 2, 3, 4, 5, 6, 7, 8])),
            ("1:2:3:4:5:6:7::", words([1, 2, 3, 4, 5, 6, 7, 0])),
            ("::2:3:4:5:6:7:8", words([0, 2, 3, 4, 5, 6, 7, 8])),
            ("1:2::7:8", words([1, 2, 0, 0, 0, 0, 7, 8])),
            ("::ffff:192.0.2.1", mapped(192, 0, 2, 1)),
            ("::13.1.68.3", words([0, 0, 0, 0, 0, 0, 0x0D01, 0x4403])),
            ("64:ff9b::192.0.2.33", words([0x64, 0xFF9B, 0, 0, 0, 0, 0xC000, 0x0221])),
            ("1:2:3:4:5:6:1.2.3.4", words([1, 2, 3, 4, 5, 6, 0x0102, 0x0304])),
            ("fe80::", words([0xFE80, 0, 0, 0, 0, 0, 0, 0])),
        ]
        for (text, expected) in table {
            XCTAssertEqual(IPAddress(text), expected, text)
            XCTAssertTrue(OptionChecks.isIPAddress(text), text)
        }
    }

    func testRefusedForms() {
        let refused = [
            "", " ", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4", "1..2.3", "256.1.1.1", "01.2.3.4", "1.2.3.04",
            "000.1.1.1", "0x1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "١.٢.٣.٤", "localhost", "example.com",
            ":", ":::", "1:::2", "1::2::3", ":1::", "::1:", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "1::2:3:4:5:6:7:8", "::00001", "12345::", "g::", "::1%eth0",
            "fe80::1%1", "[::1]", "::1/128", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4",
            "::1.2.3", "::01.2.3.4", "::256.0.0.1", "1.2.3.4:80", "::ffff:1.2.3.4.5",
            String(repeating: "0", count: 40) + "::1", String(repeating: "1:", count: 10_000),
        ]
        for text in refused {
            XCTAssertNil(IPAddress(text), text)
            XCTAssertFalse(OptionChecks.isIPAddress(text), text)
        }
    }

    func testCanonicalText() {
        let table: [(String, String)] = [
            ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),      // the longest run
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),    // the first of equal runs
            ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"), // one zero group stays "0"
            ("::", "::"), ("::1", "::1"), ("::ffff:192.0.2.1", "192.0.2.1"), ("::1.2.3.4", "::1.2.3.4"),
            ("::1:0:0", "::1:0:0"),
        ]
        for (text, canonical) in table { XCTAssertEqual(IPAddress(text)?.description, canonical, text) }
        XCTAssertEqual(IPAddress.clientKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64")
    }

    /// glibc's answer for `text`: IPv4 as mapped, IPv6 as is, nil when it refuses both.
    private func glibcAddress(_ text: String) -> IPAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            return mapped(UInt64(value >> 24), UInt64(value >> 16 & 0xFF), UInt64(value >> 8 & 0xFF), UInt64(value & 0xFF))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let word = { (start: Int) in bytes[start..<start + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return IPAddress(high: word(0), low: word(8))
    }

    private func glibcText(_ address: IPAddress) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: address.high >> (56 - 8 * UInt64(index)))
            bytes[8 + index] = UInt8(truncatingIfNeeded: address.low >> (56 - 8 * UInt64(index)))
        }
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if address.isIPv4 {
            inet_ntop(AF_INET, Array(bytes[12...]), &out, socklen_t(out.count))
        } else {
            inet_ntop(AF_INET6, bytes, &out, socklen_t(out.count))
        }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Texts built from address-like pieces (groups of 0-5 hex digits, `:`/`::`/`:::`, dotted quads with
    /// out-of-range, zero-led and missing parts, zones, stray characters), so that most are near misses.
    private func generatedText(_ random: inout SplitMix64) -> String {
        let hexDigits = Array("0123456789abcdefABCDEF")
        func group() -> String { String((0..<random.below(6)).map { _ in hexDigits[random.below(hexDigits.count)] }) }
        func octet() -> String {
            ["0", "1", "9", "10", "99", "100", "199", "255", "256", "300", "01", "00", "007", "1000", ""][random.below(15)]
        }
        func quad() -> String { (0..<[4, 4, 4, 3, 5][random.below(5)]).map { _ in octet() }.joined(separator: ".") }
        var text = ""
        for _ in 0..<random.below(11) {
            switch random.below(20) {
            case 0..<10: text += group()
            case 10..<15: text += ":"
            case 15, 16: text += "::"
            case 17: text += quad()
            default: text += ["%eth0", " ", "/", ".", "g", ":::", "[", "]"][random.below(8)]
            }
        }
        if random.below(4) == 0 { text += (text.isEmpty ? "" : ":") + quad() }
        return text
    }

    func testParsingAgreesWithGlibcOnGeneratedTexts() {
        var random = SplitMix64(seed: 19)
        var accepted = 0
        for _ in 0..<40_000 {
            let text = generatedText(&random)
            let expected = glibcAddress(text)
            if expected != nil { accepted += 1 }
            XCTAssertEqual(IPAddress(text), expected, "\"\(text)\"")
            if IPAddress(text) != expected { break }
        }
        XCTAssertGreaterThan(accepted, 1_000, "the generator reaches valid forms too")
    }

    func testTextAgreesWithGlibcAndReadsBack() {
        var random = SplitMix64(seed: 4291)
        for _ in 0..<20_000 {
            // Mostly zero groups, so that runs of every length and position occur; some IPv4-mapped/compatible.
            var words = (0..<8).map { _ in random.below(3) == 0 ? UInt64(random.below(0x10000)) : 0 }
            if random.below(8) == 0 { words[0...4] = [0, 0, 0, 0, 0]; words[5] = random.below(2) == 0 ? 0xFFFF : 0 }
            let address = self.words(words)
            let text = address.description
            XCTAssertEqual(text, glibcText(address), "\(words)")
            XCTAssertEqual(IPAddress(text), address, text)
            if text != glibcText(address) { break }
        }
    }
}

extension SplitMix64 {
    fileprivate mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
}

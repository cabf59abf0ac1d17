import BenchHost
import XCTest

/// `poolbench chain`'s signature figures: recovery and verification on the Swift path and on the OpenSSL
/// reference, measured in the same run, with their speed-ups.
final class ChainBenchmarksTests: XCTestCase {
    func testSignatureFigures_measureBothPathsAndTheirRatio() {
        let figures = ChainBenchmarks.signatureFigures(seconds: 0.02)
        XCTAssertEqual(figures.map(\.bench), ["compact_recover", "compact_recover_openssl", "compact_recover_speedup",
                                              "ecdsa_verify", "ecdsa_verify_openssl", "ecdsa_verify_speedup"])
        for figure in figures {
            XCTAssertTrue(figure.value.isFinite && figure.value > 0, figure.jsonLine)
        }
        XCTAssertEqual(figures[2].value, figures[0].value / figures[1].value, accuracy: 1e-9)
        XCTAssertEqual(figures[5].value, figures[3].value / figures[4].value, accuracy: 1e-9)
    }

    /// `poolbench chain`'s private-key figures: public keys per second on the constant-time Swift comb and on
    /// OpenSSL's ladder, measured in the same run, with the speed-up.
    func testPrivateKeyFigures_measureBothPathsAndTheirRatio() {
        let figures = ChainBenchmarks.privateKeyFigures(seconds: 0.02)
        XCTAssertEqual(figures.map(\.bench), ["private_key_public_key", "private_key_public_key_openssl",
                                              "private_key_public_key_speedup"])
        for figure in figures {
            XCTAssertTrue(figure.value.isFinite && figure.value > 0, figure.jsonLine)
        }
        XCTAssertEqual(figures[2].value, figures[0].value / figures[1].value, accuracy: 1e-9)
    }
}

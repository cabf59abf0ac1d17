import Foundation
import PoolKernel

/// Speed figures for the chain primitives, printed as JSON lines for `poolbench` / `make bench`.
/// Run from a release build: debug numbers mean nothing.
public enum ChainBenchmarks {
    /// One measured figure.
    public struct Figure: Sendable {
        public let bench: String
        public let value: Double
        public let unit: String
        public let goal: String

        /// `{"bench":…,"value":…,"unit":…,"goal":…}`
        public var jsonLine: String {
            let rounded = (value * 10).rounded() / 10
            return "{\"bench\":\"\(bench)\",\"value\":\(rounded),\"unit\":\"\(unit)\",\"goal\":\"\(goal)\"}"
        }
    }

    /// Runs every chain benchmark and writes one JSON line per figure through `print`.
    public static func runAll(print emit: (String) -> Void = { Swift.print($0) }) {
        for figure in [blake256Large(), blake256Small()] {
            emit(figure.jsonLine)
        }
    }

    /// BLAKE-256 throughput on 16 KiB inputs, MB/s (10^6 bytes).
    public static func blake256Large(seconds: Double = 1.0) -> Figure {
        let input = [UInt8](repeating: 0xA5, count: 16 * 1024)
        var sink: UInt8 = 0
        let (count, elapsed) = measure(seconds: seconds) {
            sink ^= BLAKE256.hash(input)[0]
        }
        keep(sink)
        let megabytes = Double(count * input.count) / 1_000_000
        return Figure(bench: "blake256_16k", value: megabytes / elapsed, unit: "MB/s", goal: ">=460")
    }

    /// BLAKE-256 hashes of 32-byte inputs per second, in millions.
    public static func blake256Small(seconds: Double = 1.0) -> Figure {
        var input = [UInt8](repeating: 0x5A, count: 32)
        let (count, elapsed) = measure(seconds: seconds) {
            let digest = BLAKE256.hash(input)
            input[0] = digest[0] // chain the inputs so the work cannot be hoisted
        }
        keep(input[0])
        return Figure(bench: "blake256_32b", value: Double(count) / elapsed / 1_000_000, unit: "Mhash/s", goal: ">=3")
    }

    /// Calls `body` in batches until `seconds` have passed; returns (calls, elapsed seconds).
    static func measure(seconds: Double, batch: Int = 64, _ body: () -> Void) -> (Int, Double) {
        for _ in 0..<batch { body() } // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<batch { body() }
            count += batch
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return (count, elapsed)
    }

    /// Defeats dead-code elimination of benchmark results.
    @inline(never)
    static func keep<T>(_ value: T) { _ = value }
}

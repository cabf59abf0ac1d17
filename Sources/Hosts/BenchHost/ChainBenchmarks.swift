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
        /// Host steal time while this figure was measured, in percent (printed when known).
        public var stealPercent: Double?

        public init(bench: String, value: Double, unit: String, goal: String, stealPercent: Double? = nil) {
            self.bench = bench
            self.value = value
            self.unit = unit
            self.goal = goal
            self.stealPercent = stealPercent
        }

        /// `{"bench":…,"value":…,"unit":…,"goal":…}` (and `"steal_pct"` when known), values rounded to 3
        /// decimals (latencies in ms need them).
        public var jsonLine: String {
            let rounded = (value * 1000).rounded() / 1000
            let steal = stealPercent.map { ",\"steal_pct\":\(($0 * 10).rounded() / 10)" } ?? ""
            return "{\"bench\":\"\(bench)\",\"value\":\(rounded),\"unit\":\"\(unit)\",\"goal\":\"\(goal)\"\(steal)}"
        }
    }

    /// Runs every chain benchmark and writes one JSON line per figure through `print`.
    public static func runAll(print emit: (String) -> Void = { Swift.print($0) }) {
        for figure in [blake256Large(), blake256Small(), hdPublicDerivation(), addressDecode()] {
            emit(figure.jsonLine)
        }
        for figure in signatureFigures() { emit(figure.jsonLine) }
        for figure in privateKeyFigures() { emit(figure.jsonLine) }
    }

    /// Public keys of private keys per second (what payfee pays once per request for the voting key) on the
    /// constant-time Swift comb and on OpenSSL's ladder, and the speed-up (Swift / OpenSSL).
    public static func privateKeyFigures(seconds: Double = 1.0) -> [Figure] {
        let keys = (0..<16).map { BLAKE256.hash(Array("poolbench private key \($0)".utf8)) }
        func rate(_ derive: ([UInt8]) throws -> [UInt8]) -> Double {
            var next = 0, sink: UInt8 = 0
            let (count, elapsed) = measure(seconds: seconds, batch: 16) {
                sink ^= (try? derive(keys[next & 15]))?[1] ?? 0
                next &+= 1
            }
            keep(sink)
            return Double(count) / elapsed
        }
        let swift = rate { try Secp256k1.publicKey(privateKey: $0) }
        let openSSL = rate { try Secp256k1.publicKeyWithOpenSSL(privateKey: $0) }
        return [
            Figure(bench: "private_key_public_key", value: swift, unit: "keys/s", goal: "reference"),
            Figure(bench: "private_key_public_key_openssl", value: openSSL, unit: "keys/s", goal: "reference"),
            Figure(bench: "private_key_public_key_speedup", value: swift / openSSL, unit: "x", goal: ">=2"),
        ]
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

    /// Non-hardened public child derivations per second (HMAC-SHA512 + secp256k1 point math).
    public static func hdPublicDerivation(seconds: Double = 1.0) -> Figure {
        // A reference dpub (hdkeychain public derivation vectors, depth 3).
        let text = "dpubZF8BRmciAzYoTjXZ3bbRWLVCwUKtTquact3Tr6ye77Rgmw76VyqMb9TB9KpfrvUYEM5d1Au4fQzE2BbtxRjwzGsqnWHmtQP9UV1kxZaqvb6"
        guard let parent = try? ExtendedPublicKey(parsing: text, network: .mainnet) else {
            return Figure(bench: "hd_public_derive", value: 0, unit: "derivations/s", goal: ">=10000")
        }
        var index: UInt32 = 0
        var sink: UInt8 = 0
        let (count, elapsed) = measure(seconds: seconds, batch: 16) {
            sink ^= (try? parent.child(index))?.publicKey[1] ?? 0
            index &+= 1
        }
        keep(sink)
        return Figure(bench: "hd_public_derive", value: Double(count) / elapsed, unit: "derivations/s", goal: ">=10000")
    }

    /// Base58check address decodes per second (P2PKH, checksum verified, network checked).
    public static func addressDecode(seconds: Double = 1.0) -> Figure {
        let addresses = ["DsmcYVbP1Nmag2H4AS17UTvmWXmGeA7nLDx", "DcXTb4QtmnyRsnzUVViYQawqFE5PuYTdX2C",
                         "DsRM6qwzT3r85evKvDBJBviTgYcaLKL4ipD", "DcdacYDf5SUH5dYyDxufRngdiaVhi6n83ka"]
        let network = NetParams.mainnet
        var next = 0
        var sink = 0
        let (count, elapsed) = measure(seconds: seconds, batch: 256) {
            sink &+= (try? Address.decode(addresses[next & 3], network: network))?.payload.count ?? 0
            next &+= 1
        }
        keep(sink)
        return Figure(bench: "address_decode", value: Double(count) / elapsed, unit: "decodes/s", goal: ">=500000")
    }

    /// Compact-signature recoveries (what every signed vspd request costs) and DER-signature verifications per
    /// second, each on the fixed-width Swift arithmetic and on the OpenSSL `BIGNUM` reference it replaced, measured
    /// one after the other in this run, and the speed-up of each (`…_speedup`: Swift / OpenSSL).
    public static func signatureFigures(seconds: Double = 1.0) -> [Figure] {
        // 16 seeded keys and messages, signed once before the clock starts.
        var samples: [(hash: [UInt8], compact: [UInt8], signature: ECDSASignature, publicKey: [UInt8])] = []
        for index in 0..<16 {
            let privateKey = BLAKE256.hash(Array("poolbench key \(index)".utf8))
            let hash = BLAKE256.hash(Array("poolbench message \(index)".utf8))
            guard let compact = try? CompactSignature.sign(hash: hash, privateKey: privateKey),
                  let (signature, _) = try? ECDSASignature.sign(hash: hash, privateKey: privateKey),
                  let (publicKey, _) = try? CompactSignature.recoverPublicKeyWithOpenSSL(signature: compact, hash: hash) else { continue }
            samples.append((hash, compact, signature, publicKey))
        }
        guard samples.count == 16 else { return [] }
        func rate(_ body: (Int) -> Int) -> Double {
            var next = 0, sink = 0
            let (count, elapsed) = measure(seconds: seconds, batch: 16) {
                sink &+= body(next & 15)
                next &+= 1
            }
            keep(sink)
            return Double(count) / elapsed
        }
        let recover = rate { Int((try? CompactSignature.recoverPublicKey(signature: samples[$0].compact, hash: samples[$0].hash))?.publicKey[1] ?? 0) }
        let recoverOpenSSL = rate {
            Int((try? CompactSignature.recoverPublicKeyWithOpenSSL(signature: samples[$0].compact, hash: samples[$0].hash))?.publicKey[1] ?? 0)
        }
        let verify = rate { (try? samples[$0].signature.verify(hash: samples[$0].hash, publicKey: samples[$0].publicKey)) == true ? 1 : 0 }
        let verifyOpenSSL = rate {
            (try? samples[$0].signature.verifyWithOpenSSL(hash: samples[$0].hash, publicKey: samples[$0].publicKey)) == true ? 1 : 0
        }
        return [
            Figure(bench: "compact_recover", value: recover, unit: "recoveries/s", goal: ">=10000"),
            Figure(bench: "compact_recover_openssl", value: recoverOpenSSL, unit: "recoveries/s", goal: "reference"),
            Figure(bench: "compact_recover_speedup", value: recover / recoverOpenSSL, unit: "x", goal: ">=2"),
            Figure(bench: "ecdsa_verify", value: verify, unit: "verifications/s", goal: ">=10000"),
            Figure(bench: "ecdsa_verify_openssl", value: verifyOpenSSL, unit: "verifications/s", goal: "reference"),
            Figure(bench: "ecdsa_verify_speedup", value: verify / verifyOpenSSL, unit: "x", goal: ">=2"),
        ]
    }

    /// Calls `body` in batches until `seconds` of this thread's CPU time have passed; returns (calls, CPU
    /// seconds). CPU time rather than wall time: figures are per core and stay meaningful on a busy machine.
    static func measure(seconds: Double, batch: Int = 64, _ body: () -> Void) -> (Int, Double) {
        for _ in 0..<batch { body() } // warm-up
        let start = threadCPUSeconds()
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<batch { body() }
            count += batch
            elapsed = threadCPUSeconds() - start
        } while elapsed < seconds
        return (count, elapsed)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Defeats dead-code elimination of benchmark results.
    @inline(never)
    static func keep<T>(_ value: T) { _ = value }
}

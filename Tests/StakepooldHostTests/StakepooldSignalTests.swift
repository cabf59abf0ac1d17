import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// logrotate renames stakepoold's log and sends SIGHUP: the real executable writes on in a fresh file and keeps
/// running (before, SIGHUP killed it). The daemon is held while dialling a wallet that accepts the TCP connection
/// and never answers, so the test needs no chain.
final class StakepooldSignalTests: XCTestCase {
    private var directory: URL?
    private var listener: Int32 = -1

    override func tearDown() {
        if listener >= 0 { close(listener) }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A loopback TCP listener that never accepts: the kernel completes the handshake, nothing ever answers.
    private func silentListener() throws -> Int {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(listener, raw, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func testStakepooldExecutable_sighupReopensTheLogFileAndKeepsRunning() async throws {
        let binary = try BuiltExecutable.path("stakepoold")
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "stakepoold-sighup")
        self.directory = directory
        let home = directory.path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: home + "/wallet.cert", privateKeyFile: home + "/wallet.key")
        let port = try silentListener()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--simnet", "--appdata", home, "--norpclisten", "--coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)",
            "--wallethost=127.0.0.1:\(port)", "--walletuser=u", "--walletpassword=p", "--walletcert=\(home)/wallet.cert",
            "--dcrdhost=127.0.0.1:\(port)", "--dcrduser=u", "--dcrdpassword=p", "--dcrdcert=\(home)/wallet.cert",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        let logFile = home + "/logs/simnet/stakepoold.log"
        try await assertSIGHUPReopensTheLog(of: process, logFile: logFile, readyLine: "Version \(PoolVersion.string)",
                                            daemon: "stakepoold")
    }
}

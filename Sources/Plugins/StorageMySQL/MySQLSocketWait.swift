import CMySQL
import Foundation
import Glibc
import PoolKernel
import PoolSystem
import Synchronization

/// How the MariaDB client waits for its socket (Connector/C's `MARIADB_OPT_IO_WAIT` hook): a read first polls
/// without sleeping for up to `busyPollNanoseconds`, then blocks in `poll` for the rest of the client's timeout.
///
/// Why: a look-up is a ~100 µs round trip to the server. Blocking lets the owner's core go idle, and on a VM
/// waking an idle core for the reply costs as much again; polling meanwhile keeps it awake (the server runs on
/// another core, and the polling yields between looks in case it shares this one). Writes block at once, and so
/// do reads while `maxPollers` other connections are polling already (a busy pool of writers would otherwise take
/// the cores the server needs).
enum MySQLSocketWait {
    /// One core is left for the server and the callers.
    static let maxPollers = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    private static let pollers = Atomic<Int>(0)

    /// Long enough for a loopback or LAN round trip of a single-row statement; slower replies then cost one
    /// window of CPU on top of the blocking wait.
    static let busyPollNanoseconds: UInt64 = 250_000

    /// The hook, as Connector/C calls it: `timeout` in milliseconds (≤ 0: none); returns poll()'s result
    /// (> 0 ready, 0 timed out with `errno` ETIMEDOUT, < 0 failed).
    static let hook: @convention(c) (my_socket, my_bool, Int32) -> Int32 = { socket, isRead, timeout in
        if isRead != 0 && pollBriefly(socket) { return 1 }
        var pfd = pollfd(fd: socket, events: Int16(isRead != 0 ? POLLIN : POLLOUT), revents: 0)
        var rc: Int32
        repeat { rc = poll(&pfd, 1, timeout > 0 ? timeout : -1) } while rc < 0 && errno == EINTR
        if rc == 0 { errno = ETIMEDOUT }
        return rc
    }

    /// Busy-polls for the reply unless `maxPollers` connections are at it already; whether it arrived.
    private static func pollBriefly(_ socket: my_socket) -> Bool {
        defer { pollers.subtract(1, ordering: .relaxed) }
        guard pollers.add(1, ordering: .relaxed).newValue <= maxPollers else { return false }
        return SpinWait.pollSocket(socket, events: POLLIN, for: busyPollNanoseconds)
    }

    /// Installs the hook on a handle before it connects.
    static func install(on mysql: UnsafeMutablePointer<MYSQL>) {
        mysql_options(mysql, MARIADB_OPT_IO_WAIT, unsafeBitCast(hook, to: UnsafeRawPointer.self))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about one thread of this process (`/proc/self/task/<tid>/…`): for tests that an idle
/// thread sleeps in a blocking wait and is never woken — no wall clock, no hook in the code under test.
public enum ThreadActivity {
    /// The calling thread's kernel id.
    public static func currentThreadID() -> Int32 {
        // `/proc/thread-self` links to `<pid>/task/<tid>` (Swift cannot call the variadic `syscall`).
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return link.split(separator: "/").last.flatMap { Int32($0) } ?? -1
    }

    /// The ids of this process's threads whose kernel name is `name` (`Thread.name`, at most 15 characters).
    public static func threads(named name: String) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .newlines) == name ? Int32(task) : nil
        }
    }

    /// How often the thread has been switched out so far (voluntary + involuntary): unchanged over a span means
    /// the thread did not run in it.
    public static func contextSwitches(_ thread: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8) else { return nil }
        let counts = status.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return nil }
            return line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        return counts.count == 2 ? counts.reduce(0, +) : nil
    }

    /// The system call the thread is blocked in (its number), nil while it runs or when unknown.
    public static func blockedSystemCall(_ thread: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/task/\(thread)/syscall", encoding: .utf8),
              let first = text.split(separator: " ").first else { return nil }
        return Int(first.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The numbers of the waits an idle I/O thread should sleep in: poll/ppoll, epoll_wait/epoll_pwait(2).
    public static let blockingWaitCalls: Set<Int> = {
        // Swift does not import the SYS_ macros: the numbers from the kernel's syscall tables.
        #if arch(x86_64)
        return [7 /* poll */, 271 /* ppoll */, 232 /* epoll_wait */, 281 /* epoll_pwait */, 441 /* epoll_pwait2 */]
        #else
        return [73 /* ppoll */, 22 /* epoll_pwait */, 441 /* epoll_pwait2 */]  // arm64 has only these
        #endif
    }()

    /// Waits (up to `limit`) until `thread` sleeps in one of `blockingWaitCalls`; whether it does.
    public static func waitUntilBlocked(_ thread: Int32, limit: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let call = blockedSystemCall(thread), blockingWaitCalls.contains(call) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

import Foundation

/// CPU time (user + system, all threads) a process has used, from /proc/PID/stat: on a shared machine whose load
/// average is several times its cores, a wall-clock p99 mostly measures the scheduler, while the CPU a request
/// costs stays what the code spends. Clock-tick resolution (10 ms): divide a run of many requests. -1 where /proc is
/// missing.
enum ProcessCPU {
    /// Seconds of CPU used by `pid` (this process when nil).
    static func seconds(pid: Int32? = nil) -> Double {
        let path = "/proc/\(pid.map(String.init) ?? "self")/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return -1 }
        // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

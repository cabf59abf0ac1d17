import Foundation
import PoolKernel
#if canImport(Glibc)
import Glibc
#endif

/// The load client of `poolbench vsp`: pre-built, pre-signed HTTP/1.1 requests sent over keep-alive connections,
/// one thread per connection (blocking calls only, no parsing beyond the status line and Content-Length), so its
/// own cost is small and is measured (`clientCPUSeconds`, the CPU time of its threads).
///
/// - Closed loop (`rate` nil): each connection sends its next request when the previous answer is in; latency is
///   measured from the send. At saturation this shows the throughput, but a slow answer also delays the requests
///   behind it (coordinated omission), so its percentiles understate what a steady stream of wallets would see.
/// - Open loop (`rate` set): request `i` is due at `start + i / rate`, whatever happened before; latency is measured
///   from that scheduled time, so time a request spent waiting for a free connection or a late server counts.
enum VspLoadClient {
    typealias BenchError = HTTPBenchmarks.BenchError

    struct Answer: Sendable {
        var body: [UInt8]
        var milliseconds: Double
    }

    struct Run: Sendable {
        /// In request order.
        var answers: [Answer]
        /// From the start (the first due time) to the last answer.
        var seconds: Double
        /// CPU time of the client's threads, and of the whole process (client, server and simulation) meanwhile.
        var clientCPUSeconds: Double
        var processCPUSeconds: Double

        var requestsPerSecond: Double { Double(answers.count) / max(seconds, 1e-9) }
        func percentile(_ fraction: Double) -> Double { VspLoadClient.percentile(answers.map(\.milliseconds), fraction) }
        /// Milliseconds of CPU per request outside the client's threads: the web app, storage and simulation.
        var serverCPUMillisecondsPerRequest: Double {
            (processCPUSeconds - clientCPUSeconds) * 1000 / Double(max(answers.count, 1))
        }
        var clientCPUMillisecondsPerRequest: Double { clientCPUSeconds * 1000 / Double(max(answers.count, 1)) }
    }

    /// Sends every request once over `connections` connections (closed loop, or open loop at `rate` per second).
    /// A non-200 answer fails the run.
    static func run(port: Int, connections: Int, requests: [[UInt8]], rate: Double? = nil) throws -> Run {
        struct Shared {
            var next = 0
            var answers: [Answer?]
            var failure: String?
            var clientCPU = 0.0
            var lastAnswer: UInt64 = 0
        }
        let shared = LockedValue(Shared(answers: Array(repeating: nil, count: requests.count)))
        // The connections are open before the clock starts.
        let sockets = try (0..<max(1, min(connections, requests.count))).map { _ in try HTTPBenchmarks.connectLoopback(port: port) }
        defer { sockets.forEach { close($0) } }
        let processStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
        let start = monotonicNanoseconds()
        let done = DispatchGroup()
        for fd in sockets {
            done.enter()
            Thread {
                defer { done.leave() }
                let threadStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
                defer {
                    let used = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - threadStart
                    shared.withLock { $0.clientCPU += used }
                }
                do {
                    var reader = ResponseReader(fd: fd)
                    while true {
                        let index: Int? = shared.withLock { state in
                            guard state.failure == nil, state.next < requests.count else { return nil }
                            state.next += 1
                            return state.next - 1
                        }
                        guard let index else { return }
                        var from = monotonicNanoseconds()
                        if let rate {
                            from = start + UInt64(Double(index) * 1e9 / rate)
                            sleep(until: from)
                        }
                        try HTTPBenchmarks.sendAll(fd, requests[index])
                        let (status, body) = try reader.next()
                        let end = monotonicNanoseconds()
                        guard status == 200 else {
                            throw BenchError(description: "HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))")
                        }
                        let answer = Answer(body: body, milliseconds: Double(end - min(from, end)) / 1e6)
                        shared.withLock {
                            $0.answers[index] = answer
                            $0.lastAnswer = max($0.lastAnswer, end)
                        }
                    }
                } catch {
                    shared.withLock { if $0.failure == nil { $0.failure = "\(error)" } }
                }
            }.start()
        }
        done.wait()
        let processCPU = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - processStart
        let final = shared.value
        if let failure = final.failure { throw BenchError(description: failure) }
        return Run(answers: final.answers.compactMap { $0 }, seconds: Double(final.lastAnswer - start) / 1e9,
                   clientCPUSeconds: final.clientCPU, processCPUSeconds: processCPU)
    }

    static func percentile(_ samples: [Double], _ fraction: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return -1 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Sleeps to an absolute monotonic time (at once if it has passed).
    static func sleep(until nanoseconds: UInt64) {
        var due = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nil) == EINTR {}
    }

    /// Reads Content-Length framed HTTP/1.1 responses off one keep-alive connection into one reused buffer.
    struct ResponseReader {
        let fd: Int32
        private var buffer = [UInt8](repeating: 0, count: 65_536)
        /// Bytes `start..<end` of `buffer` are read and not yet returned.
        private var start = 0
        private var end = 0

        init(fd: Int32) { self.fd = fd }

        mutating func next() throws -> (status: Int, body: [UInt8]) {
            // Offsets from `start`: `fill` may move the unread bytes to the front.
            var scanned = 0
            var headLength: Int?
            while headLength == nil {
                headLength = findHeadEnd(from: start + scanned).map { $0 - start }
                if headLength == nil {
                    scanned = max(0, end - start - 3)
                    try fill()
                }
            }
            let head = String(decoding: buffer[start..<(start + headLength!)], as: UTF8.self)
            let lines = head.split(separator: "\r\n")
            let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            let length = lines.dropFirst().lazy.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            let total = headLength! + 4 + length
            while end - start < total { try fill() }
            let body = Array(buffer[(start + headLength! + 4)..<(start + total)])
            start += total
            return (status, body)
        }

        /// The offset of the first CR LF CR LF at or after `from`.
        private func findHeadEnd(from: Int) -> Int? {
            guard end - from >= 4 else { return nil }
            return buffer.withUnsafeBufferPointer { bytes in
                var index = from
                while index + 4 <= end {
                    if bytes[index + 3] != 10 { index += bytes[index + 3] == 13 ? 1 : 4; continue }
                    if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13 { return index }
                    index += 1
                }
                return nil
            }
        }

        /// Reads more, first moving the unread bytes to the front (growing the buffer for a large answer).
        private mutating func fill() throws {
            if start > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, $0.count - end, 0) }
            guard count > 0 else { throw BenchError(description: "recv failed") }
            end += count
        }
    }
}

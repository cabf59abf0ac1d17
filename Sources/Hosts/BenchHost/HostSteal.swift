import Foundation

/// CPU time the hypervisor gave to other guests ("steal" in /proc/stat) while a benchmark ran, as a share of all
/// CPU time. On a shared VM a burst of it lowers every figure measured meanwhile; printing it tells a noisy run
/// from a slow build. Zero where /proc/stat is missing.
struct HostSteal {
    private let start: (steal: Double, total: Double)

    init() { start = Self.sample() }

    /// Stolen share of CPU time since `init`, in percent.
    var percent: Double {
        let now = Self.sample()
        let total = now.total - start.total
        return total > 0 ? 100 * (now.steal - start.steal) / total : 0
    }

    /// The aggregate `cpu` line: user nice system idle iowait irq softirq steal … (clock ticks).
    private static func sample() -> (steal: Double, total: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard ticks.count == 8 else { return (0, 0) }
        return (ticks[7], ticks.reduce(0, +))
    }
}

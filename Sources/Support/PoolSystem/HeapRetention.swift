/// How much freed memory glibc keeps for the next request instead of handing it back to the system at once.
///
/// A tickets page of 10,000 tickets allocates ~7 MB and frees it; with glibc's defaults the freed top of the heap is
/// returned on every `free` and faulted back in, page by page, by the next request (~20 % of the page's CPU). The web
/// app therefore keeps up to `trimThreshold` of freed heap and serves blocks up to `mmapThreshold` from the heap
/// rather than from a fresh mapping each time. Both are bounded: the start-up sync's replies (hundreds of MB) are
/// still mapped and unmapped on their own, and `FreedMemory.release()` still gives everything back after it.
/// An operator's own `GLIBC_TUNABLES` malloc settings are left in force.
public enum HeapRetention {
    public static let trimThreshold: Int32 = 64 << 20
    public static let mmapThreshold: Int32 = 16 << 20

    /// What `apply` decides for a process environment.
    public enum Decision: Equatable, Sendable {
        case retain
        /// `GLIBC_TUNABLES` sets glibc.malloc thresholds: the operator's choice stands.
        case leftToTunables
    }

    public static func decision(environment: [String: String]) -> Decision {
        let tunables = environment["GLIBC_TUNABLES"] ?? ""
        let ours = ["glibc.malloc.trim_threshold", "glibc.malloc.mmap_threshold"]
        return ours.contains { tunables.contains($0) } ? .leftToTunables : .retain
    }

    /// Applies the retention (process-wide: call it once, from an executable's start) and returns the sentence
    /// the host logs.
    @discardableResult
    public static func apply(environment: [String: String]) -> String {
        switch decision(environment: environment) {
        case .leftToTunables:
            return "heap: the glibc.malloc thresholds in GLIBC_TUNABLES are left in force"
        case .retain:
            // glibc's mallopt parameters M_TRIM_THRESHOLD (-1) and M_MMAP_THRESHOLD (-3); 1 means applied.
            guard let mallopt, mallopt(-1, trimThreshold) == 1, mallopt(-3, mmapThreshold) == 1 else {
                return "heap: the C library's defaults (no glibc mallopt)"
            }
            return "heap: keeps up to \(trimThreshold >> 20) MiB of freed memory for the next requests "
                + "(blocks up to \(mmapThreshold >> 20) MiB come from the heap)"
        }
    }

    /// glibc's `mallopt`, looked up at run time (Swift's Glibc module does not export malloc.h).
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt = CLibrarySymbol.function("mallopt", as: Mallopt.self)
}

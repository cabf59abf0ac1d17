/// Gives memory freed after a burst of allocations back to the system. The web app's start-up sync decodes
/// one `listscripts` reply per wallet — hundreds of MB with a million users — on several threads; glibc keeps what
/// they freed in per-thread arenas, so without this the process would stay at its start-up peak for its life.
public enum FreedMemory {
    /// glibc's `malloc_trim`, looked up at run time (Swift's Glibc module does not export malloc.h).
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim = CLibrarySymbol.function("malloc_trim", as: Trim.self)

    /// `malloc_trim(0)` where glibc provides it; a no-op elsewhere. Takes milliseconds; call it after bursts only.
    public static func release() {
        _ = trim?(0)
    }
}

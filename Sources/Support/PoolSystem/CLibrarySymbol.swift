#if canImport(Glibc)
import Glibc
#endif

/// A C library function looked up at run time: for glibc's malloc.h, which Swift's Glibc module does not export.
enum CLibrarySymbol {
    /// The function `name` of the running process as `type`, or nil where it is missing (not glibc).
    static func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }
}

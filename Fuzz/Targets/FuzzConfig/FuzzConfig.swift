// libFuzzer target: the config file and command-line loader (PoolKernel/Config: INIParser, ConfigLoader,
// PoolConfig validation). Input: the config file text, then optionally a NUL byte and command-line
// arguments one per line. The file is served by the loader's readFile closure; nothing touches the disk's
// config. Checks: only coded errors (a sentence for the operator), entries have a non-empty key without
// `=`, and line numbers rise.
import PoolKernel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let split = input.firstIndex(of: 0) ?? input.endIndex
    let file = String(decoding: input[..<split], as: UTF8.self)
    let arguments = split < input.endIndex
        ? String(decoding: input[(split + 1)...], as: UTF8.self).split(separator: "\n").map(String.init) : []

    do {
        let entries = try INIParser().parse(file, path: "/fuzz/dcrstakepool.conf")
        var previousLine = 0
        for entry in entries {
            precondition(!entry.key.isEmpty && !entry.key.contains("="), "bad key \(entry.key)")
            precondition(entry.line > previousLine, "line numbers do not rise")
            previousLine = entry.line
        }
    } catch {
        precondition(error is ConfigError, "INIParser threw \(type(of: error))")
    }

    do {
        _ = try PoolConfig.load(arguments: arguments, home: "/nonexistent-fuzz-home", plugins: PoolPlugins(),
                                readFile: { _ in file }, fileExists: { _ in false })
    } catch {
        precondition(error is any CodedError, "PoolConfig.load threw \(type(of: error)): \(error)")
    }
    return 0
}

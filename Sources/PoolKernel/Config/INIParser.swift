/// One `key=value` line of a config file.
public struct INIEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public var line: Int
}

/// Parses go-flags style INI text: `key=value` lines, `;`/`#` comments, blank lines, optional
/// `[Application Options]` section headers. Values starting with `"` are unquoted with Go string rules.
///
/// The parser only checks syntax; which keys exist is the loader's business.
public struct INIParser: Sendable {
    /// Section names accepted (besides text before any header).
    public var allowedSections: Set<String> = ["Application Options"]
    /// Upper bounds so a wrong file (a binary, a log) fails fast instead of eating memory.
    public var maxBytes = 1 << 20
    public var maxLineLength = 64 * 1024

    public init() {}

    public func parse(_ text: String, path: String) throws -> [INIEntry] {
        guard text.utf8.count <= maxBytes else {
            throw ConfigError(.unreadableFile, "\(Self.name(path)): file is larger than \(maxBytes) bytes")
        }
        var entries: [INIEntry] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let where_ = "\(Self.name(path)):\(lineNumber)"
            guard rawLine.utf8.count <= maxLineLength else {
                throw ConfigError(.badSyntax, "\(where_): line is longer than \(maxLineLength) bytes")
            }
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ConfigError(.badSyntax, "\(where_): malformed section header \(line)")
                }
                let section = String(line.dropFirst().dropLast()).trimmingWhitespace()
                guard allowedSections.contains(section) else {
                    throw ConfigError(.badSection, "\(where_): could not find option group `\(section)'")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(.badSyntax, "\(where_): expected key=value, found \"\(line)\"")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard !key.isEmpty else { throw ConfigError(.badSyntax, "\(where_): missing option name before '='") }
            if value.hasPrefix("\"") {
                guard let unquoted = GoStringLiteral.unquote(value) else {
                    throw ConfigError(.badSyntax, "\(where_): option \(key) has a malformed quoted value")
                }
                value = unquoted
            }
            entries.append(INIEntry(key: key, value: value, line: lineNumber))
        }
        return entries
    }

    static func name(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

/// Unquotes a Go interpreted string literal (`"a\tb\"c"`), the way go-flags reads quoted INI values.
enum GoStringLiteral {
    static func unquote(_ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return nil }
        var out = String.UnicodeScalarView()
        var index = 1
        let end = scalars.count - 1
        while index < end {
            let c = scalars[index]
            if c == "\"" { return nil }
            guard c == "\\" else { out.append(c); index += 1; continue }
            index += 1
            guard index < end else { return nil }
            let e = scalars[index]
            index += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "'": out.append("'")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "x", "u", "U":
                let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard index + width <= end,
                      let code = UInt32(String(String.UnicodeScalarView(scalars[index..<index + width])), radix: 16),
                      let scalar = Unicode.Scalar(code) else { return nil }
                out.append(scalar)
                index += width
            default: return nil
            }
        }
        return String(out)
    }
}

import Foundation
import PoolKernel

/// A compiled, immutable set of templates (name → tree), rendered with auto-escaping.
///
/// Names are file paths under the template directory without `.html` (`auth/signin`, `header`).
public struct TemplateSet: Sendable {
    let templates: [String: [TemplateNode]]
    /// Nested includes deeper than this are a loop.
    static let maxIncludeDepth = 16

    /// Compiles named sources. Every syntax error carries `file:line`; a missing include target is an error too.
    public init(sources: [String: String]) throws {
        var compiled: [String: [TemplateNode]] = [:]
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            var parser = TemplateParser(file: name + ".html")
            compiled[name] = try parser.parse(source)
        }
        templates = compiled
        for (name, nodes) in compiled {
            for (target, line) in TemplateSet.includes(in: nodes) where compiled[target] == nil {
                throw TemplateError(TemplateError.missing, "\(name).html:\(line): include of unknown template \"\(target)\"")
            }
        }
    }

    /// Loads every `*.html` file under `directory` (recursively).
    public static func load(directory: String) throws -> TemplateSet {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: directory) else {
            throw TemplateError(TemplateError.io, "template directory \(directory) cannot be read")
        }
        var sources: [String: String] = [:]
        for case let relative as String in enumerator where relative.hasSuffix(".html") {
            let path = directory + "/" + relative
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(TemplateError.io, "template \(path) cannot be read as UTF-8")
            }
            sources[String(relative.dropLast(5))] = text
        }
        guard !sources.isEmpty else { throw TemplateError(TemplateError.io, "no *.html templates in \(directory)") }
        return try TemplateSet(sources: sources)
    }

    public var names: [String] { templates.keys.sorted() }

    public func contains(_ name: String) -> Bool { templates[name] != nil }

    /// Renders `name` with `data` (a dictionary). Unknown names render an error comment instead of trapping.
    /// `capacity` pre-sizes the output (pass the size of large `.html` values it will contain).
    public func render(_ name: String, _ data: TemplateValue, capacity: Int = 0) -> String {
        var out = ""
        if capacity > 0 { out.reserveCapacity(capacity) }
        renderTemplate(name, scopes: [data], into: &out, depth: 0)
        return out
    }

    private func renderTemplate(_ name: String, scopes: [TemplateValue], into out: inout String, depth: Int) {
        guard depth < TemplateSet.maxIncludeDepth, let nodes = templates[name] else {
            out += "<!-- template \(HTMLEscaping.escape(name)) unavailable -->"
            return
        }
        render(nodes, scopes: scopes, into: &out, depth: depth)
    }

    private func render(_ nodes: [TemplateNode], scopes: [TemplateValue], into out: inout String, depth: Int) {
        for node in nodes {
            switch node {
            case let .text(text):
                out += text
            case let .output(expression, escaped, _):
                // Trusted markup (`.html`) is never escaped; `raw` writes any value as is.
                let value = evaluate(expression, scopes)
                if case .html = value { out += value.text } else { out += escaped ? HTMLEscaping.escape(value.text) : value.text }
            case let .conditional(branches, otherwise):
                if let branch = branches.first(where: { evaluate($0.0, scopes).isTruthy }) {
                    render(branch.1, scopes: scopes, into: &out, depth: depth)
                } else {
                    render(otherwise, scopes: scopes, into: &out, depth: depth)
                }
            case let .loop(variable, over, body, empty, _):
                let items: [TemplateValue]
                switch evaluate(over, scopes) {
                case let .list(list): items = list
                case .null: items = []
                case let other: items = [other]
                }
                if items.isEmpty { render(empty, scopes: scopes, into: &out, depth: depth); continue }
                for (index, item) in items.enumerated() {
                    let scope: TemplateValue = .dict([variable: item, variable + "_index": .int(Int64(index))])
                    render(body, scopes: scopes + [scope], into: &out, depth: depth)
                }
            case let .include(name, _):
                renderTemplate(name, scopes: scopes, into: &out, depth: depth + 1)
            }
        }
    }

    private func evaluate(_ expression: TemplateExpression, _ scopes: [TemplateValue]) -> TemplateValue {
        switch expression {
        case let .literal(value):
            return value
        case let .path(parts):
            var value: TemplateValue = .null
            for scope in scopes.reversed() {
                if case let .dict(entries) = scope, let found = entries[parts[0]] { value = found; break }
            }
            for part in parts.dropFirst() { value = value[part] }
            return value
        case let .not(inner):
            return .bool(!evaluate(inner, scopes).isTruthy)
        case let .and(a, b):
            return .bool(evaluate(a, scopes).isTruthy && evaluate(b, scopes).isTruthy)
        case let .or(a, b):
            return .bool(evaluate(a, scopes).isTruthy || evaluate(b, scopes).isTruthy)
        case let .compare(a, op, b):
            let left = evaluate(a, scopes), right = evaluate(b, scopes)
            switch op {
            case "==": return .bool(left.matches(right))
            case "!=": return .bool(!left.matches(right))
            default:
                let l = Double(left.text) ?? 0, r = Double(right.text) ?? 0
                switch op {
                case "<": return .bool(l < r)
                case ">": return .bool(l > r)
                case "<=": return .bool(l <= r)
                default: return .bool(l >= r)
                }
            }
        }
    }

    private static func includes(in nodes: [TemplateNode]) -> [(String, Int)] {
        var found: [(String, Int)] = []
        for node in nodes {
            switch node {
            case let .include(name, line): found.append((name, line))
            case let .conditional(branches, otherwise):
                for branch in branches { found += includes(in: branch.1) }
                found += includes(in: otherwise)
            case let .loop(_, _, body, empty, _): found += includes(in: body) + includes(in: empty)
            default: break
            }
        }
        return found
    }
}

/// The live template set of a running web app: loaded once, swapped atomically on reload (SIGUSR1).
/// A reload that fails keeps the old set and reports the error.
public final class TemplateLibrary: Sendable {
    public let directory: String
    private let current: LockedValue<TemplateSet>

    public init(directory: String) throws {
        self.directory = directory
        current = LockedValue(try TemplateSet.load(directory: directory))
    }

    public var templates: TemplateSet { current.value }

    /// Reloads from disk; on error the previous set stays in use and the error is thrown.
    public func reload() throws {
        let fresh = try TemplateSet.load(directory: directory)
        current.withLock { $0 = fresh }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

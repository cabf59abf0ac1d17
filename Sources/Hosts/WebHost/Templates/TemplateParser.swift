import Foundation

/// Compiles template text. Syntax (a small, Go-template-like language):
///
/// - `{{ user.email }}` writes a value, HTML-escaped; `{{ raw content }}` writes trusted markup unescaped.
/// - `{{ if expr }}…{{ else if expr }}…{{ else }}…{{ end }}`; expressions use `not`, `and`, `or`, `==`, `!=`,
///   `<`, `>`, paths (`a.b.c`, `list.count`), `"strings"`, numbers, `true`/`false`.
/// - `{{ for ticket in tickets }}…{{ else }}shown when empty{{ end }}` (inside: `ticket`, `ticket_index`).
/// - `{{ include "header" }}` renders another template with the same data.
/// - `{{/* comment */}}`. A `-` inside the braces (`{{-`, `-}}`) trims the whitespace on that side.
struct TemplateParser {
    let file: String
    private var tokens: [Token] = []
    private var position = 0

    private enum Token {
        case text(String)
        case action(String, line: Int)
    }

    init(file: String) { self.file = file }

    mutating func parse(_ source: String) throws -> [TemplateNode] {
        tokens = try tokenize(source)
        position = 0
        let (nodes, terminator) = try parseBlock()
        if let terminator { throw error(terminator.line, "unexpected {{ \(terminator.keyword) }}") }
        return nodes
    }

    // MARK: - Tokens

    private func tokenize(_ source: String) throws -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(source)
        var line = 1
        var trimNextText = false
        while !rest.isEmpty {
            guard let open = rest.range(of: "{{") else {
                tokens.append(.text(trimNextText ? String(rest.drop(while: \.isWhitespace)) : String(rest)))
                break
            }
            var text = rest[..<open.lowerBound]
            if trimNextText { text = text.drop(while: \.isWhitespace) }
            line += rest[..<open.lowerBound].filter { $0 == "\n" }.count
            rest = rest[open.upperBound...]
            var trimLeft = false
            if rest.hasPrefix("-") { trimLeft = true; rest = rest.dropFirst() }
            guard let close = rest.range(of: "}}") else { throw error(line, "{{ without a closing }}") }
            var body = rest[..<close.lowerBound]
            trimNextText = body.hasSuffix("-")
            if trimNextText { body = body.dropLast() }
            if trimLeft { while let last = text.last, last.isWhitespace { text = text.dropLast() } }
            if !text.isEmpty { tokens.append(.text(String(text))) }
            let actionLine = line
            line += body.filter { $0 == "\n" }.count
            rest = rest[close.upperBound...]
            let trimmed = body.trimmingWhitespace()
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else { throw error(actionLine, "unterminated comment") }
                continue
            }
            tokens.append(.action(trimmed, line: actionLine))
        }
        return tokens
    }

    // MARK: - Blocks

    private struct Terminator {
        var keyword: String  // "end", "else", "else if"
        var condition: String
        var line: Int
    }

    private mutating func parseBlock() throws -> ([TemplateNode], Terminator?) {
        var nodes: [TemplateNode] = []
        while position < tokens.count {
            let token = tokens[position]
            position += 1
            switch token {
            case let .text(text):
                nodes.append(.text(text))
            case let .action(action, line):
                let (keyword, argument) = split(action)
                switch keyword {
                case "end":
                    return (nodes, Terminator(keyword: "end", condition: "", line: line))
                case "else":
                    if argument.hasPrefix("if ") || argument == "if" {
                        return (nodes, Terminator(keyword: "else if", condition: String(argument.dropFirst(2)), line: line))
                    }
                    guard argument.isEmpty else { throw error(line, "unexpected text after else") }
                    return (nodes, Terminator(keyword: "else", condition: "", line: line))
                case "if":
                    nodes.append(try parseIf(argument, line: line))
                case "for":
                    nodes.append(try parseFor(argument, line: line))
                case "include":
                    guard case let .literal(.string(name)) = try parseExpression(argument, line: line) else {
                        throw error(line, "include needs a quoted template name")
                    }
                    nodes.append(.include(name: name, line: line))
                case "raw":
                    nodes.append(.output(try parseExpression(argument, line: line), escaped: false, line: line))
                default:
                    nodes.append(.output(try parseExpression(action, line: line), escaped: true, line: line))
                }
            }
        }
        return (nodes, nil)
    }

    private mutating func parseIf(_ condition: String, line: Int) throws -> TemplateNode {
        var branches: [(TemplateExpression, [TemplateNode])] = []
        var current = try parseExpression(condition, line: line)
        while true {
            let (body, terminator) = try parseBlock()
            guard let terminator else { throw error(line, "{{ if }} without {{ end }}") }
            branches.append((current, body))
            switch terminator.keyword {
            case "end":
                return .conditional(branches: branches, otherwise: [])
            case "else if":
                current = try parseExpression(terminator.condition, line: terminator.line)
            default:
                let (otherwise, end) = try parseBlock()
                guard end?.keyword == "end" else { throw error(line, "{{ if }}…{{ else }} without {{ end }}") }
                return .conditional(branches: branches, otherwise: otherwise)
            }
        }
    }

    private mutating func parseFor(_ argument: String, line: Int) throws -> TemplateNode {
        let parts = argument.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, parts[1] == "in", parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw error(line, "expected {{ for name in expression }}")
        }
        let over = try parseExpression(String(parts[2]), line: line)
        let (body, terminator) = try parseBlock()
        guard let terminator else { throw error(line, "{{ for }} without {{ end }}") }
        var empty: [TemplateNode] = []
        if terminator.keyword == "else" {
            let (elseBody, end) = try parseBlock()
            guard end?.keyword == "end" else { throw error(line, "{{ for }}…{{ else }} without {{ end }}") }
            empty = elseBody
        } else if terminator.keyword != "end" {
            throw error(terminator.line, "unexpected {{ else if }} in a for loop")
        }
        return .loop(variable: String(parts[0]), over: over, body: body, empty: empty, line: line)
    }

    private func split(_ action: String) -> (String, String) {
        guard let space = action.firstIndex(of: " ") else { return (action, "") }
        return (String(action[..<space]), action[action.index(after: space)...].trimmingWhitespace())
    }

    // MARK: - Expressions

    private func parseExpression(_ text: String, line: Int) throws -> TemplateExpression {
        var lexer = ExpressionLexer(text: text)
        let words = try lexer.all().map { $0 }
        guard !words.isEmpty else { throw error(line, "empty expression") }
        var index = 0
        let expression = try parseOr(words, &index, line: line)
        guard index == words.count else { throw error(line, "unexpected \"\(words[index].text)\" in expression \"\(text)\"") }
        return expression
    }

    private func parseOr(_ words: [ExpressionLexer.Word], _ index: inout Int, line: Int) throws -> TemplateExpression {
        var left = try parseAnd(words, &index, line: line)
        while index < words.count, words[index].text == "or", !words[index].quoted {
            index += 1
            left = .or(left, try parseAnd(words, &index, line: line))
        }
        return left
    }

    private func parseAnd(_ words: [ExpressionLexer.Word], _ index: inout Int, line: Int) throws -> TemplateExpression {
        var left = try parseNot(words, &index, line: line)
        while index < words.count, words[index].text == "and", !words[index].quoted {
            index += 1
            left = .and(left, try parseNot(words, &index, line: line))
        }
        return left
    }

    private func parseNot(_ words: [ExpressionLexer.Word], _ index: inout Int, line: Int) throws -> TemplateExpression {
        if index < words.count, words[index].text == "not", !words[index].quoted {
            index += 1
            return .not(try parseNot(words, &index, line: line))
        }
        let left = try parseAtom(words, &index, line: line)
        if index < words.count, !words[index].quoted, ["==", "!=", "<", ">", "<=", ">="].contains(words[index].text) {
            let op = words[index].text
            index += 1
            return .compare(left, op, try parseAtom(words, &index, line: line))
        }
        return left
    }

    private func parseAtom(_ words: [ExpressionLexer.Word], _ index: inout Int, line: Int) throws -> TemplateExpression {
        guard index < words.count else { throw error(line, "expression ends too early") }
        let word = words[index]
        index += 1
        if word.quoted { return .literal(.string(word.text)) }
        switch word.text {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null", "nil": return .literal(.null)
        default: break
        }
        if let number = Int64(word.text) { return .literal(.int(number)) }
        if let number = Double(word.text) { return .literal(.double(number)) }
        let parts = word.text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
            throw error(line, "\"\(word.text)\" is not a name, string or number")
        }
        return .path(parts)
    }

    private func error(_ line: Int, _ message: String) -> TemplateError {
        TemplateError(TemplateError.syntax, "\(file):\(line): \(message)")
    }
}

/// Splits an expression into words: quoted strings (with `\"` escapes) and runs of other characters.
struct ExpressionLexer {
    struct Word { var text: String; var quoted: Bool }
    let text: String

    mutating func all() throws -> [Word] {
        var words: [Word] = []
        var iterator = text.makeIterator()
        var current = ""
        func flush() { if !current.isEmpty { words.append(Word(text: current, quoted: false)); current = "" } }
        while let char = iterator.next() {
            if char == "\"" {
                flush()
                var literal = ""
                var closed = false
                while let next = iterator.next() {
                    if next == "\\" { if let escaped = iterator.next() { literal.append(escaped) }; continue }
                    if next == "\"" { closed = true; break }
                    literal.append(next)
                }
                guard closed else { throw TemplateError(TemplateError.syntax, "unterminated string in \"\(text)\"") }
                words.append(Word(text: literal, quoted: true))
            } else if char.isWhitespace {
                flush()
            } else {
                current.append(char)
            }
        }
        flush()
        return words
    }
}

import PoolKernel

/// The compiled form of a template: a tree of nodes.
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(TemplateExpression, escaped: Bool, line: Int)
    case conditional(branches: [(TemplateExpression, [TemplateNode])], otherwise: [TemplateNode])
    case loop(variable: String, over: TemplateExpression, body: [TemplateNode], empty: [TemplateNode], line: Int)
    case include(name: String, line: Int)
}

indirect enum TemplateExpression: Sendable {
    case path([String])
    case literal(TemplateValue)
    case not(TemplateExpression)
    case and(TemplateExpression, TemplateExpression)
    case or(TemplateExpression, TemplateExpression)
    case compare(TemplateExpression, String, TemplateExpression)
}

/// A template mistake, reported with `file:line` when the templates are loaded (never mid-request).
public struct TemplateError: CodedError {
    public let code: ErrorCode
    public let message: String
    public var codeName: String { code.rawValue }

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    static let syntax: ErrorCode = "template-syntax"
    static let missing: ErrorCode = "template-missing"
    static let io: ErrorCode = "template-io"
    static let recursion: ErrorCode = "template-recursion"
}



/// The fields a vspd API v3 request may carry (spec §5), as decoded from its raw JSON body.
public struct VspRequest: Sendable, Equatable {
    public var timestamp: Int64 = 0
    public var ticketHash = ""
    public var ticketHex = ""
    public var parentHex = ""
    public var feeTx = ""
    public var votingKey = ""
    public var altSignAddress = ""
    /// nil: absent or `null` (Go's nil map); `[:]`: `{}`.
    public var voteChoices: [String: String]?
    public var tSpendPolicy: [String: String]?
    public var treasuryPolicy: [String: String]?

    public init() {}

    /// One field: its JSON key, its Go name and type.
    public enum Field: String, Sendable, CaseIterable {
        case timestamp, ticketHash, ticketHex, parentHex, feeTx, votingKey, voteChoices, tSpendPolicy, treasuryPolicy,
             altSignAddress

        var jsonKey: String { rawValue.lowercased() }
        /// The Go field name binding messages use.
        var goName: String {
            switch self {
            case .tSpendPolicy: "TSpendPolicy"
            default: rawValue.prefix(1).uppercased() + rawValue.dropFirst()
            }
        }

        enum Kind { case int64, string, map }
        var kind: Kind {
            switch self {
            case .timestamp: .int64
            case .voteChoices, .tSpendPolicy, .treasuryPolicy: .map
            default: .string
            }
        }
    }

    /// A request struct of vspd: its Go name (nil for the middlewares' anonymous structs) and its fields in
    /// declaration order with their `binding` rules.
    public struct Shape: Sendable {
        public struct Rule: Sendable {
            let field: Field
            let required: Bool
            /// `max=3`: a map with more than 3 entries fails.
            let maxThree: Bool
        }

        let name: String?
        let rules: [Rule]

        init(_ name: String?, required: [Field], optionalMaxThree: [Field] = []) {
            self.name = name
            self.rules = required.map { Rule(field: $0, required: true, maxThree: false) }
                + optionalMaxThree.map { Rule(field: $0, required: false, maxThree: true) }
        }

        public static let feeAddress = Shape("FeeAddressRequest", required: [.timestamp, .ticketHash, .ticketHex, .parentHex])
        public static let payFee = Shape("PayFeeRequest",
                                         required: [.timestamp, .ticketHash, .feeTx, .votingKey, .voteChoices],
                                         optionalMaxThree: [.tSpendPolicy, .treasuryPolicy])
        public static let setVoteChoices = Shape("SetVoteChoicesRequest", required: [.timestamp, .ticketHash, .voteChoices],
                                                 optionalMaxThree: [.tSpendPolicy, .treasuryPolicy])
        public static let ticketStatus = Shape("TicketStatusRequest", required: [.ticketHash])
        public static let setAltSignAddr = Shape("SetAltSignAddrRequest",
                                                 required: [.timestamp, .ticketHash, .ticketHex, .parentHex, .altSignAddress])
        /// The auth middleware's anonymous struct.
        public static let auth = Shape(nil, required: [.ticketHash])
        /// The broadcast-ticket middleware's anonymous struct.
        public static let broadcastTicket = Shape(nil, required: [.ticketHex, .ticketHash, .parentHex])
    }

    /// Decodes `body` as gin's `ShouldBindJSON` into `shape` (spec §1.3): Go's JSON decoding of the first value,
    /// then the binding rules. Every failure is `E(0)` with the decoder's or the validator's text.
    public static func decode(_ body: [UInt8], as shape: Shape) throws -> VspRequest {
        let request: VspRequest
        do {
            var decoder = GoJSONDecoder(body)
            request = try decoder.decode(shape)
        } catch let failure as GoJSONDecoder.Failure {
            throw VspAPIError(.badRequest, failure.text)
        } catch {
            throw VspAPIError(.badRequest, "\(error)")
        }
        try request.validate(shape)
        return request
    }

    func validate(_ shape: Shape) throws {
        var lines: [String] = []
        for rule in shape.rules {
            let key = shape.name.map { "\($0).\(rule.field.goName)" } ?? rule.field.goName
            let line = { (tag: String) in
                "Key: '\(key)' Error:Field validation for '\(rule.field.goName)' failed on the '\(tag)' tag"
            }
            if rule.required && isZero(rule.field) {
                lines.append(line("required"))
            } else if rule.maxThree, let map = map(rule.field), map.count > 3 {
                lines.append(line("max"))
            }
        }
        if !lines.isEmpty { throw VspAPIError(.badRequest, lines.joined(separator: "\n")) }
    }

    private func isZero(_ field: Field) -> Bool {
        switch field.kind {
        case .int64: timestamp == 0
        case .string: string(field).isEmpty
        case .map: map(field) == nil
        }
    }

    func string(_ field: Field) -> String {
        switch field {
        case .ticketHash: ticketHash
        case .ticketHex: ticketHex
        case .parentHex: parentHex
        case .feeTx: feeTx
        case .votingKey: votingKey
        case .altSignAddress: altSignAddress
        default: ""
        }
    }

    func map(_ field: Field) -> [String: String]? {
        switch field {
        case .voteChoices: voteChoices
        case .tSpendPolicy: tSpendPolicy
        case .treasuryPolicy: treasuryPolicy
        default: nil
        }
    }

    mutating func set(_ field: Field, string value: String) {
        switch field {
        case .ticketHash: ticketHash = value
        case .ticketHex: ticketHex = value
        case .parentHex: parentHex = value
        case .feeTx: feeTx = value
        case .votingKey: votingKey = value
        case .altSignAddress: altSignAddress = value
        default: break
        }
    }

    mutating func set(_ field: Field, map value: [String: String]?) {
        switch field {
        case .voteChoices: voteChoices = value
        case .tSpendPolicy: tSpendPolicy = value
        case .treasuryPolicy: treasuryPolicy = value
        default: break
        }
    }
}

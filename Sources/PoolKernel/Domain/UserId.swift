/// A user's id: the `Users.UserId` primary key, also the HD child index of the user's ticket and fee addresses.
/// Ids start at 1 and are assigned by the storage backend.
public struct UserId: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public init(integerLiteral value: Int64) { rawValue = value }
    public var description: String { String(rawValue) }
    public static func < (lhs: UserId, rhs: UserId) -> Bool { lhs.rawValue < rhs.rawValue }
}

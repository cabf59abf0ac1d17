import PoolKernel
import PoolNet

/// Writes `listscripts`' result (`{"scripts":[{"hash160":…,"address":…,"redeemscript":…},…]}`) straight into
/// bytes, the same bytes as `WalletWire.json(_: [ImportedScript]).encoded()`: a million scripts are ~260 MB of
/// JSON, and a `JSONValue` tree of them (a million objects, three strings each) cost simwallet seconds and
/// gigabytes before the first byte went out.
public struct ScriptListJSONWriter {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private var bytes: [UInt8]
    private var count = 0

    /// `expectedScripts` sizes the buffer up front (~260 bytes a script), so it is not copied as it grows.
    public init(expectedScripts: Int = 0) {
        bytes = []
        bytes.reserveCapacity(32 + expectedScripts * 270)
        bytes.append(contentsOf: #"{"scripts":["#.utf8)
    }

    /// A script as the wallet holds it: hash160 and redeem script as bytes (written as lowercase hex).
    public mutating func append(hash160: [UInt8], address: String, redeemScript: [UInt8]) {
        beginEntry()
        appendHex(hash160)
        bytes.append(contentsOf: #"","address":"#.utf8)
        JSONValue.appendString(address, to: &bytes)
        bytes.append(contentsOf: #","redeemscript":""#.utf8)
        appendHex(redeemScript)
        bytes.append(contentsOf: #""}"#.utf8)
    }

    /// A script given as strings (any `WalletBackend`'s `listScripts`).
    public mutating func append(_ script: ImportedScript) {
        beginEntry()
        bytes.removeLast() // each string is written quoted and escaped by `appendString`
        JSONValue.appendString(script.hash160, to: &bytes)
        bytes.append(contentsOf: #","address":"#.utf8)
        JSONValue.appendString(script.address, to: &bytes)
        bytes.append(contentsOf: #","redeemscript":"#.utf8)
        JSONValue.appendString(script.redeemScript, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The finished result, ready for `JSONRPCServer.registerRaw`.
    public consuming func finish() -> RawJSON {
        bytes.append(contentsOf: "]}".utf8)
        return RawJSON(bytes: bytes, range: bytes.indices)
    }

    /// Opens an entry up to the opening quote of its hash160's value.
    private mutating func beginEntry() {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        bytes.append(contentsOf: #"{"hash160":""#.utf8)
    }

    private mutating func appendHex(_ value: [UInt8]) {
        for byte in value {
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 15)])
        }
    }
}

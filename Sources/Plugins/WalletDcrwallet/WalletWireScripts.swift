import PoolKernel
import PoolNet

/// `listscripts` read straight from the reply's bytes: a million users' scripts are ~260 MB of JSON, and a
/// `JSONValue` tree of them would cost about twice that again. Same rules as `scripts(from:)`: `scripts` absent or
/// null is empty, `hash160`/`address` may be absent or null, `redeemscript` is required; anything else is
/// `walletBadResponse`.
extension WalletWire {
    public static func scripts(from raw: RawJSON) throws -> [ImportedScript] {
        var scripts: [ImportedScript] = []
        try forEachScript(in: raw) { reader in scripts.append(try entry(&reader)) }
        return scripts
    }

    /// The redeem scripts alone, hex decoded into a `ScriptSet` as they are read: no `String` per script, so the
    /// reply's bytes and the set are all a million users' scripts cost. A redeem script that is not hex, or that
    /// appears twice in one entry, is `walletBadResponse`.
    public static func scriptSet(from raw: RawJSON) throws -> ScriptSet {
        // A script is at most half its hex and an entry at least `{"redeemscript":""}`: bounds from above.
        var set = ScriptSet(reservingScripts: raw.range.count / 19, bytes: raw.range.count / 2)
        try forEachScript(in: raw) { reader in
            let context = "listscripts entry"
            guard try reader.peekIsObject() else { throw WireFields.bad(context, "result is not an object") }
            try reader.beginObject()
            var seen = false
            while let key = try reader.nextKey() {
                switch key {
                case "hash160", "address":
                    guard try reader.peekIsNull() || reader.peekIsString() else {
                        throw WireFields.bad(context, "\(key) is not a string")
                    }
                    try reader.skip()
                case "redeemscript":
                    guard try reader.peekIsString() else { throw WireFields.bad(context, "redeemscript is not a string") }
                    guard !seen else { throw WireFields.bad(context, "redeemscript appears twice") }
                    seen = true
                    guard try reader.stringBytes({ set.insert(hex: $0) }) != nil else {
                        throw WireFields.bad(context, "redeemscript is not hex")
                    }
                default: try reader.skip()
                }
            }
            guard seen else { throw WireFields.bad(context, "missing field redeemscript") }
        }
        return set
    }

    /// Walks the reply's `scripts` array, handing `body` a reader at each entry (which it must read whole).
    private static func forEachScript(in raw: RawJSON, _ body: (inout JSONReader) throws -> Void) throws {
        do {
            try raw.read { reader in
                guard try reader.peekIsObject() else { throw WireFields.bad("listscripts", "result is not an object") }
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    guard key == "scripts" else { try reader.skip(); continue }
                    if try reader.peekIsNull() { try reader.skip(); continue }
                    guard try reader.peekIsArray() else { throw WireFields.bad("listscripts", "scripts is not an array") }
                    try reader.beginArray()
                    while try reader.nextElement() { try body(&reader) }
                }
            }
        } catch let error as NetError {
            throw WireFields.bad("listscripts", error.message)
        }
    }

    private static func entry(_ reader: inout JSONReader) throws -> ImportedScript {
        let context = "listscripts entry"
        guard try reader.peekIsObject() else { throw WireFields.bad(context, "result is not an object") }
        try reader.beginObject()
        var hash160 = "", address = "", redeemScript: String?
        while let key = try reader.nextKey() {
            switch key {
            case "hash160", "address", "redeemscript":
                let value = try reader.value()
                if value.isNull, key != "redeemscript" { continue }
                guard let text = value.stringValue else { throw WireFields.bad(context, "\(key) is not a string") }
                switch key {
                case "hash160": hash160 = text
                case "address": address = text
                default: redeemScript = text
                }
            default: try reader.skip()
            }
        }
        guard let redeemScript else { throw WireFields.bad(context, "missing field redeemscript") }
        return ImportedScript(hash160: hash160, address: address, redeemScript: redeemScript)
    }
}

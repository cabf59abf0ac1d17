/// The on-disk JSON shape of network parameters (`"format": "hxstakepool-netparams-1"`), validated into
/// `NetParams`. Byte strings (address IDs, HD IDs, net magic) are hex; vote versions are object keys.
struct NetParamsFile: Decodable {
    static let formatName = "hxstakepool-netparams-1"

    struct AddressIDs: Decodable {
        var pubKey: String
        var pubKeyHash: String
        var pubKeyHashEd25519: String
        var pubKeyHashSchnorr: String
        var scriptHash: String
        var privateKey: String
    }

    struct HDKeyIDs: Decodable {
        var `private`: String
        var `public`: String
    }

    struct CoinTypes: Decodable {
        var slip44: UInt32
        var legacy: UInt32
    }

    var format: String
    var name: String
    var displayName: String?
    var shortName: String?
    var dataDirName: String?
    var netMagic: String
    var ports: NetParams.Ports
    var addressPrefix: String
    var addressIDs: AddressIDs
    var hdKeyIDs: HDKeyIDs
    var coinTypes: CoinTypes
    var targetTimePerBlockSeconds: Int
    var tickets: NetParams.TicketParams
    var genesisHash: String
    var voteVersions: [String: [Agenda]]
    var subsidy: NetParams.Subsidy?

    func validated(origin: String) throws -> NetParams {
        func fail(_ what: String) -> ChainError { ChainError(.badNetParams, "\(origin): \(what).") }
        guard format == Self.formatName else { throw fail("format must be \"\(Self.formatName)\"") }
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail("name must be 1-64 letters, digits, '-' or '_'")
        }
        func bytes(_ hex: String, _ count: Int, _ field: String) throws -> [UInt8] {
            guard let value = try? Hex.decode(hex), value.count == count else {
                throw fail("\(field) must be \(count) bytes of hex")
            }
            return value
        }
        func id16(_ hex: String, _ field: String) throws -> UInt16 {
            let b = try bytes(hex, 2, "addressIDs.\(field)")
            return UInt16(b[0]) << 8 | UInt16(b[1])
        }
        func id32(_ hex: String, _ field: String) throws -> UInt32 {
            try bytes(hex, 4, field).reduce(0) { $0 << 8 | UInt32($1) }
        }
        let ids = NetParams.AddressIDs(
            pubKey: try id16(addressIDs.pubKey, "pubKey"),
            pubKeyHash: try id16(addressIDs.pubKeyHash, "pubKeyHash"),
            pubKeyHashEd25519: try id16(addressIDs.pubKeyHashEd25519, "pubKeyHashEd25519"),
            pubKeyHashSchnorr: try id16(addressIDs.pubKeyHashSchnorr, "pubKeyHashSchnorr"),
            scriptHash: try id16(addressIDs.scriptHash, "scriptHash"),
            privateKey: try id16(addressIDs.privateKey, "privateKey"))
        let all = [ids.pubKey, ids.pubKeyHash, ids.pubKeyHashEd25519, ids.pubKeyHashSchnorr, ids.scriptHash, ids.privateKey]
        guard Set(all).count == all.count else { throw fail("addressIDs must all differ") }
        let hd = NetParams.HDKeyIDs(private: try id32(hdKeyIDs.private, "hdKeyIDs.private"),
                                    public: try id32(hdKeyIDs.public, "hdKeyIDs.public"))
        guard hd.private != hd.public else { throw fail("hdKeyIDs.private and hdKeyIDs.public must differ") }
        let magic = try id32(netMagic, "netMagic")
        for (field, port) in [("peer", ports.peer), ("nodeRPC", ports.nodeRPC), ("walletRPC", ports.walletRPC),
                              ("stakepoold", ports.stakepoold)] where !(1...65535).contains(port) {
            throw fail("ports.\(field) must be 1-65535")
        }
        guard addressPrefix.count == 1 else { throw fail("addressPrefix must be one character") }
        guard targetTimePerBlockSeconds > 0 else { throw fail("targetTimePerBlockSeconds must be positive") }
        guard tickets.maturity >= 0, tickets.expiry > 0, tickets.perBlock > 0, tickets.poolSize > 0 else {
            throw fail("tickets.maturity/expiry/perBlock/poolSize must be positive")
        }
        if let subsidy {
            guard subsidy.baseSubsidy > 0, subsidy.mulSubsidy > 0, subsidy.divSubsidy > 0, subsidy.reductionInterval > 0,
                  subsidy.workProportion >= 0, subsidy.stakeProportion > 0, subsidy.taxProportion >= 0,
                  subsidy.blockOneSubsidy >= 0 else {
                throw fail("subsidy amounts, divisors and the stake proportion must be positive")
            }
        }
        guard (try? bytes(genesisHash, 32, "genesisHash")) != nil else { throw fail("genesisHash must be 32 bytes of hex") }

        var versions: [UInt32: [Agenda]] = [:]
        for (key, agendas) in voteVersions {
            guard let version = UInt32(key) else { throw fail("voteVersions key \"\(key)\" is not a version number") }
            var usedMask: UInt16 = 1
            var ids = Set<String>()
            for agenda in agendas {
                let at = "voteVersions.\(key).\(agenda.id)"
                guard !agenda.id.isEmpty, ids.insert(agenda.id).inserted else { throw fail("\(at): agenda ids must be unique and non-empty") }
                guard agenda.mask != 0, agenda.mask & usedMask == 0 else {
                    throw fail("\(at): mask must be non-zero, must not include bit 0, and must not overlap another agenda")
                }
                usedMask |= agenda.mask
                guard !agenda.choices.isEmpty else { throw fail("\(at): needs at least one choice") }
                var choiceIDs = Set<String>(), choiceBits = Set<UInt16>()
                for choice in agenda.choices {
                    guard choice.bits & ~agenda.mask == 0 else { throw fail("\(at).\(choice.id): bits lie outside the mask") }
                    guard choiceIDs.insert(choice.id).inserted, choiceBits.insert(choice.bits).inserted else {
                        throw fail("\(at): choice ids and bits must be unique")
                    }
                }
                if let forced = agenda.forcedChoice, !choiceIDs.contains(forced) {
                    throw fail("\(at): forcedChoice \(forced) is not one of its choices")
                }
            }
            versions[version] = agendas
        }

        return NetParams(
            name: name, displayName: displayName ?? name,
            shortName: shortName ?? (name.hasPrefix("testnet") ? "testnet" : name),
            dataDirName: dataDirName ?? name, netMagic: magic, ports: ports, addressPrefix: addressPrefix,
            addressIDs: ids, hdKeyIDs: hd, slip44CoinType: coinTypes.slip44, legacyCoinType: coinTypes.legacy,
            targetTimePerBlockSeconds: targetTimePerBlockSeconds, tickets: tickets,
            genesisHash: genesisHash.lowercased(), voteVersions: versions, subsidy: subsidy)
    }
}

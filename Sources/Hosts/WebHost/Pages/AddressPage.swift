import Foundation
import PoolKernel

/// Public key address submission (spec §3.18–§3.19, §6).
extension Pages {
    func address(_ context: inout PageContext) async -> PageOutcome {
        let ids = configuration.addressIDs
        return .page(template: "address", title: "Decred Stake Pool - Address", flag: "IsAddress", data: [
            "Network": .string(configuration.shortNetwork),
            "NetworkFlag": .string(configuration.shortNetwork == "mainnet" ? "" : "--\(configuration.shortNetwork) "),
            "PubKeyPrefix": .string(Self.addressPrefix(version: ids.pubKey, payloadBytes: 33)),
            "PubKeyHashPrefix": .string(Self.addressPrefix(version: ids.pubKeyHash, payloadBytes: 20)),
            "ScriptHashPrefix": .string(Self.addressPrefix(version: ids.scriptHash, payloadBytes: 20)),
            "Flash": Self.list(context.session.takeFlashes("address")),
            // A refused address stays in the box so it can be corrected.
            "Address": .string(Self.keptText(context.form["UserPubKeyAddr"])),
        ])
    }

    /// The two characters every address of this version starts with (`Dk`, `Tk`, `Sk` for public keys):
    /// the version bytes fix them whatever the payload.
    static func addressPrefix(version: UInt16, payloadBytes: Int) -> String {
        String(Base58Check.encode(version: version, payload: [UInt8](repeating: 0x02, count: payloadBytes)).prefix(2))
    }

    func addressPost(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        // A pasted address often brings spaces or a line break along.
        let address = (context.form["UserPubKeyAddr"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !user.userPubKeyAddr.isEmpty {
            context.session.flash("address", [RegistrationError.alreadySubmitted.message])
            return await self.address(&context)
        }
        if wallets.isStopped { return .redirect("/error") }
        do {
            let updated = try await registrar.register(userID: user.id, pubKeyAddress: address)
            context.user = updated
            await userChanged(user.id)
            return .redirect("/tickets")
        } catch {
            let refusal = RegistrationError.refusal(for: error)
            logger.warn("address submission refused: \(refusal.codeName) \(refusal.detail)")
            if refusal.redirectsToErrorPage { return .redirect("/error") }
            context.session.flash("address", [refusal.message])
        }
        return await self.address(&context)
    }
}

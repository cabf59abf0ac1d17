import PoolKernel

/// Public key address submission (spec §3.18–§3.19, §6).
extension Pages {
    func address(_ context: inout PageContext) async -> PageOutcome {
        .page(template: "address", title: "Decred Stake Pool - Address", flag: "IsAddress", data: [
            "Network": .string(configuration.shortNetwork),
            "IsTestnet": .bool(configuration.shortNetwork == "testnet"),
            "Flash": Self.list(context.session.takeFlashes("address")),
        ])
    }

    func addressPost(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        let address = context.form["UserPubKeyAddr"] ?? ""
        if !user.userPubKeyAddr.isEmpty {
            context.session.flash("address", ["Stake pool is currently limited to one address per account"])
            return await self.address(&context)
        }
        if wallets.isStopped { return .redirect("/error") }
        do {
            let updated = try await registrar.register(userID: user.id, pubKeyAddress: address)
            context.user = updated
            await userChanged(user.id)
            return .redirect("/tickets")
        } catch let error as RegistrationError {
            if error.redirectsToErrorPage { return .redirect("/error") }
            logger.warn("address submission refused: \(error.codeName) \(error.detail)")
            context.session.flash("address", [error.message])
        } catch {
            guard let message = Self.addressMessages[(error as? any CodedError)?.codeName ?? ""] else {
                logger.error("address submission failed: \(error)")
                return .redirect("/error")
            }
            context.session.flash("address", [message])
        }
        return await self.address(&context)
    }

    /// Flash texts of the registrar's address refusals (codes of `AddressRegistrationError`/`ChainError`).
    static let addressMessages: [String: String] = [
        ErrorCode.addressAlreadySubmitted.rawValue: "Stake pool is currently limited to one address per account",
        ErrorCode.addressTooShort.rawValue: "Address is too short",
        ErrorCode.addressTooLong.rawValue: "Address is too long",
        ErrorCode.undecodableAddress.rawValue: "Couldn't decode address",
        ErrorCode.incorrectAddressType.rawValue: "Incorrect address type",
        ErrorCode.wrongNetwork.rawValue: "Address is for the wrong network",
    ]
}

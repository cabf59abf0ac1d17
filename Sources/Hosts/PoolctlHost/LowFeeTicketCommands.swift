import Foundation
import PoolKernel

/// `poolctl tickets lowfee list|add <hash>`: the tickets stakepoold skipped for paying too little pool fee
/// (from `<datadir>/lowfeetickets.json`) and the operator's list of tickets to vote anyway (storage).
/// stakepoold picks additions up on its next prefs reload (control API update or restart).
public enum LowFeeTicketCommands {
    /// Runs the subcommand in `arguments` (`["list"]` or `["add", hash]`); returns the exit code.
    public static func run(_ arguments: [String], storage: any StorageBackend, dataDirectory: String?,
                           output: (String) -> Void, errors: (String) -> Void) async -> Int32 {
        do {
            switch arguments.first {
            case "list":
                let added = Set(try await storage.read { try $0.lowFeeTickets() })
                let detected = try dataDirectory.map { try LowFeeTickets.readDetected(directory: $0) } ?? []
                output("ticket\tmultisigaddress\theight\trequired_atoms\tcommitted_atoms\tstatus")
                for entry in detected {
                    output("\(entry.ticket)\t\(entry.multiSigAddress)\t\(entry.height)\t\(entry.requiredAtoms)\t"
                           + "\(entry.committedAtoms)\t\(added.contains(entry.ticket) ? "added" : "skipped")")
                }
                for hash in added.sorted() where !detected.contains(where: { $0.ticket == hash }) {
                    output("\(hash)\t-\t-\t-\t-\tadded")
                }
                return 0
            case "add":
                guard arguments.count == 2, let hash = TicketHash(hex: arguments[1]) else {
                    errors("usage: poolctl tickets lowfee add <64-hex ticket hash>")
                    return 2
                }
                let isNew = try await storage.write { try $0.addLowFeeTicket(hash: hash.hex) }
                output(isNew ? "added \(hash.hex); stakepoold votes it after its next prefs reload"
                             : "\(hash.hex) was already added")
                return 0
            default:
                errors("usage: poolctl tickets lowfee list | add <hash>")
                return 2
            }
        } catch {
            errors("poolctl: \(error)")
            return 1
        }
    }
}

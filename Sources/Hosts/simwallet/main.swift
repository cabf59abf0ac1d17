// simwallet: the simulated simnet node + voting wallets over real JSON-RPC. Logic lives in SimnetHost.
import Foundation
import SimnetHost

exit(await SimwalletMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

// simwallet: the simulated simnet node + voting wallets over real JSON-RPC. Logic lives in PoolHost.
import Foundation
import PoolHost

exit(await SimwalletMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

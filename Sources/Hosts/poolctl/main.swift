// poolctl: the operator CLI. All logic lives in PoolHost (PoolctlMain) so it can be tested.
import Foundation
import PoolHost

exit(await PoolctlMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

// poolctl: the operator CLI. All logic lives in PoolctlHost (PoolctlMain) so it can be tested.
import Foundation
import PoolctlHost

exit(await PoolctlMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

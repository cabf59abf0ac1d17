import Foundation
import PoolHost

exit(await StakepooldMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

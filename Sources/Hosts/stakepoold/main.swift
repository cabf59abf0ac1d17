import Foundation
import StakepooldHost

exit(await StakepooldMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

// hxstakepool: the stake pool web app. All logic lives in PoolHost (WebAppMain) so it can be tested.
import Foundation
import PoolHost

exit(await WebAppMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

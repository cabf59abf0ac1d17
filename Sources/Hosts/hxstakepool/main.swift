// hxstakepool: the stake pool web app. All logic lives in WebAppHost (WebAppMain) so it can be tested.
import Foundation
import WebAppHost

exit(await WebAppMain.run(arguments: Array(CommandLine.arguments.dropFirst())))

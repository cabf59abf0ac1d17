// hxstakepool: the stake pool web app. All logic lives in WebAppHost (WebAppMain) so it can be tested.
import Foundation
import PoolSystem
import WebAppHost

// Process-wide, so here and not in WebAppMain (which tests and embedding programs run in their own processes).
let heapRetention = HeapRetention.apply(environment: ProcessInfo.processInfo.environment)
exit(await WebAppMain.run(arguments: Array(CommandLine.arguments.dropFirst()), heapRetention: heapRetention))

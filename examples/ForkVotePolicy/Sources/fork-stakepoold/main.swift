// fork-stakepoold: the stock stakepoold daemon run with this fork's vote policy added to the stock plugin set —
// no line of hxstakepool edited. `--votepolicy=followmajority --votepolicyoptions=agenda=<id>[,blocks=<n>]`.
import ForkVotePolicy
import Foundation
import HostKit
import PoolKernel
import StakepooldHost

var plugins = PoolPlugins.builtIn()
MajorityFollowPolicy.register(into: &plugins.votePolicies)
exit(await StakepooldMain.run(arguments: Array(CommandLine.arguments.dropFirst()), plugins: plugins))

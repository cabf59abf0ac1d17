// swift-tools-version:6.0
// A fork's own vote policy and its vote daemon, added without touching the engine: depends on hxstakepool by path.
import PackageDescription

let package = Package(
    name: "ForkVotePolicy",
    products: [
        .library(name: "ForkVotePolicy", targets: ["ForkVotePolicy"]),
        // The stock stakepoold with `followmajority` in its plugin set.
        .executable(name: "fork-stakepoold", targets: ["fork-stakepoold"]),
    ],
    dependencies: [.package(name: "hxstakepool", path: "../..")],
    targets: [
        .target(name: "ForkVotePolicy", dependencies: [.product(name: "PoolKernel", package: "hxstakepool")]),
        .executableTarget(name: "fork-stakepoold", dependencies: [
            "ForkVotePolicy", .product(name: "HostKit", package: "hxstakepool"),
            .product(name: "PoolKernel", package: "hxstakepool"), .product(name: "StakepooldHost", package: "hxstakepool"),
        ]),
        // Unit and conformance tests, and the end-to-end test that runs simwallet, hxstakepool and poolctl (built by
        // the root package) with this package's fork-stakepoold.
        .testTarget(name: "ForkVotePolicyTests", dependencies: [
            "ForkVotePolicy", .product(name: "PoolKernel", package: "hxstakepool"),
            .product(name: "PoolNet", package: "hxstakepool"), .product(name: "PoolTestKit", package: "hxstakepool"),
        ]),
    ]
)

// swift-tools-version:6.0
// A fork's own vote policy, added without touching the kernel: depends on hxstakepool by path.
import PackageDescription

let package = Package(
    name: "ForkVotePolicy",
    products: [.library(name: "ForkVotePolicy", targets: ["ForkVotePolicy"])],
    dependencies: [.package(name: "hxstakepool", path: "../..")],
    targets: [
        .target(name: "ForkVotePolicy", dependencies: [.product(name: "PoolKernel", package: "hxstakepool")]),
        .testTarget(name: "ForkVotePolicyTests", dependencies: [
            "ForkVotePolicy", .product(name: "PoolTestKit", package: "hxstakepool"),
        ]),
    ]
)

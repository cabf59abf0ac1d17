// swift-tools-version:6.0
// The stake pool engine embedded in another program (README "How to embed"): depends on hxstakepool by path.
import PackageDescription

let package = Package(
    name: "EmbeddedPool",
    dependencies: [.package(name: "hxstakepool", path: "../..")],
    targets: [
        .executableTarget(name: "EmbeddedPool", dependencies: [
            .product(name: "HostKit", package: "hxstakepool"), .product(name: "PoolKernel", package: "hxstakepool"),
        ]),
    ]
)

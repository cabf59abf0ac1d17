// swift-tools-version:6.0
// hxstakepool: a Decred stake pool engine. No package dependencies by design: only Foundation,
// Dispatch, XCTest and the system C libraries (OpenSSL 3, MariaDB Connector/C, SQLite 3).
import PackageDescription

let package = Package(
    name: "hxstakepool",
    products: [
        .library(name: "PoolKernel", targets: ["PoolKernel"]),
        // Embedding: the plugin set and services (HostKit) plus the hosts an embedding program runs.
        .library(name: "HostKit", targets: ["HostKit"]),
        .library(name: "WebAppHost", targets: ["WebAppHost"]),
        .library(name: "StakepooldHost", targets: ["StakepooldHost"]),
        // In-memory ports and the conformance suites, for out-of-tree plugins' tests (examples/ForkVotePolicy).
        .library(name: "PoolTestKit", targets: ["PoolTestKit"]),
        // Sockets, TLS and the JSON-RPC websocket client, for out-of-tree tests that drive simwallet (examples/ForkVotePolicy).
        .library(name: "PoolNet", targets: ["PoolNet"]),
        .executable(name: "hxstakepool", targets: ["hxstakepool"]),
        .executable(name: "stakepoold", targets: ["stakepoold"]),
        .executable(name: "poolctl", targets: ["poolctl"]),
        .executable(name: "poolbench", targets: ["poolbench"]),
        .executable(name: "simwallet", targets: ["simwallet"]),
    ],
    targets: [
        // MARK: C libraries (system), each a module map + shim.h for macros and variadics.
        .systemLibrary(name: "COpenSSL", path: "Sources/CSystem/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSystem/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMySQL", path: "Sources/CSystem/CMySQL", pkgConfig: "mysqlclient",
                       providers: [.apt(["default-libmysqlclient-dev"])]),
        // Linux epoll/eventfd headers (not exported by Swift's Glibc module); nothing to link.
        .systemLibrary(name: "CEpoll", path: "Sources/CSystem/CEpoll"),

        // MARK: The engine.
        .target(name: "PoolKernel", dependencies: ["COpenSSL"], path: "Sources/PoolKernel",
                resources: [.copy("Resources/netparams"), .copy("Resources/passwords")]),
        // Sockets + TLS shared by network plugins and hosts (not part of the kernel).
        .target(name: "PoolNet", dependencies: ["PoolKernel", "PoolSystem", "COpenSSL"], path: "Sources/Support/PoolNet"),
        // OS helpers (owner threads, spin waits, signals; Glibc) and the SQL base both SQL plugins share.
        .target(name: "PoolSystem", path: "Sources/Support/PoolSystem"),
        .target(name: "SQLStorageBase", dependencies: ["PoolKernel"], path: "Sources/Support/SQLStorageBase"),
        // stakepoold's control API, both ends (wire, server, client).
        .target(name: "StakepooldControl", dependencies: ["PoolKernel", "PoolNet"], path: "Sources/Support/StakepooldControl"),

        // MARK: Plugins: each depends on the kernel, support targets and its own C module only.
        .target(name: "StorageSQLite", dependencies: ["PoolKernel", "PoolSystem", "SQLStorageBase", "CSQLite"], path: "Sources/Plugins/StorageSQLite"),
        .target(name: "StorageMySQL", dependencies: ["PoolKernel", "PoolSystem", "SQLStorageBase", "CMySQL"], path: "Sources/Plugins/StorageMySQL"),
        .target(name: "NotifyLog", dependencies: ["PoolKernel"], path: "Sources/Plugins/NotifyLog"),
        .target(name: "NotifySMTP", dependencies: ["PoolKernel", "PoolNet"], path: "Sources/Plugins/NotifySMTP"),
        .target(name: "WalletDcrwallet", dependencies: ["PoolKernel", "PoolNet"], path: "Sources/Plugins/WalletDcrwallet"),
        .target(name: "WalletSimnet", dependencies: ["PoolKernel"], path: "Sources/Plugins/WalletSimnet"),
        .target(name: "VotePolicies", dependencies: ["PoolKernel"], path: "Sources/Plugins/VotePolicies"),
        // vspplugins: the vspd front's dcrd (API 8.x) and dcrwallet (API 11.x) plugins.
        .target(name: "VspRPC", dependencies: ["PoolKernel", "PoolNet"], path: "Sources/Plugins/VspRPC"),

        // MARK: Test kit: in-memory ports + one conformance suite per port. Never linked by executables.
        .target(name: "PoolTestKit", dependencies: ["PoolKernel"], path: "Sources/PoolTestKit"),

        // MARK: Hosts.
        .target(name: "WebHost", dependencies: ["PoolKernel", "PoolNet", "CEpoll"], path: "Sources/Hosts/WebHost"),
        // What every host shares: the plugin registries and built-in plugins, the assembled services, logging.
        .target(name: "HostKit", dependencies: [
            "PoolKernel", "PoolNet", "PoolSystem", "StakepooldControl", "WebHost", "StorageSQLite", "StorageMySQL", "NotifyLog", "NotifySMTP",
            "WalletDcrwallet", "WalletSimnet", "VotePolicies", "VspRPC",
        ], path: "Sources/Hosts/HostKit"),
        .target(name: "WebAppHost", dependencies: ["HostKit", "PoolKernel", "PoolSystem", "StakepooldControl", "WebHost"],
                path: "Sources/Hosts/WebAppHost"),
        .target(name: "StakepooldHost", dependencies: [
            "HostKit", "PoolKernel", "PoolNet", "PoolSystem", "StakepooldControl", "WebHost", "StorageSQLite", "StorageMySQL",
            "WalletDcrwallet", "VotePolicies",
        ], path: "Sources/Hosts/StakepooldHost"),
        // The simulated dcrwallet/dcrd JSON-RPC servers (simwallet) with the server-side wallet handlers.
        .target(name: "SimnetHost", dependencies: ["PoolKernel", "PoolNet", "PoolSystem", "WalletDcrwallet", "WalletSimnet"],
                path: "Sources/Hosts/SimnetHost"),
        .target(name: "PoolctlHost", dependencies: [
            "HostKit", "StakepooldHost", "SimnetHost", "PoolKernel", "PoolNet", "StorageSQLite", "VotePolicies",
            "WalletDcrwallet", "WalletSimnet",
        ], path: "Sources/Hosts/PoolctlHost"),
        .target(name: "BenchHost", dependencies: [
            "HostKit", "PoolctlHost", "SimnetHost", "PoolKernel", "PoolNet", "PoolSystem", "SQLStorageBase", "WebHost",
            "StorageSQLite", "StorageMySQL", "VotePolicies", "WalletDcrwallet", "WalletSimnet",
            "WebAppHost",  // vspbench: `poolbench vsp` runs the real web app with the vspd front
            "StakepooldHost",  // watchbytes: `poolbench watch` runs stakepoold's wallet watch
        ], path: "Sources/Hosts/BenchHost"),
        .executableTarget(name: "hxstakepool", dependencies: ["WebAppHost"], path: "Sources/Hosts/hxstakepool"),
        .executableTarget(name: "stakepoold", dependencies: ["StakepooldHost"], path: "Sources/Hosts/stakepoold"),
        .executableTarget(name: "poolctl", dependencies: ["PoolctlHost"], path: "Sources/Hosts/poolctl"),
        .executableTarget(name: "poolbench", dependencies: ["BenchHost"], path: "Sources/Hosts/poolbench"),
        .executableTarget(name: "simwallet", dependencies: ["SimnetHost"], path: "Sources/Hosts/simwallet"),

        // MARK: Tests: one target per module.
        .testTarget(name: "PoolKernelTests", dependencies: ["PoolKernel", "PoolTestKit"]),
        .testTarget(name: "PoolSystemTests", dependencies: ["PoolSystem", "PoolKernel"]),
        .testTarget(name: "SQLStorageBaseTests", dependencies: ["SQLStorageBase", "PoolKernel"]),
        .testTarget(name: "PoolNetTests", dependencies: ["PoolNet", "PoolKernel", "PoolTestKit"]),
        .testTarget(name: "StorageSQLiteTests", dependencies: ["StorageSQLite", "SQLStorageBase", "PoolTestKit"]),
        .testTarget(name: "StorageMySQLTests", dependencies: ["StorageMySQL", "SQLStorageBase", "PoolTestKit"]),
        .testTarget(name: "NotifyLogTests", dependencies: ["NotifyLog", "PoolTestKit"]),
        .testTarget(name: "NotifySMTPTests", dependencies: ["NotifySMTP", "PoolNet", "PoolTestKit"]),
        .testTarget(name: "WalletDcrwalletTests", dependencies: ["WalletDcrwallet", "WalletSimnet", "SimnetHost", "PoolNet", "PoolTestKit"]),
        .testTarget(name: "WalletSimnetTests", dependencies: ["WalletSimnet", "PoolTestKit"]),
        .testTarget(name: "VotePoliciesTests", dependencies: ["VotePolicies", "PoolTestKit"]),
        .testTarget(name: "VspRPCTests", dependencies: ["VspRPC", "PoolNet", "PoolTestKit"]),  // vspplugins
        // dash22 slice: WebAppHost and HostTestSupport for the dashboard's browser test through the real web app.
        .testTarget(name: "WebHostTests", dependencies: ["WebHost", "PoolNet", "PoolTestKit", "WebAppHost", "HostTestSupport"],
                    exclude: ["Golden"]),
        // Harness shared by the host test targets (child processes, simulated RPC wallets, web app configs).
        .target(name: "HostTestSupport", dependencies: [
            "HostKit", "SimnetHost", "StakepooldControl", "StakepooldHost", "PoolKernel", "PoolNet", "PoolTestKit",
            "SQLStorageBase", "StorageSQLite", "StorageMySQL", "NotifySMTP", "WalletDcrwallet", "WalletSimnet", "CSQLite",
        ], path: "Tests/HostTestSupport"),
        .testTarget(name: "StakepooldControlTests", dependencies: ["StakepooldControl", "HostTestSupport", "PoolTestKit"]),
        .testTarget(name: "HostKitTests", dependencies: ["HostKit", "StakepooldControl", "HostTestSupport", "PoolTestKit"]),
        .testTarget(name: "WebAppHostTests", dependencies: ["WebAppHost", "StakepooldHost", "PoolctlHost", "SimnetHost", "HostTestSupport", "PoolTestKit"]),
        .testTarget(name: "StakepooldHostTests", dependencies: ["StakepooldHost", "PoolctlHost", "WebAppHost", "HostTestSupport", "PoolTestKit"]),
        .testTarget(name: "SimnetHostTests", dependencies: ["SimnetHost", "StakepooldHost", "HostTestSupport", "PoolTestKit"]),
        .testTarget(name: "PoolctlHostTests", dependencies: ["PoolctlHost", "HostTestSupport", "PoolTestKit", "StorageMySQL"]),
        .testTarget(name: "BenchHostTests", dependencies: ["BenchHost", "PoolTestKit"]),
    ]
)

// MARK: Fuzz targets (docs/fuzzing.md), one libFuzzer entry per parser. Declared only when HXSTAKEPOOL_FUZZ=1
// (scripts/fuzz.sh sets it and builds them with -sanitize=fuzzer,address into .build-fuzz), so `swift build`
// and `swift test` never see them; in that mode the package holds the parser modules and fuzz targets only.
if Context.environment["HXSTAKEPOOL_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzHTTPRequest", ["WebHost"]),
        ("FuzzConfig", ["PoolKernel"]),
        ("FuzzJSON", ["PoolNet"]),
        ("FuzzTemplate", ["WebHost"]),
        ("FuzzChainEncoding", ["PoolKernel"]),
        ("FuzzWebSocketFrames", ["PoolNet"]),
        ("FuzzJSONRPC", ["PoolNet"]),
        ("FuzzSMTPReply", ["NotifySMTP", "PoolKernel"]),
        ("FuzzDecredTransaction", ["PoolKernel"]),  // vsp24
    ]
    // Only the parser modules stay, so one `swift build` builds exactly the fuzz targets (no host, no test).
    let parserModules: Set<String> = ["COpenSSL", "CEpoll", "PoolKernel", "PoolSystem", "PoolNet", "WebHost", "NotifySMTP"]
    package.targets.removeAll { !parserModules.contains($0.name) }
    package.products = []
    for target in fuzzTargets {
        // No main: libFuzzer's main calls the target's @_cdecl("LLVMFuzzerTestOneInput").
        package.targets.append(.executableTarget(name: target.name, dependencies: target.dependencies,
                                                 path: "Fuzz/Targets/\(target.name)",
                                                 swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
        package.products.append(.executable(name: target.name, targets: [target.name]))
    }
}

// Strict settings for every Swift target, applied in one place.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

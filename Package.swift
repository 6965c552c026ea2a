// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "callctl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "callctl", targets: ["callctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    ],
    targets: [
        // Thin executable: forwards to the commands module.
        .executableTarget(name: "callctl", dependencies: ["CallctlCommands"]),

        // C libraries, each imported by exactly one Swift wrapper module.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Pure domain rules: Foundation only.
        .target(name: "CallDomain"),

        // Wrappers over the C libraries.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),

        // STUN/TURN codec and probe clients.
        .target(name: "ICE", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // Schema migrations, repositories and job queries on top of Postgres.
        .target(name: "CallStore", dependencies: [
            "Postgres", "CallDomain",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Configuration sources: flags, the process environment, a Laravel .env.
        .target(name: "CallctlConfig", dependencies: ["Postgres"]),

        // Throwaway local servers (PostgreSQL, coturn) for the demo and the tests.
        .target(name: "LocalServices"),

        .target(name: "CallctlCommands", dependencies: [
            "CallDomain", "Postgres", "CallStore", "CallctlConfig", "HTTPClient", "LocalServices", "ICE",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "CallctlUnitTests", dependencies: [
            "CallDomain", "CallStore", "CallctlConfig", "CallctlCommands", "ICE", "HTTPClient", "Postgres",
        ]),
        .testTarget(name: "CallctlIntegrationTests", dependencies: [
            "CallDomain", "Postgres", "CallStore", "CallctlCommands", "LocalServices", "HTTPClient",
        ]),
    ],
    swiftLanguageModes: [.v6]
)

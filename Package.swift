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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // Thin executable: forwards to the commands module.
        .executableTarget(name: "callctl", dependencies: ["CallctlCommands"]),

        // C libraries, each imported by exactly one Swift wrapper module.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Pure domain rules: Foundation only.
        .target(name: "CallDomain"),

        // Small helpers every layer uses: blocking C calls off the cooperative pool, and
        // durations in seconds and milliseconds.
        .target(name: "Offloading"),
        .target(name: "TimeUnits"),

        // Wrappers over the C libraries, each with an async entry point built on Offloading.
        .target(name: "Postgres", dependencies: ["CLibPQ", "Offloading"]),
        .target(name: "HTTPClient", dependencies: ["CCurl", "Offloading"]),

        // STUN/TURN codec and probe clients.
        .target(name: "ICE", dependencies: [
            "TimeUnits",
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

        // Bearer tokens: HS256 with a shared secret or RS256 with a Laravel Passport public key.
        .target(name: "AccessTokens", dependencies: [
            .product(name: "JWTKit", package: "jwt-kit"),
        ]),

        // Pusher Channels protocol 7: auth signatures, HTTP API signing, message codec.
        .target(name: "PusherProtocol", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The daemon: Hummingbird app with the call lifecycle API, the Pusher-protocol hub,
        // channel auth, the outbox relay, health and metrics.
        .target(name: "SignalingServer", dependencies: [
            "CallDomain", "CallStore", "Postgres", "AccessTokens", "ICE", "PusherProtocol", "HTTPClient", "TimeUnits",
            "RecordingStorage",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The ordered checks behind `diagnose echo`: DNS, TCP, TLS, WebSocket, Pusher protocol,
        // channel auth, delivery through the HTTP API and the auth endpoint's refusals.
        .target(name: "Diagnostics", dependencies: [
            "HTTPClient", "PusherProtocol", "Offloading", "TimeUnits",
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Where recording files live (a local directory behind nginx's secure_link, or an S3
        // bucket): deletion for the expiry job and short-lived download URLs, SigV4 by hand.
        .target(name: "RecordingStorage", dependencies: [
            "HTTPClient",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // Throwaway local servers (PostgreSQL, coturn) for the demo and the tests.
        .target(name: "LocalServices"),

        .target(name: "CallctlCommands", dependencies: [
            "CallDomain", "Postgres", "CallStore", "CallctlConfig", "HTTPClient", "LocalServices", "ICE",
            "SignalingServer", "AccessTokens", "PusherProtocol", "Diagnostics", "TimeUnits", "RecordingStorage",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        .testTarget(name: "CallctlUnitTests", dependencies: [
            "AccessTokens", "CallDomain", "CallStore", "CallctlConfig", "CallctlCommands", "ICE", "HTTPClient", "Postgres",
            "SignalingServer", "PusherProtocol", "Diagnostics", "Offloading", "TimeUnits", "RecordingStorage",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "CallctlIntegrationTests", dependencies: [
            "AccessTokens", "CallDomain", "Postgres", "CallStore", "CallctlCommands", "LocalServices", "HTTPClient", "PusherProtocol",
            "Diagnostics", "SignalingServer", "RecordingStorage",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

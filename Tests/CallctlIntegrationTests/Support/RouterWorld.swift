import ArgumentParser
@testable import CallctlCommands
import CallctlConfig
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import SignalingServer
import Testing

/// A clinic database (``ClinicWorld``) served by the daemon's router inside the test process,
/// through HummingbirdTesting: the router `callctl serve arguments` builds (``buildRouter``),
/// configured from the same flags and variables as ``ServeProcess`` (``ServeCommand`` parses the
/// flags, ``ServeBackend`` opens the pools and registers the hub), its logs captured as the
/// daemon writes them (`--log-format json`). Requests go straight to the router (`.router`: no
/// socket, so no client address). The router and the test body run on ``InProcessExecutor``.
/// Spawn `callctl serve` (``ServeWorld``) for WebSockets, signals, metrics (one registry per
/// process), the client's address, real-socket limits and races between daemons.
final class RouterWorld: ClinicWorld, @unchecked Sendable {
    let world: JobsWorld
    /// Sends requests as ``ServeProcess/request(_:_:token:json:body:headers:)`` does.
    let server: RouterServer

    fileprivate init(world: JobsWorld, server: RouterServer) {
        self.world = world
        self.server = server
    }

    /// A migrated clinic (`prepare` runs on it first), then `body` with the router `callctl
    /// serve arguments` would build with `environment` (see ``ServeProcess/variables(databaseURL:_:)``).
    static func test(_ arguments: [String] = [], environment: [String: String?] = [:],
                     label: String = #function, prepare: (JobsWorld) throws -> Void = { _ in },
                     _ body: (RouterWorld) async throws -> Void) async throws {
        try await withTaskExecutorPreference(InProcessExecutor.shared) {
            try await run(arguments, environment: environment, label: label, prepare: prepare, body)
        }
    }

    private static func run(_ arguments: [String], environment: [String: String?], label: String,
                            prepare: (JobsWorld) throws -> Void, _ body: (RouterWorld) async throws -> Void) async throws {
        let world = try JobsWorld(label)
        try prepare(world)
        let command = try ServeCommand.parse(arguments)
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in CLI.environment(ServeProcess.variables(databaseURL: world.database.connectionString, environment)) {
            variables[name] = value
        }
        let configuration = try await command.signalingConfiguration(Environment(process: variables))
        let logs = TextCapture()
        var logging = command.logging
        logging.logFormat = .json
        let logger = Logger(label: "callctl.serve",
                            factory: LoggingSetup.handlerFactory(logging, terminal: false, write: { logs.append($0) }))
        let backend = try await ServeBackend.open(
            configuration: configuration, database: try world.database.settings(), pools: command.pools,
            preparesStatements: !command.noPreparedStatements, logger: logger, now: { Date() })
        let router = buildRouter(configuration: configuration, dependencies: backend.dependencies,
                                 registry: PrometheusCollectorRegistry())
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        do {
            try await withoutActuallyEscaping(body) { body in
                let run = UncheckedBody(body: body, world: world, logs: logs)
                try await app.test(.router) { client in try await run.call(client) }
            }
        } catch {
            await backend.close()
            throw error
        }
        await backend.close()
    }
}

/// The test body and what it needs, carried into HummingbirdTesting's `@Sendable` closure; the
/// body runs there once, on the test's own task.
private struct UncheckedBody: @unchecked Sendable {
    let body: (RouterWorld) async throws -> Void
    let world: JobsWorld
    let logs: TextCapture

    func call(_ client: any TestClientProtocol) async throws {
        try await body(RouterWorld(world: world, server: RouterServer(client: client, logs: logs)))
    }
}

/// The router of a ``RouterWorld``, with ``ServeProcess``'s request helper and its logs.
struct RouterServer: @unchecked Sendable {
    let client: any TestClientProtocol
    let logs: TextCapture

    /// What the router has logged so far (JSON lines, as the daemon writes them on stderr).
    var standardError: String { logs.text }

    /// Sends a request with ``ServeProcess/userAgent``, `Authorization: Bearer token` when given,
    /// and `json` (any JSONSerialization value) or raw `body` as the body.
    func request(_ method: String, _ path: String, token: String? = nil, json: Any? = nil, body: Data? = nil,
                 headers: [(String, String)] = []) async throws -> ServeResponse {
        var fields = [("User-Agent", ServeProcess.userAgent)] + headers
        if let token { fields.append(("Authorization", "Bearer \(token)")) }
        var payload = body
        if let json {
            payload = try JSONSerialization.data(withJSONObject: json)
            fields.append(("Content-Type", "application/json"))
        }
        var httpFields = HTTPFields()
        for (name, value) in fields { httpFields.append(HTTPField(name: try #require(HTTPField.Name(name)), value: value)) }
        let response = try await client.execute(uri: path, method: try #require(HTTPRequest.Method(method)), headers: httpFields,
                                                body: payload.map { ByteBuffer(bytes: $0) })
        var headers: [String: String] = [:]
        for field in response.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        return ServeResponse(status: response.status.code, headers: headers, body: Data(response.body.readableBytesView))
    }
}

extension RouterWorld {
    /// `POST /appointments/{appointment}/call/{action}` as `user` with `callId` and `peerId` when given.
    func call(_ action: String, _ appointment: Int64, as user: Int64, callId: String? = nil, peerId: String? = nil) async throws -> ServeResponse {
        var body: [String: Any] = [:]
        if let callId { body["callId"] = callId }
        if let peerId { body["peerId"] = peerId }
        return try await server.request("POST", "/appointments/\(appointment)/call/\(action)", token: try token(user), json: body)
    }

    /// `GET /appointments/{appointment}/call` (or a sub-resource) as `user`.
    func get(_ appointment: Int64, _ suffix: String = "", as user: Int64) async throws -> ServeResponse {
        try await server.request("GET", "/appointments/\(appointment)/call\(suffix)", token: try token(user))
    }

    /// The doctor rings the patient; returns the new callId (records an issue and throws unless 200).
    func ring(_ appointment: Int64, peerId: String? = nil) async throws -> String {
        let response = try await call("request", appointment, as: doctor, peerId: peerId)
        #expect(response.status == 200, "\(response.text)")
        return try #require(response.json["callId"] as? String, "\(response.text)")
    }
}

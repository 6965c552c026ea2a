import ArgumentParser
import CallctlConfig
import Foundation
import SignalingServer

/// `callctl serve`: the signaling daemon.
struct ServeCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the signaling daemon: call lifecycle API, Pusher-protocol WebSocket hub, channel auth, outbox relay.",
        discussion: """
        Every call belongs to an appointment and obeys the policy (access window, doctor \
        status, license, one open call per appointment); each transition is written with its \
        audit row and outbox event in one transaction.

        Authentication: Authorization: Bearer <JWT>, HS256 with \(ServeSettings.jwtSecretVariable) \
        or RS256 with the Laravel Passport public key at \(ServeSettings.jwtPublicKeyVariable) \
        (a PEM path); sub is users.id. A token with a jti is checked against \
        oauth_access_tokens when that table exists.

        ICE servers for GET /appointments/{id}/call/ice-servers: \(ServeSettings.iceServersVariable) \
        (comma-separated stun:/turn: URIs) and \(ServeSettings.turnSecretVariable) (coturn \
        static-auth-secret) with \(ServeSettings.turnTTLVariable) seconds (default 3600).

        Pusher Channels protocol 7 at ws://HOST:PORT/app/{key} for Laravel Echo (pusher/reverb \
        broadcaster), the Pusher HTTP API at /apps/{id}/events, /batch_events and /channels, and \
        POST /broadcasting/auth (Bearer token as above). App credentials: \(ServeApps.idVariable), \
        \(ServeApps.keyVariable), \(ServeApps.secretVariable), or \(ServeApps.fileVariable) (a JSON file \
        [{"id","key","secret"}, …], the first the default). Several daemons may share one database: \
        events and presence fan out through PostgreSQL NOTIFY.

        PeerJS broker: a PeerServer for the browsers' PeerJS clients at --peerjs-path (default \
        /peerjs; new Peer(peerId, {host, port, path: "/peerjs", key: <app key>, token})). It admits \
        only peer ids callctl issued with POST /appointments/{id}/call/peer {"callId"} and their \
        token, and relays OFFER, ANSWER and CANDIDATE only between the two participants of one open \
        call; when the call ends both peers get LEAVE and are closed.

        The outbox relay delivers every outbox row to the hub's subscribers (woken by NOTIFY, \
        polling every 2 s) and, with CALLCTL_PUSHER_URL=http[s]://KEY:SECRET@host:port/apps/ID, to \
        an external Pusher/Reverb server too, retrying with backoff (see callctl outbox status).

        Slow and idle clients: a connection that has not sent its whole first request head \
        (request line and headers, a WebSocket upgrade included) within --header-timeout seconds \
        is closed, and so is an HTTP keep-alive connection idle for --idle-timeout seconds; \
        established WebSockets are kept alive by the hub's pings instead (--activity-timeout, \
        --pong-timeout). A request the HTTP parser cannot read (unknown method, header line \
        without a colon, Content-Length with chunked Transfer-Encoding, headers over 80 KiB) \
        gets 400 bad_request as JSON and the connection is closed. Bearer tokens whose exp is \
        more than --max-token-lifetime days away are refused.

        SIGTERM or SIGINT: the relay stops, WebSockets are closed with 4200 (reconnect) and broker \
        sockets with 1000 (reconnect with the same id and token), requests \
        in flight finish, exit 0.

        Recordings: POST /webhooks/recording is signed with \(RecordingStorageSettings.webhookSecretVariable) \
        (off while it is unset); GET /appointments/{id}/recording answers a participant with a \
        download URL valid --recording-link-ttl seconds, signed for the storage in \
        CALLCTL_RECORDING_STORAGE (file:///var/lib/callctl/recordings by default, served by nginx \
        secure_link with CALLCTL_RECORDING_LINK_BASE and CALLCTL_RECORDING_LINK_SECRET; or \
        s3://bucket/prefix with the AWS_* variables).

        Examples:
          CALLCTL_JWT_SECRET=... callctl serve --listen 127.0.0.1:8080
          CALLCTL_JWT_PUBLIC_KEY=/var/www/app/storage/oauth-public.key callctl serve --env-file /var/www/app/.env
          callctl serve --listen 0.0.0.0:8080 --rate-limit 10/30s --log-format json
          callctl serve --env-file /var/www/app/.env --allowed-origin https://app.example.com
          callctl serve --peerjs-path /peerjs --peerjs-expire-timeout 5000 --peer-token-ttl 300
        """
    )

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Limit on request and accept per user and appointment: N/DURATION (s, m, h).", valueName: "rate"))
    var rateLimit = RateLimit.standard.description

    @Option(help: ArgumentHelp("Database connections the daemon keeps (1–100).", valueName: "n"))
    var poolSize = 10

    @Option(help: ArgumentHelp("Database connections the WebSocket hub keeps for subscriptions, apart from the API's (1–100).",
                               valueName: "n"))
    var hubPoolSize = 4

    @Option(help: ArgumentHelp("Longest wait for a free database connection before a request is answered 503 overloaded "
                               + "with Retry-After (milliseconds); a request expected to wait longer is answered at once.",
                               valueName: "ms"))
    var poolTimeout = 2000

    @Flag(help: "Do not use server-side prepared statements (for PgBouncer in transaction mode before 1.21).")
    var noPreparedStatements = false

    @Option(name: .customLong("recording-link-ttl"),
            help: ArgumentHelp("Seconds a recording's download URL stays valid (30–3600).", valueName: "seconds"))
    var recordingLinkTTL = 300

    @OptionGroup(title: "Connections and tokens") var connections: ConnectionOptions
    @OptionGroup(title: "WebSocket hub") var hub: HubOptions
    @OptionGroup(title: "PeerJS broker") var broker: BrokerOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT with a port 0–65535, e.g. 127.0.0.1:8080; got '\(listen)'")
        }
        guard RateLimit(parsing: rateLimit) != nil else {
            throw ValidationError("--rate-limit must be N/DURATION with N ≥ 1, e.g. 5/10s or 30/1m; got '\(rateLimit)'")
        }
        guard (1...100).contains(poolSize) else { throw ValidationError("--pool-size must be 1–100; got \(poolSize)") }
        guard (1...100).contains(hubPoolSize) else { throw ValidationError("--hub-pool-size must be 1–100; got \(hubPoolSize)") }
        guard (10...60_000).contains(poolTimeout) else { throw ValidationError("--pool-timeout must be 10–60000 ms; got \(poolTimeout)") }
        guard (30...3600).contains(recordingLinkTTL) else {
            throw ValidationError("--recording-link-ttl must be 30–3600 s; got \(recordingLinkTTL)")
        }
    }

    func run(in context: CommandContext) async throws {
        try await context.reportingFailures(logging: logging) {
            let session = try context.session(database: database, logging: logging, label: "callctl.serve")
            let configuration = try await signalingConfiguration(session.environment)
            let logger = session.logger
            let daemon = try await ServeDaemon.make(
                configuration: configuration, database: session.database, pools: pools,
                preparesStatements: !noPreparedStatements, signals: [.sigterm, .sigint], logger: logger, now: session.now,
                onServerRunning: { port in logger.notice("listening", metadata: ["address": "\(configuration.host):\(port)"]) })
            try await daemon.run()
        }
    }

    /// The daemon's configuration: these flags over `environment`'s variables.
    func signalingConfiguration(_ environment: Environment) async throws -> SignalingConfiguration {
        guard let address = ListenAddress(listen), let limit = RateLimit(parsing: rateLimit) else { throw ExitCode.validationFailure }
        return try await ServeSettings.configuration(
            host: address.host, port: address.port, rateLimit: limit, hub: hub.settings, broker: broker.settings,
            limits: connections.limits, recordingLinkTTL: recordingLinkTTL,
            environment: environment)
    }

    /// The pool sizes and the wait for a connection these flags ask for.
    var pools: ServeDaemon.Pools {
        ServeDaemon.Pools(size: poolSize, hubSize: hubPoolSize, timeout: .milliseconds(poolTimeout))
    }
}

/// `HOST:PORT`, with `[v6]:PORT` for IPv6 literals.
struct ListenAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}

import AccessTokens
import CallStore
import CallctlConfig
import Foundation
import ICE
import Postgres
import SignalingServer

/// The daemon's configuration from the environment (and `--env-file`), checked before it
/// listens: a missing or unusable key, a bad ICE URI or a TURN URI without its secret exits
/// 78 with the fix.
enum ServeSettings {
    static let jwtSecretVariable = "CALLCTL_JWT_SECRET"
    static let jwtPublicKeyVariable = "CALLCTL_JWT_PUBLIC_KEY"
    static let iceServersVariable = ProbeIce.serversVariable
    static let turnSecretVariable = TurnCredentialOptions.secretVariable
    static let turnTTLVariable = "CALLCTL_TURN_TTL"

    static func configuration(host: String, port: Int, rateLimit: RateLimit, hub: HubSettings,
                              broker: BrokerSettings = BrokerSettings(), limits: ServeLimits = ServeLimits(),
                              recordingLinkTTL: Int = 300, environment: Environment) async throws -> SignalingConfiguration {
        let tokens = try await verifier(environment, maximumLifetime: limits.maximumTokenLifetime)
        let apps = try ServeApps.load(environment)
        var servers: [IceServerURI] = []
        for text in ProbeIce.serverTexts(environment[iceServersVariable]) {
            do {
                servers.append(try IceServerURI(parsing: text))
            } catch {
                throw Failure(message: "\(iceServersVariable) (\(environment.origin(of: iceServersVariable))): \(error)",
                              exitCode: Failure.configuration)
            }
        }
        let turnSecret = environment[turnSecretVariable].flatMap { $0.isEmpty ? nil : $0 }
        if servers.contains(where: \.scheme.isTURN), turnSecret == nil {
            throw Failure(message: "\(iceServersVariable) lists TURN servers but \(turnSecretVariable) is not set; "
                          + "set it to coturn's static-auth-secret so participants get working credentials",
                          exitCode: Failure.configuration)
        }
        let ttlText = environment[turnTTLVariable] ?? "3600"
        guard let ttl = Int(ttlText), (60...86_400).contains(ttl) else {
            throw Failure(message: "\(turnTTLVariable) must be whole seconds from 60 to 86400; got '\(ttlText.prefix(20))'",
                          exitCode: Failure.configuration)
        }
        let recordings = RecordingSettings(
            webhookSecret: environment[RecordingStorageSettings.webhookSecretVariable].flatMap { $0.isEmpty ? nil : $0 },
            storage: try RecordingStorageSettings.storage(environment), linkLifetime: recordingLinkTTL)
        return SignalingConfiguration(host: host, port: port, tokens: tokens, apps: apps, hub: hub, broker: broker,
                                      recordings: recordings, iceServers: servers,
                                      turnSecret: turnSecret, turnCredentialTTL: ttl, rateLimit: rateLimit,
                                      externalPusher: try externalTarget(environment, apps: apps),
                                      headerTimeout: limits.headerTimeout, idleTimeout: limits.idleTimeout,
                                      autoAcceptAllowed: AutoAcceptGate.allows(environment),
                                      channelRules: ChannelRulesSource(file: environment[ChannelRulesSource.variable]),
                                      webhooks: try webhooks(environment, apps: apps))
    }

    private static func verifier(_ environment: Environment, maximumLifetime: TimeInterval) async throws -> AccessTokenVerifier {
        let secret = environment[jwtSecretVariable].flatMap { $0.isEmpty ? nil : $0 }
        let keyPath = environment[jwtPublicKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        do {
            switch (secret, keyPath) {
            case (.some, .some):
                throw Failure(message: "both \(jwtSecretVariable) and \(jwtPublicKeyVariable) are set; keep the one your "
                              + "tokens are signed for (HS256 secret or Passport RS256 public key)", exitCode: Failure.configuration)
            case (let secret?, nil):
                return try await .hs256(secret: secret, maximumLifetime: maximumLifetime)
            case (nil, let path?):
                guard case .data(let data) = SmallFile.read(path, limit: 64 * 1024) else {
                    throw Failure(message: "\(jwtPublicKeyVariable) points at \(path), which is not a readable PEM file under 64 KiB",
                                  exitCode: Failure.configuration)
                }
                return try await .rs256(publicKeyPEM: String(decoding: data, as: UTF8.self), maximumLifetime: maximumLifetime)
            case (nil, nil):
                throw Failure(message: "set \(jwtSecretVariable) (HS256) or \(jwtPublicKeyVariable) (path of Laravel "
                              + "Passport's oauth-public.key, RS256) so the daemon can verify bearer tokens", exitCode: Failure.configuration)
            }
        } catch let error as AccessTokenConfigurationError {
            throw Failure(message: error.description, exitCode: Failure.configuration)
        }
    }

    /// Fails with "run callctl migrate up" (78) when the call tables are missing.
    @Sendable static func checkSchema(_ connection: PGConnection) throws {
        try connection.query("SELECT outbox.relayed_at FROM call_sessions, outbox, settings, hub_subscriptions LIMIT 0")
    }
}

import ArgumentParser
import AccessTokens
import Foundation

/// `serve`'s limits on slow or idle connections and on bearer-token lifetimes.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds a new connection has to send its whole first request head, WebSocket upgrades "
                               + "included, before it is closed (like nginx's client_header_timeout).", valueName: "seconds"))
    var headerTimeout = 10

    @Option(help: ArgumentHelp("Seconds an HTTP keep-alive connection may stay idle before it is closed (like nginx's "
                               + "keepalive_timeout); established WebSockets are governed by --activity-timeout instead.",
                               valueName: "seconds"))
    var idleTimeout = 60

    @Option(help: ArgumentHelp("Longest time from now to a bearer token's exp that is accepted, in days (Passport's "
                               + "tokens last a year by default).", valueName: "days"))
    var maxTokenLifetime = Int(AccessTokenVerifier.defaultMaximumLifetime / 86_400)

    func validate() throws {
        guard (1...300).contains(headerTimeout) else { throw ValidationError("--header-timeout must be 1–300 seconds; got \(headerTimeout)") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1–3600 seconds; got \(idleTimeout)") }
        guard (1...3660).contains(maxTokenLifetime) else {
            throw ValidationError("--max-token-lifetime must be 1–3660 days; got \(maxTokenLifetime)")
        }
    }

    /// The limits these flags describe.
    var limits: ServeLimits {
        ServeLimits(headerTimeout: .seconds(headerTimeout), idleTimeout: .seconds(idleTimeout),
                    maximumTokenLifetime: TimeInterval(maxTokenLifetime) * 86_400)
    }
}

/// The daemon's connection timeouts and token lifetime cap; the defaults are the flags'.
struct ServeLimits {
    var headerTimeout: Duration = .seconds(10)
    var idleTimeout: Duration = .seconds(60)
    var maximumTokenLifetime: TimeInterval = AccessTokenVerifier.defaultMaximumLifetime
}

import CallDomain
import Foundation
import ICE

/// `GET /appointments/{id}/call/ice-servers`: the `iceServers` a browser hands to
/// `RTCPeerConnection`. STUN URIs come as one entry without credentials; TURN URIs as one
/// entry with TURN REST credentials (coturn `use-auth-secret`) for this user and appointment,
/// valid for the configured TTL but never past the appointment's window.
struct IceServerList: Encodable {
    struct Entry: Encodable {
        let urls: [String]
        let username: String?
        let credential: String?
    }

    /// One configured server's last recorded verdict (`probe ice --record`).
    struct Health: Encodable {
        let url: String
        /// `ok`, `warning`, `critical`, `unknown`, or `unchecked` (never recorded) or `stale` (older than 5 min).
        let status: String
        @NullWhenAbsent var checkedAt: Date?
    }

    let iceServers: [Entry]
    /// Seconds the credentials stay valid; 0 when there are none.
    let ttl: Int
    /// When the credentials stop working, as Unix seconds; nil when there are none.
    let expiresAt: Int?
    /// Every configured server's health, those left out included.
    let health: [Health]
    /// For the user when relaying is down, unknown or stale (``IceAdvice``); null when it works.
    @NullWhenAbsent var warning: String?

    /// The list for `userId` on `appointmentId`; TURN credentials expire after the configured
    /// TTL or at `deadline` (the appointment's window end), whichever comes first.
    /// Servers whose recorded health is critical (and fresh) are left out unless none of their
    /// kind is left (``IceAdvice``).
    init(configuration: SignalingConfiguration, userId: Int64, appointmentId: Int64, now: Date, deadline: Date,
         health recorded: [String: IceServerHealth]) throws {
        let advice = IceAdvice(stun: configuration.iceServers.filter { !$0.scheme.isTURN }.map(\.description),
                               turn: configuration.iceServers.filter { $0.scheme.isTURN }.map(\.description),
                               health: recorded, now: now)
        let (stun, turn) = (advice.stun, advice.turn)
        var entries: [Entry] = stun.isEmpty ? [] : [Entry(urls: stun, username: nil, credential: nil)]
        var expiry: Int?
        var lifetime = 0
        if !turn.isEmpty, let secret = configuration.turnSecret {
            lifetime = max(1, min(configuration.turnCredentialTTL, Int(deadline.timeIntervalSince(now).rounded(.down))))
            let credentials = try TurnRESTCredentials(secret: secret, user: "\(userId):\(appointmentId)", ttl: lifetime, now: now)
            entries.append(Entry(urls: turn, username: credentials.username, credential: credentials.password))
            expiry = credentials.expiry
        }
        iceServers = entries
        ttl = lifetime
        expiresAt = expiry
        health = configuration.iceServers.map(\.description).map { url in
            guard let record = recorded[url] else { return Health(url: url, status: "unchecked", checkedAt: nil) }
            let stale = record.isStale(at: now, staleAfter: IceAdvice.staleAfter)
            return Health(url: url, status: stale ? "stale" : record.status, checkedAt: record.checkedAt)
        }
        warning = advice.warning
    }
}

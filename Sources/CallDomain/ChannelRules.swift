/// Who may subscribe to which channel: the rules behind `/broadcasting/auth`.
///
/// | channel | allowed for |
/// |---|---|
/// | `private-appointments.{id}` | a participant (doctor or patient user) of the appointment |
/// | `private-users.{id}`, `private-App.Models.User.{id}` | user `{id}` |
/// | `private-tenant.{tid}.*` | a user of tenant `{tid}` |
/// | `presence-tenant.{tid}.editing.{type}.{id}` | a user of tenant `{tid}` |
/// | any other private or presence channel | nobody (`unknown_channel`) |
/// | no `private-`/`presence-` prefix, e.g. `news` or `PRIVATE-appointments.3` | nobody (`unknown_channel`) |
///
/// A public channel needs no authorization, so there is nothing to sign: Laravel's Pusher
/// broadcaster refuses every name without a `private-` or `presence-` prefix (403), and so do
/// these rules. The prefixes are case-sensitive, as in Pusher: `PRIVATE-x` and `Presence-x`
/// are public channels, which the hub lets anyone subscribe to, and are never signed here.
///
/// Refusals: `unauthenticated` without a user, `not_participant` for another user's or another
/// appointment's channel, `wrong_tenant` for another tenant's channel, `unknown_channel` for a
/// private channel no rule covers or a public channel, `validation` for a malformed name. All
/// are 403 except `unauthenticated` (401) and `validation` (422).
public enum ChannelRules {
    /// Decides whether `user` (nil when unauthenticated) may subscribe to `channel`.
    ///
    /// `isParticipant` is asked, only for appointment channels, whether the user is the
    /// appointment's doctor or patient; a missing appointment must answer false, so that the
    /// answer does not reveal which appointments exist.
    public static func authorize(
        channel: String,
        user: ChannelUser?,
        isParticipant: (_ appointmentId: Int64) async throws -> Bool
    ) async rethrows -> ChannelDecision {
        let parsed: ChannelName
        do {
            parsed = try ChannelName(parsing: channel)
        } catch {
            return .refused(error)
        }
        guard parsed.needsAuthorization else { return .refused(DomainError(.unknownChannel, publicRefusal(channel))) }
        guard let user else {
            return .refused(DomainError(.unauthenticated, "Subscribing to \(channel) needs a signed-in user; send a valid token."))
        }
        switch parsed {
        case .appointment(let appointmentId):
            guard try await isParticipant(appointmentId) else {
                return .refused(DomainError(
                    .notParticipant, "User \(user.id) is not a participant of appointment \(appointmentId)."
                ))
            }
        case .user(let id), .laravelUser(let id):
            guard id == user.id else {
                return .refused(DomainError(.notParticipant, "Channel \(channel) belongs to another user than \(user.id)."))
            }
        case .tenant(let tenantId, _), .tenantEditing(let tenantId, _, _):
            guard tenantId == user.tenantId else {
                return .refused(DomainError(
                    .wrongTenant, "Channel \(channel) belongs to tenant \(tenantId); user \(user.id) is in tenant \(user.tenantId)."
                ))
            }
        case .unknownPrivate:
            return .refused(DomainError(.unknownChannel, "No rule authorizes channel \(channel)."))
        case .publicChannel:
            return .refused(DomainError(.unknownChannel, publicRefusal(channel)))
        }
        return .allowed(parsed)
    }

    /// Why a public channel is not signed, and what to do instead.
    static func publicRefusal(_ channel: String) -> String {
        let lowercased = channel.lowercased()
        if lowercased.hasPrefix("private-") || lowercased.hasPrefix("presence-") {
            return "Channel \(channel) is not a private or presence channel: Pusher's prefixes are lowercase (private-, presence-), "
                + "so this name is a public channel; /broadcasting/auth signs only private- and presence- channels. "
                + "Spell the prefix in lowercase."
        }
        return "Channel \(channel) is public: subscribe to it without authorization; /broadcasting/auth signs only "
            + "private- and presence- channels."
    }
}

/// The signed-in user asking for a channel.
public struct ChannelUser: Sendable, Equatable, Hashable {
    /// `users.id`.
    public var id: Int64
    /// `users.tenant_id`.
    public var tenantId: Int64

    /// Creates a channel user.
    public init(id: Int64, tenantId: Int64) {
        self.id = id
        self.tenantId = tenantId
    }
}

/// The answer of ``ChannelRules/authorize(channel:user:isParticipant:)``.
public enum ChannelDecision: Sendable, Equatable {
    /// Subscription allowed; carries the parsed channel.
    case allowed(ChannelName)
    /// Subscription refused, with the reason.
    case refused(DomainError)

    /// The refusal's reason code, or nil when allowed.
    public var refusal: ReasonCode? {
        if case .refused(let error) = self { return error.reason }
        return nil
    }
}

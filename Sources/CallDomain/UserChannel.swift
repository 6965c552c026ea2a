/// The values of `events.user_channel`: which of a user's own channels rings also go to, so a
/// callee who is not on the appointment's page still rings.
public enum UserChannel: String, Sendable, CaseIterable {
    /// `private-users.{id}`.
    case users = "private-users"
    /// `private-App.Models.User.{id}` (Laravel's default notification channel).
    case laravel = "private-App.Models.User"
    /// Rings go to the appointment's channel only.
    case off

    /// The channel for `userId`, or nil when off.
    public func channel(for userId: Int64) -> ChannelName? {
        switch self {
        case .users: .user(userId)
        case .laravel: .laravelUser(userId)
        case .off: nil
        }
    }
}

extension CallEventKind {
    /// True for the events that also go to the callee's own channel: the ring and its
    /// withdrawal (the browser dedupes by `callId`).
    public var reachesCallee: Bool { self == .requested || self == .cancelled }
}

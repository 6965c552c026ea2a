import Foundation
import RecordingStorage

/// The daemon's side of recordings (docs/design.md, "Recordings"): the webhook's shared secret,
/// the storage downloads are signed for, and how long a download URL lives.
public struct RecordingSettings: Sendable {
    /// The secret `POST /webhooks/recording` is signed with (`CALLCTL_RECORDING_WEBHOOK_SECRET`);
    /// nil refuses every call to it with 503 `webhook_not_configured`.
    public var webhookSecret: String?
    /// Where the files are, for signed download URLs; nil (in tests) answers downloads 503.
    public var storage: (any RecordingStorage)?
    /// Seconds a download URL is valid (`--recording-link-ttl`).
    public var linkLifetime: Int

    /// Creates settings; by default the webhook is off and there is no storage.
    public init(webhookSecret: String? = nil, storage: (any RecordingStorage)? = nil, linkLifetime: Int = 300) {
        self.webhookSecret = webhookSecret
        self.storage = storage
        self.linkLifetime = linkLifetime
    }
}

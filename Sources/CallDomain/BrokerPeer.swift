import Foundation

/// A PeerJS peer id callctl issued to one participant of one call (docs/design.md, "PeerJS
/// broker"). The broker relays signaling only between the two current peers of one open call.
public struct BrokerPeer: Sendable, Equatable, Hashable {
    /// The id the browser opens `new Peer(id, …)` with.
    public let peerId: String
    /// `users.id` of the participant it was issued to.
    public let userId: Int64
    /// `appointments.id`.
    public let appointmentId: Int64
    /// `call_sessions.id`.
    public let callId: UUID
    /// Until when its token lets a socket connect (a connected socket stays until the call ends).
    public let expiresAt: Date
    /// False once the participant was issued a newer id for the call (a page reload).
    public let current: Bool
    /// False once the call ended.
    public let callOpen: Bool

    /// Creates the binding.
    public init(peerId: String, userId: Int64, appointmentId: Int64, callId: UUID, expiresAt: Date, current: Bool,
                callOpen: Bool) {
        self.peerId = peerId
        self.userId = userId
        self.appointmentId = appointmentId
        self.callId = callId
        self.expiresAt = expiresAt
        self.current = current
        self.callOpen = callOpen
    }

    /// Whether the id may still be used: current and its call open.
    public var usable: Bool { current && callOpen }

    /// The longest peer id the broker accepts.
    public static let maximumIdLength = 64

    /// Whether `text` is a peer id the PeerJS client accepts (`/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/`,
    /// the client's own check) and within ``maximumIdLength``.
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumIdLength else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        var previousWasSeparator = true
        for byte in bytes {
            if alphanumeric(byte) {
                previousWasSeparator = false
            } else if byte == 0x20 || byte == 0x5F || byte == 0x2D, !previousWasSeparator {
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !previousWasSeparator
    }

    /// The binding of a diagnostic peer id, `diag-{32 hex digits}-a` or `-b`, which
    /// `diagnose peerjs` mints with the app's secret: the two ids of one hex string are the two
    /// participants (users -1 and -2) of a call of that id, appointment 0, and nothing else.
    /// Nil for any other id.
    public static func diagnostic(_ peerId: String) -> BrokerPeer? {
        let bytes = Array(peerId.utf8)
        guard bytes.count == 39, peerId.hasPrefix("diag-"), bytes[37] == 0x2D, bytes[38] == 0x61 || bytes[38] == 0x62 else { return nil }
        let hex = String(decoding: bytes[5..<37], as: UTF8.self)
        guard hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        var text = hex
        for index in [20, 16, 12, 8] { text.insert("-", at: text.index(text.startIndex, offsetBy: index)) }
        guard let callId = UUID(uuidString: text) else { return nil }
        return BrokerPeer(peerId: peerId, userId: bytes[38] == 0x61 ? -1 : -2, appointmentId: 0, callId: callId,
                          expiresAt: .distantFuture, current: true, callOpen: true)
    }

    /// The two diagnostic peer ids of a throwaway call named by 16 random bytes.
    public static func diagnosticPair(randomBytes: [UInt8]) -> (String, String) {
        let hex = String(newId(randomBytes: randomBytes).dropFirst(2))
        return ("diag-\(hex)-a", "diag-\(hex)-b")
    }

    /// Whether this is a diagnostic peer (``diagnostic(_:)``), which leaves no audit rows.
    public var isDiagnostic: Bool { appointmentId == 0 }

    /// A new peer id from 16 random bytes: `cc` and 32 lowercase hex digits.
    public static func newId(randomBytes: [UInt8]) -> String {
        precondition(randomBytes.count == 16, "a peer id takes 16 random bytes")
        let digits = Array("0123456789abcdef".utf8)
        return "cc" + String(decoding: randomBytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}

/// What the broker does with an OFFER, ANSWER, CANDIDATE, LEAVE or EXPIRE a peer sends.
public enum BrokerRelayVerdict: Sendable, Equatable {
    /// Deliver it (or queue it until the destination connects).
    case relay
    /// The destination was the other participant's id before a reload, or the call ended:
    /// answer EXPIRE, which the PeerJS client reports as `peer-unavailable` without giving up.
    case expire
    /// Not a destination this peer may signal to: answer ERROR and close.
    case refuse(String)
}

/// The broker's rule: signaling flows only between the two participants of one open call
/// (docs/design.md, "PeerJS broker").
public enum BrokerRelayRule {
    /// What to do with a message from `sender` to the peer id `dst`, whose binding is
    /// `destination` (nil when callctl never issued it).
    public static func verdict(from sender: BrokerPeer, dst: String, destination: BrokerPeer?) -> BrokerRelayVerdict {
        guard let destination else {
            return .refuse("Peer \(dst.prefix(BrokerPeer.maximumIdLength)) was not issued by callctl; signal only to the other participant of your call.")
        }
        guard destination.callId == sender.callId, destination.userId != sender.userId else {
            return .refuse("Peer \(dst) is not the other participant of your call.")
        }
        return destination.usable && sender.callOpen ? .relay : .expire
    }
}

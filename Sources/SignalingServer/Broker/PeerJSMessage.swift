import PusherProtocol

/// The PeerJS server protocol's messages (`{"type", "src", "dst", "payload"}`), as the stock
/// PeerServer and the PeerJS 1.x client speak them.
enum PeerJSMessage {
    /// The message types.
    enum Kind: String {
        case open = "OPEN", heartbeat = "HEARTBEAT", offer = "OFFER", answer = "ANSWER", candidate = "CANDIDATE"
        case leave = "LEAVE", expire = "EXPIRE", idTaken = "ID-TAKEN", error = "ERROR"

        /// Whether a peer sends it to another peer through the broker.
        var isRelayed: Bool { [.offer, .answer, .candidate, .leave, .expire].contains(self) }
    }

    /// A message a peer sent.
    struct Incoming {
        let kind: Kind
        let dst: String?
        let payload: PusherJSON?
    }

    /// Why a frame is not a message the broker takes.
    enum Problem: Error, Equatable {
        case notJSON, noType, unknownType(String), badDestination

        /// The ERROR message sent back.
        var message: String {
            switch self {
            case .notJSON: "Invalid message: not a JSON object"
            case .noType: "Invalid message: no type"
            case .unknownType(let type): "Invalid message: unknown type \(type.prefix(32))"
            case .badDestination: "Invalid message: dst must be a peer id string"
            }
        }
    }

    /// Reads a frame.
    static func parse(_ text: String) -> Result<Incoming, Problem> {
        guard let json = PusherJSON(parsing: Array(text.utf8)), case .object = json else { return .failure(.notJSON) }
        guard let type = json["type"]?.stringValue else { return .failure(.noType) }
        guard let kind = Kind(rawValue: type), kind == .heartbeat || kind.isRelayed else { return .failure(.unknownType(type)) }
        let dst: String?
        switch json["dst"] {
        case nil, .null?: dst = nil
        case .string(let value)?: dst = value
        default: return .failure(.badDestination)
        }
        return .success(Incoming(kind: kind, dst: dst, payload: json["payload"]))
    }

    /// `{"type":…,"src":…,"dst":…,"payload":…}` in the stock server's key order; absent parts left out.
    static func encode(_ kind: Kind, src: String? = nil, dst: String? = nil, payload: PusherJSON? = nil) -> String {
        var parts = ["\"type\":" + PusherJSON.string(kind.rawValue).jsonString]
        if let src { parts.append("\"src\":" + PusherJSON.string(src).jsonString) }
        if let dst { parts.append("\"dst\":" + PusherJSON.string(dst).jsonString) }
        if let payload { parts.append("\"payload\":" + payload.jsonString) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// `{"type":"ERROR","payload":{"msg":…}}` (the client aborts on it).
    static func error(_ message: String) -> String {
        encode(.error, payload: .object(["msg": .string(message)]))
    }

    /// `{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}`.
    static let idTaken = encode(.idTaken, payload: .object(["msg": .string("ID is taken")]))

    /// `{"type":"OPEN"}`.
    static let open = encode(.open)
}

/// Pusher protocol 7 error codes, sent in `pusher:error` and used as WebSocket close codes.
///
/// The range tells the client what to do: 4000–4099 do not reconnect with the same
/// parameters, 4100–4199 reconnect after at least a second, 4200–4299 reconnect
/// immediately, 4300–4399 other errors.
public enum PusherErrorCode: Int, Sendable, CaseIterable {
    /// 4000: the application only accepts SSL connections; reconnect using wss://.
    case sslOnly = 4000
    /// 4001: the application does not exist.
    case appDoesNotExist = 4001
    /// 4003: the application is disabled.
    case appDisabled = 4003
    /// 4004: the application is over its connection quota.
    case overConnectionQuota = 4004
    /// 4005: path not found.
    case pathNotFound = 4005
    /// 4006: invalid version string format.
    case invalidVersionStringFormat = 4006
    /// 4007: unsupported protocol version.
    case unsupportedProtocolVersion = 4007
    /// 4008: no protocol version supplied.
    case noProtocolVersionSupplied = 4008
    /// 4009: the connection is unauthorized.
    case connectionUnauthorized = 4009
    /// 4100: over capacity.
    case overCapacity = 4100
    /// 4200: generic reconnect immediately.
    case reconnectImmediately = 4200
    /// 4201: a ping was sent but no pong was received in time.
    case pongNotReceived = 4201
    /// 4202: closed after a long inactivity by a client that does not ping.
    case closedAfterInactivity = 4202
    /// 4301: client event rejected due to rate limit.
    case clientEventRateLimited = 4301

    /// What the client should do after this error.
    public enum Reconnect: Sendable, Equatable {
        /// Do not reconnect with the same parameters (4000–4099).
        case never
        /// Reconnect after at least one second (4100–4199).
        case afterBackoff
        /// Reconnect immediately (4200–4299).
        case immediately
        /// Not a connection-closing error (4300–4399).
        case notApplicable
    }

    /// The reconnect advice implied by the code's range.
    public var reconnect: Reconnect {
        switch rawValue {
        case 4000..<4100: .never
        case 4100..<4200: .afterBackoff
        case 4200..<4300: .immediately
        default: .notApplicable
        }
    }

    /// A short human-readable message for `pusher:error`.
    public var message: String {
        switch self {
        case .sslOnly: "Application only accepts SSL connections, reconnect using wss://"
        case .appDoesNotExist: "Application does not exist"
        case .appDisabled: "Application disabled"
        case .overConnectionQuota: "Application is over connection quota"
        case .pathNotFound: "Path not found"
        case .invalidVersionStringFormat: "Invalid version string format"
        case .unsupportedProtocolVersion: "Unsupported protocol version"
        case .noProtocolVersionSupplied: "No protocol version supplied"
        case .connectionUnauthorized: "Connection is unauthorized"
        case .overCapacity: "Over capacity"
        case .reconnectImmediately: "Generic reconnect immediately"
        case .pongNotReceived: "Pong reply not received"
        case .closedAfterInactivity: "Closed after inactivity"
        case .clientEventRateLimited: "Client event rejected due to rate limit"
        }
    }
}

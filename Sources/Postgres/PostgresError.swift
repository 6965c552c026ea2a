/// An error from the database layer. Its text never contains a password or a full
/// connection string: libpq messages are redacted before they are stored here.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of operation failed.
    public enum Kind: String, Sendable {
        /// Connecting, or the connection was lost.
        case connection
        /// The server refused or failed a statement.
        case query
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// The connection pool was closed or could not hand out a connection.
        case pool
        /// Every connection of a pool stayed busy past its acquire timeout: the server is
        /// overloaded, the request was not started.
        case overloaded
        /// The connection settings are invalid (a bad option value), before any network I/O.
        case settings
    }

    /// What kind of operation failed.
    public let kind: Kind
    /// The primary message, redacted.
    public let message: String
    /// The SQLSTATE code for server errors (e.g. `23505`).
    public let sqlState: String?
    /// The server's DETAIL line, if any.
    public let detail: String?
    /// The server's HINT line, if any.
    public let hint: String?

    /// Creates an error; callers inside this module redact `message` first.
    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    /// True when the database is unreachable or the connection broke, as opposed to a
    /// statement the server refused: callers map this to "service unavailable" (exit 69).
    public var isUnavailable: Bool {
        if kind == .connection || kind == .pool { return true }
        guard let state = sqlState else { return false }
        // Class 08 is connection exceptions; 57P01-57P03 are shutdown/cannot-connect-now.
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// True for a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String {
        var text = message
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}

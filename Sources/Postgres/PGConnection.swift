import CLibPQ
import Foundation

/// One libpq connection. Not thread-safe: use it from one thread at a time (the pool
/// guarantees that). Every statement with values uses parameters (`$1`, `$2`, ...).
public final class PGConnection {
    private var handle: OpaquePointer?
    /// The settings this connection was opened with.
    public let settings: ConnectionSettings
    /// Whether statements with parameters are prepared once per session and reused
    /// (``StatementCache``); off by default.
    public var preparesStatements = false
    var statements = StatementCache()

    /// Opens a connection; unset options behave as in psql (PG* variables, .pgpass, sslmode).
    /// The session runs in UTC with ISO dates so timestamps decode the same everywhere.
    public init(settings: ConnectionSettings, applicationName: String = "callctl") throws(PostgresError) {
        self.settings = settings
        let keywords = ["dbname", "fallback_application_name"]
        let values = [settings.conninfo, applicationName]
        let connection = keywords.withCStringArray { keywordArray in
            values.withCStringArray { valueArray in
                PQconnectdbParams(keywordArray, valueArray, 1)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let raw = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            let reason = settings.redact(raw)
            let kind: PostgresError.Kind = reason.hasPrefix("invalid ") ? .settings : .connection
            throw PostgresError(kind, "cannot connect to PostgreSQL at \(settings): \(reason)")
        }
        handle = connection
        try execute(Self.sessionSetup)
    }

    /// Run on every new or reset connection: UTC, ISO dates, and server notices (such as
    /// "already exists, skipping") kept off the user's terminal.
    static let sessionSetup = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning"

    deinit { close() }

    /// Closes the connection; further use throws.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// True when the connection is open and usable.
    public var isHealthy: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True when the server has sent something to this connection while it sat idle. A
    /// connection that runs no `LISTEN` hears nothing between statements unless the server
    /// closed it (a restart, `pg_terminate_backend`, an idle timeout: a FATAL message, then
    /// EOF), which libpq only notices when the next statement fails on it; the pool checks
    /// this before reuse and reconnects instead.
    public var closedWhileIdle: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// True when a transaction is open (or failed and not yet rolled back).
    public var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's backend process id, as `pg_backend_pid()` reports it.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// Re-establishes a broken connection with the same settings.
    public func reset() throws(PostgresError) {
        guard let handle else { throw PostgresError(.connection, "the connection is closed") }
        PQreset(handle)
        statements.clear()
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connection, "cannot reconnect to PostgreSQL at \(settings): "
                + settings.redact(String(cString: PQerrorMessage(handle))))
        }
        try execute(Self.sessionSetup)
    }

    /// Runs one statement with parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PGEncodable)?] = []) throws(PostgresError) -> PGResult {
        let connection = try liveHandle()
        let types = parameters.map { $0.map { type(of: $0).pgType } ?? PGType.unspecified }
        let texts: [String?] = parameters.map { $0?.pgText }
        let result = texts.withOptionalCStringArray { valueArray -> Result<OpaquePointer?, PostgresError> in
            if preparesStatements {
                return Result { () throws(PostgresError) in try executePrepared(sql, types: types, values: valueArray, on: connection) }
            }
            return .success(types.withUnsafeBufferPointer { typeBuffer in
                PQexecParams(connection, sql, Int32(texts.count), typeBuffer.baseAddress, valueArray, nil, nil, 0)
            })
        }
        return try check(result.get())
    }

    /// Runs one statement with parameters, variadic form.
    @discardableResult
    public func query(_ sql: String, _ first: (any PGEncodable)?, _ rest: (any PGEncodable)?...) throws(PostgresError) -> PGResult {
        try query(sql, [first] + rest)
    }

    /// Asks the server for the smallest answer (`SELECT 1`): whether it answers at all.
    public func ping() throws(PostgresError) {
        _ = try query("SELECT 1")
    }

    /// Runs a fixed script that takes no values (several statements allowed), e.g. a migration.
    public func execute(_ script: String) throws(PostgresError) {
        let connection = try liveHandle()
        try check(PQexec(connection, script))
    }

    @discardableResult
    func check(_ result: OpaquePointer?) throws(PostgresError) -> PGResult {
        guard let result else {
            throw PostgresError(.connection, "the connection to PostgreSQL at \(settings) was lost: "
                + redactedConnectionMessage())
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(handle: result)
        default:
            let field = { (code: Character) -> String? in
                guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
                return self.settings.redact(String(cString: value))
            }
            let sqlState = field("C")
            let primary = field("M") ?? redactedConnectionMessage()
            let error = PostgresError(sqlState == nil && !isHealthy ? .connection : .query, primary,
                                      sqlState: sqlState, detail: field("D"), hint: field("H"))
            PQclear(result)
            throw error
        }
    }

    private func redactedConnectionMessage() -> String {
        guard let handle else { return "the connection is closed" }
        return settings.redact(String(cString: PQerrorMessage(handle)))
    }

    func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(.connection, "the connection is closed") }
        return handle
    }
}

extension Array where Element == String {
    func withCStringArray<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        map(Optional.some).withOptionalCStringArray { body($0!) }
    }
}

extension Array where Element == String? {
    func withOptionalCStringArray<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let duplicates: [UnsafeMutablePointer<CChar>?] = map { $0.map { strdup($0) } }
        defer { duplicates.forEach { free($0) } }
        let pointers = duplicates.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

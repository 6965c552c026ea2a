import Crypto
import Foundation
import HTTPClient
import LocalServices
import Testing

/// A real `callctl serve` on 127.0.0.1 against a test database. It listens on port 0 and the
/// port it got is read back from its `listening` log line (JSON logs on stderr), so no other
/// process can take the port in between. `stop()` sends SIGTERM and returns the exit status
/// and stderr; a server dropped before that (a test that threw) is killed and reaped, and its
/// files removed.
final class ServeProcess: @unchecked Sendable {
    /// The HS256 secret the daemon gets unless a test sets the JWT variables itself.
    static let jwtSecret = "serve-tests-hs256-secret-5b2e91d4"
    /// The Pusher app the daemon hosts unless a test sets the REVERB variables itself.
    static let appID = "4242"
    static let appKey = "serve-tests-key"
    static let appSecret = "serve-tests-app-secret-77c1"
    /// The User-Agent every request sends, as the audit rows record it.
    static let userAgent = "serve-tests/1.0"

    /// How the process ended.
    struct Ending: Sendable {
        /// The exit status (128 + signal number when killed).
        let status: Int32
        let standardError: String
    }

    private(set) var port = 0
    /// The daemon's process id.
    let pid: pid_t
    private let directory: URL
    private let lock = NSLock()
    private var ending: Ending?

    /// Spawns `callctl serve --listen 127.0.0.1:0 --log-format json arguments` with
    /// ``variables(databaseURL:_:)``.
    private init(databaseURL: String, arguments: [String], environment: [String: String?]) throws {
        let directory = try makeScratchDirectory("callctl-serve")
        let variables = Self.variables(databaseURL: databaseURL, environment)
        let command = "exec \"$0\" \"$@\" >'\(directory.path)/out' 2>'\(directory.path)/err'"
        let serve = ["serve", "--listen", "127.0.0.1:0", "--log-format", "json"] + arguments
        do {
            pid = try CommandRunner.spawnDetached(["sh", "-c", command, CLI.path] + serve, environment: CLI.environment(variables))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        self.directory = directory
    }

    /// The daemon's variable changes: `DATABASE_URL`, `CALLCTL_JWT_SECRET` = ``jwtSecret``, the
    /// ``appID`` app and no other JWT, TTL or Pusher variable, then `environment` (a nil value
    /// removes a variable). ``RouterWorld`` configures its router with the same.
    static func variables(databaseURL: String, _ environment: [String: String?]) -> [String: String?] {
        var variables: [String: String?] = [
            "DATABASE_URL": databaseURL, "CALLCTL_JWT_SECRET": jwtSecret, "CALLCTL_JWT_PUBLIC_KEY": nil, "CALLCTL_TURN_TTL": nil,
            "REVERB_APP_ID": appID, "REVERB_APP_KEY": appKey, "REVERB_APP_SECRET": appSecret, "CALLCTL_PUSHER_APPS": nil,
            "CALLCTL_PUSHER_URL": nil,
        ]
        variables.merge(environment) { $1 }
        return variables
    }

    deinit {
        if ending == nil {
            kill(pid, SIGKILL)
            _ = try? CommandRunner.wait(for: pid)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A daemon that listens and answers `/healthz` within `seconds`; throws with its stderr otherwise.
    static func start(_ database: TestDatabase, _ arguments: [String] = [], environment: [String: String?] = [:],
                      within seconds: Double = 10) throws -> ServeProcess {
        let server = try ServeProcess(databaseURL: database.connectionString, arguments: arguments, environment: environment)
        guard server.awaitListening(within: seconds) else {
            let ending = try server.kill9()
            throw LocalServiceError("callctl serve did not start (status \(ending.status)): \(ending.standardError)")
        }
        let health = try server.request("GET", "/healthz")
        guard health.status == 200 else {
            throw LocalServiceError("callctl serve answered /healthz with \(health.status): \(health.text)")
        }
        return server
    }

    /// Runs a daemon that is expected to refuse to start: its ending, or an error (and the daemon
    /// stopped) when it listens after all or is still running after `seconds`.
    static func refusal(_ database: TestDatabase, _ arguments: [String] = [], environment: [String: String?] = [:],
                        within seconds: Double = 10) throws -> Ending {
        let server = try ServeProcess(databaseURL: database.connectionString, arguments: arguments, environment: environment)
        if server.awaitListening(within: seconds) {
            let ending = try server.stop()
            throw LocalServiceError("callctl serve started although it should have refused: \(ending.standardError)")
        }
        guard let ending = server.reaped() else {
            throw LocalServiceError("callctl serve neither listened nor exited: \(try server.kill9().standardError)")
        }
        return ending
    }

    /// What the daemon has written to stderr so far.
    var standardError: String {
        lock.withLock { ending?.standardError } ?? ((try? String(contentsOf: directory.appendingPathComponent("err"), encoding: .utf8)) ?? "")
    }

    /// SIGTERM, then waits up to `seconds` for the exit (SIGKILL after that, status 137).
    /// Once stopped, returns the same ending again.
    @discardableResult
    func stop(within seconds: Double = 10) throws -> Ending {
        if let ending = reaped() { return ending }
        kill(pid, SIGTERM)
        if eventually(within: seconds, { reaped() != nil }), let ending = reaped() { return ending }
        return try kill9()
    }

    /// `kill -9` and reap (no signal once reaped).
    private func kill9() throws -> Ending {
        if let ending = reaped() { return ending }
        kill(pid, SIGKILL)
        let status = try CommandRunner.wait(for: pid)
        return record(status)
    }

    /// True once the daemon logged `listening` (its port is then known); false when it exited first
    /// or `seconds` passed.
    private func awaitListening(within seconds: Double) -> Bool {
        _ = eventually(within: seconds) { reaped() != nil || listeningPort() != nil }
        guard reaped() == nil, let port = listeningPort() else { return false }
        self.port = port
        return true
    }

    /// The port of the `listening` log line, once written.
    private func listeningPort() -> Int? {
        for line in standardError.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["msg"] as? String == "listening", let address = object["address"] as? String,
                  let colon = address.lastIndex(of: ":") else { continue }
            return Int(address[address.index(after: colon)...])
        }
        return nil
    }

    /// The ending, when the process has exited (reaping it without blocking).
    private func reaped() -> Ending? {
        if let ending = lock.withLock({ ending }) { return ending }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7f
        return record(signal == 0 ? (status >> 8) & 0xff : 128 + signal)
    }

    private func record(_ status: Int32) -> Ending {
        let text = (try? String(contentsOf: directory.appendingPathComponent("err"), encoding: .utf8)) ?? ""
        return lock.withLock {
            let ending = Ending(status: status, standardError: text)
            self.ending = ending
            return ending
        }
    }

    /// Sends a request with `Authorization: Bearer token` when given, and `json` (any
    /// JSONSerialization value) or raw `body` as the body.
    func request(_ method: String, _ path: String, token: String? = nil, json: Any? = nil, body: Data? = nil,
                 headers: [(String, String)] = []) throws -> ServeResponse {
        var fields = [("User-Agent", Self.userAgent)] + headers
        if let token { fields.append(("Authorization", "Bearer \(token)")) }
        var payload = body
        if let json {
            payload = try JSONSerialization.data(withJSONObject: json)
            fields.append(("Content-Type", "application/json"))
        }
        let response = try HTTPClient.send(HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: fields,
                                                       body: payload, timeout: .seconds(10)))
        return ServeResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// One answer of the daemon.
struct ServeResponse: @unchecked Sendable {
    let status: Int
    /// Header names lowercased.
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object; empty when it is not one.
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    /// The `reason` of an error body.
    var reason: String? { json["reason"] as? String }

    /// Records an issue unless this is an error with `status`, `reason`, a sentence and a JSON content type.
    func expectError(_ status: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(self.reason == reason, "\(text)", sourceLocation: sourceLocation)
        #expect((json["error"] as? String)?.isEmpty == false, "\(text)", sourceLocation: sourceLocation)
        #expect(headers["content-type"] == "application/json", sourceLocation: sourceLocation)
    }
}

/// Signed bearer tokens: HS256 with a secret, RS256 with an ``RSAKeyPair``.
enum ServeToken {
    /// `sub` (a number), `exp` an hour (or `expiresIn` seconds) from now, and `jti` when given.
    static func claims(user: Int64, expiresIn: TimeInterval = 3600, jti: String? = nil) -> [String: Any] {
        var claims: [String: Any] = ["sub": user, "exp": Int(Date().timeIntervalSince1970 + expiresIn)]
        if let jti { claims["jti"] = jti }
        return claims
    }

    /// An HS256 token for `claims`.
    static func hs256(_ claims: [String: Any], secret: String = ServeProcess.jwtSecret) throws -> String {
        let input = try signingInput(algorithm: "HS256", claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    /// An HS256 token for `user` with the default claims.
    static func hs256(user: Int64, jti: String? = nil) throws -> String {
        try hs256(claims(user: user, jti: jti))
    }

    /// `base64url(header).base64url(claims)`.
    static func signingInput(algorithm: String, _ claims: [String: Any]) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": algorithm, "typ": "JWT"], options: .sortedKeys)
        return base64URL(header) + "." + base64URL(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A 2048-bit RSA key pair made by the `openssl` CLI in a scratch directory (removed when
/// dropped), as Laravel Passport's oauth-private.key and oauth-public.key.
final class RSAKeyPair {
    private let directory: URL
    var privateKeyPath: String { directory.appendingPathComponent("private.pem").path }
    /// The PEM public key, for `CALLCTL_JWT_PUBLIC_KEY`.
    var publicKeyPath: String { directory.appendingPathComponent("public.pem").path }

    init() throws {
        directory = try makeScratchDirectory("callctl-rsa")
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privateKeyPath])
        try Self.openssl(["pkey", "-in", privateKeyPath, "-pubout", "-out", publicKeyPath])
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// An RS256 token for `claims`, signed with `openssl dgst -sha256 -sign`.
    func rs256(_ claims: [String: Any]) throws -> String {
        let input = try ServeToken.signingInput(algorithm: "RS256", claims)
        let name = UUID().uuidString
        let inputFile = directory.appendingPathComponent("\(name).in"), signatureFile = directory.appendingPathComponent("\(name).sig")
        try Data(input.utf8).write(to: inputFile)
        try Self.openssl(["dgst", "-sha256", "-sign", privateKeyPath, "-out", signatureFile.path, inputFile.path])
        return input + "." + ServeToken.base64URL(try Data(contentsOf: signatureFile))
    }

    private static func openssl(_ arguments: [String]) throws {
        let outcome = try CommandRunner.run(["openssl"] + arguments)
        guard outcome.status == 0 else { throw LocalServiceError("openssl \(arguments[0]) failed: \(outcome.output)") }
    }
}

import Foundation
import PusherProtocol
import Testing

/// Issue 10: every authenticated route and channel kind of the daemon's router (in the test
/// process, ``RouterWorld``) × the
/// credentials a caller can hold, with the status and `reason` each cell must get. The test
/// prints the table (Markdown) and fails for every cell that differs from its expectation and
/// when `docs/authorization-matrix.md` does not hold the same table (so the doc cannot go stale;
/// `CALLCTL_MATRIX_WRITE=1` rewrites the doc's block instead).
@Suite("authorization matrix", .serialized)
struct AuthorizationMatrixTests {
    /// The bearer-token columns, in the table's order.
    enum Credential: String, CaseIterable {
        case noToken = "no token", expired, revoked, wrongSignature = "wrong signature", clientToken = "Passport client token",
             noJTI = "no jti", deletedUser = "deleted user", otherUser = "other user", otherTenant = "other tenant",
             rightUser = "right user"
    }

    /// The recording webhook's columns, in the table's order: the replay is the right request sent again.
    enum WebhookDelivery: String, CaseIterable {
        case unsigned = "no signature", wrong = "wrong signature", stale = "stale timestamp", right = "right signature",
             replayed = "replayed"
    }

    /// The Pusher HTTP API's columns, in the table's order.
    enum Signature: String, CaseIterable {
        case unsigned = "no signature", wrong = "wrong signature", stale = "stale timestamp", duplicate = "key named twice",
             right = "right signature"
    }

    /// One row of the bearer table: who the right user is, what the deleted user, the two foreign
    /// users and the right user must get, and how to send the request with a token (nil: no
    /// Authorization header).
    struct Row {
        let label: String
        let setup: String
        let rightUser: Int64
        var deletedUser = "401 unauthenticated"
        var otherUser = "403 not_participant"
        var otherTenant = "403 not_participant"
        var right = "200"
        /// What every column gets, for a route that reads no credentials.
        var anyone: String?
        let send: (String?) async throws -> ServeResponse

        func expected(_ credential: Credential) -> String {
            if let anyone { return anyone }
            return switch credential {
            case .noToken, .expired, .revoked, .wrongSignature, .clientToken, .noJTI: "401 unauthenticated"
            case .deletedUser: deletedUser
            case .otherUser: otherUser
            case .otherTenant: otherTenant
            case .rightUser: right
            }
        }
    }

    /// A Markdown table whose cells are compared with their expectations as they are added.
    struct Matrix {
        private(set) var lines: [String]
        private(set) var mismatches: [String] = []

        init(_ columns: [String]) {
            lines = ["| " + columns.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: columns.count)]
        }

        /// Adds a row; a cell that differs reads `✗ actual (want expected)` and is listed in ``mismatches``.
        mutating func add(_ heads: [String], _ cells: [(column: String, actual: String, expected: String)]) {
            let texts = cells.map { cell in
                guard cell.actual != cell.expected else { return cell.actual }
                mismatches.append("\(heads[0]) (\(heads.dropFirst().joined(separator: ", "))) × \(cell.column): got \(cell.actual), want \(cell.expected)")
                return "✗ \(cell.actual) (want \(cell.expected))"
            }
            lines.append("| " + (heads + texts).joined(separator: " | ") + " |")
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let document = packageRoot.appendingPathComponent("docs/authorization-matrix.md")
    static let begin = "<!-- authorization-matrix:begin -->"
    static let end = "<!-- authorization-matrix:end -->"

    @Test("every route and channel kind × no token, expired, revoked, wrong signature, other user, other tenant, right user")
    func matrix() async throws {
        let clock = ContinuousClock.now
        try await RouterWorld.test(environment: Self.recordingEnvironment, prepare: { world in
            try world.connection.query("CREATE TABLE oauth_access_tokens (id varchar(100) PRIMARY KEY, user_id bigint, revoked boolean NOT NULL)")
        }) { s in
            try await Self.matrix(s, since: clock)
        }
    }

    /// The webhook's secret and a local recording storage with download links.
    static let recordingEnvironment: [String: String?] = [
        "CALLCTL_RECORDING_WEBHOOK_SECRET": "matrix-webhook-secret-0123456789", "CALLCTL_RECORDING_STORAGE": "file:///var/lib/callctl/recordings",
        "CALLCTL_RECORDING_LINK_BASE": "https://calls.example.test/recordings", "CALLCTL_RECORDING_LINK_SECRET": "matrix-link-secret-0123456789",
    ]

    /// Fills and checks the tables on `s`.
    static func matrix(_ s: RouterWorld, since clock: ContinuousClock.Instant) async throws {
        let people = try People(s)
        var bearer = Matrix(["route or channel", "state · right user"] + Credential.allCases.map(\.rawValue))
        for row in try await Self.callRows(s) + Self.channelRows(s, people) {
            var cells: [(column: String, actual: String, expected: String)] = []
            for credential in Credential.allCases {
                cells.append((column: credential.rawValue, actual: try await row.send(try people.token(credential, for: row.rightUser)).cell,
                              expected: row.expected(credential)))
            }
            bearer.add([row.label, row.setup], cells)
        }
        var pusher = Matrix(["Pusher HTTP API"] + Signature.allCases.map(\.rawValue))
        for (label, send) in Self.pusherRows(s) {
            var cells: [(column: String, actual: String, expected: String)] = []
            for signature in Signature.allCases {
                cells.append((column: signature.rawValue, actual: try await send(signature).cell, expected: Self.expected(signature)))
            }
            pusher.add([label], cells)
        }
        var webhook = Matrix(["Recording webhook"] + WebhookDelivery.allCases.map(\.rawValue))
        let deliver = try await Self.webhookRow(s)
        var cells: [(column: String, actual: String, expected: String)] = []
        for delivery in WebhookDelivery.allCases {
            cells.append((column: delivery.rawValue, actual: try await deliver(delivery).cell, expected: Self.expected(delivery)))
        }
        webhook.add(["`POST /webhooks/recording`"], cells)
        let block = (["### Lifecycle routes and `POST /broadcasting/auth` (bearer tokens)", ""] + bearer.lines
            + ["", "### Pusher HTTP API (signed with the app secret)", ""] + pusher.lines
            + ["", "### Recording webhook (signed with CALLCTL_RECORDING_WEBHOOK_SECRET; a replay is answered as a duplicate)", ""]
            + webhook.lines).joined(separator: "\n")
        print("\n\(block)\n")
        print("authorization matrix: \(bearer.lines.count + pusher.lines.count + webhook.lines.count - 6) rows in \(clock.duration(to: .now))")
        let mismatches = bearer.mismatches + pusher.mismatches + webhook.mismatches
        #expect(mismatches.isEmpty, "\(mismatches.count) cells differ:\n\(mismatches.joined(separator: "\n"))")
        try Self.compareWithDocument(block)
    }

    /// The lifecycle routes, each on an appointment of its own (a fresh doctor and patient, now
    /// within the access window) in the state where its right user gets 200.
    static func callRows(_ s: RouterWorld) async throws -> [Row] {
        let steps: [(action: String, state: String, right: String)] = [
            ("request", "no call", "doctor"), ("accept", "ringing", "patient (callee)"), ("decline", "ringing", "patient (callee)"),
            ("cancel", "ringing", "doctor (caller)"), ("started", "accepted", "patient"), ("heartbeat", "in_call", "doctor"),
            ("end", "in_call", "patient"),
        ]
        var rows: [Row] = []
        for step in steps {
            let (appointment, doctor, patient, callId) = try await staged(s, step.state)
            rows.append(Row(label: "`POST /appointments/{id}/call/\(step.action)`", setup: "\(step.state) · \(step.right)",
                            rightUser: step.right.hasPrefix("doctor") ? doctor : patient, deletedUser: "404 not_found",
                            otherUser: "404 not_found", otherTenant: "404 not_found") { token in
                try await post(s, step.action, appointment, token: token, callId: callId)
            })
        }
        let (reported, _, reporter, reportedCall) = try await staged(s, "ringing")
        rows.append(Row(label: "`POST /appointments/{id}/call/report`", setup: "ringing · patient", rightUser: reporter,
                        deletedUser: "404 not_found", otherUser: "404 not_found", otherTenant: "404 not_found") { token in
            try await s.server.request("POST", "/appointments/\(reported)/call/report", token: token,
                                       json: ["callId": reportedCall ?? "", "kind": "ice", "candidateType": "relay"])
        })
        let (issuing, _, issuer, issuingCall) = try await staged(s, "ringing")
        rows.append(Row(label: "`POST /appointments/{id}/call/peer`", setup: "ringing · patient", rightUser: issuer,
                        deletedUser: "404 not_found", otherUser: "404 not_found", otherTenant: "404 not_found") { token in
            try await s.server.request("POST", "/appointments/\(issuing)/call/peer", token: token, json: ["callId": issuingCall ?? ""])
        })
        // Recording: consent while ringing; start in a connected call both consented to; stop while it records.
        for (command, state) in [("consent", "ringing"), ("start", "in_call, both consented"), ("stop", "recording")] {
            let (appointment, doctor, patient, callId) = try await staged(s, state == "ringing" ? "ringing" : "in_call")
            for user in state == "ringing" ? [] : [doctor, patient] {
                try #require(try await recording(s, "consent", appointment, user: user, callId: callId).status == 200)
            }
            if state == "recording" { try #require(try await recording(s, "start", appointment, user: doctor, callId: callId).status == 200) }
            rows.append(Row(label: "`POST /appointments/{id}/call/recording/\(command)`", setup: "\(state) · patient", rightUser: patient,
                            deletedUser: "404 not_found", otherUser: "404 not_found", otherTenant: "404 not_found") { token in
                try await s.server.request("POST", "/appointments/\(appointment)/call/recording/\(command)", token: token,
                                           json: ["callId": callId ?? "", "granted": true])
            })
        }
        // A recording's download: only the participants learn that it exists.
        let (recorded, recordedDoctor, recordedPatient, recordedCall) = try await staged(s, "in_call")
        for user in [recordedDoctor, recordedPatient] {
            try #require(try await recording(s, "consent", recorded, user: user, callId: recordedCall).status == 200)
        }
        try #require(try await recording(s, "start", recorded, user: recordedDoctor, callId: recordedCall).status == 200)
        try s.world.connection.query("""
            INSERT INTO recordings (id, appointment_id, call_id, storage_key, size_bytes, duration_seconds, body_sha256, received_at)
            VALUES ('matrix', $1, $2::uuid, 'matrix.webm', 1, 1, 'x', now())
            """, recorded, recordedCall ?? "")
        rows.append(Row(label: "`GET /appointments/{id}/recording`", setup: "recorded · patient", rightUser: recordedPatient,
                        deletedUser: "404 not_found", otherUser: "404 not_found", otherTenant: "404 not_found", right: "302") { token in
            try await s.server.request("GET", "/appointments/\(recorded)/recording", token: token)
        })
        // The PeerJS broker's HTTP side reads no credentials: peer ids come only from the route above.
        rows.append(Row(label: "`GET /peerjs/{key}/id` (PeerJS broker)", setup: "nobody · doctor", rightUser: issuer,
                        anyone: "403 peer_id_issued_by_callctl") { token in
            try await s.server.request("GET", "/peerjs/\(ServeProcess.appKey)/id", token: token)
        })
        rows.append(Row(label: "`GET /call-config`", setup: "any user", rightUser: reporter, otherUser: "200", otherTenant: "200") { token in
            try await s.server.request("GET", "/call-config", token: token)
        })
        let (appointment, _, patient, _) = try await staged(s, "ringing")
        for suffix in ["", "/ice-servers"] {
            rows.append(Row(label: "`GET /appointments/{id}/call\(suffix)`", setup: "ringing · patient", rightUser: patient,
                            deletedUser: "404 not_found", otherUser: "404 not_found", otherTenant: "404 not_found") { token in
                try await s.server.request("GET", "/appointments/\(appointment)/call\(suffix)", token: token)
            })
        }
        return rows
    }

    /// `POST /broadcasting/auth` for each channel kind of docs/design.md's channel rules.
    static func channelRows(_ s: RouterWorld, _ p: People) throws -> [Row] {
        let appointment = try s.appointment()
        func auth(_ channel: String) -> (String?) async throws -> ServeResponse {
            { token in try await s.server.request("POST", "/broadcasting/auth", token: token, json: ["socket_id": "1234.5678", "channel_name": channel]) }
        }
        let tenantRule = "any user of tenant {tid} · doctor"
        return [
            Row(label: "`private-appointments.{id}`", setup: "participant · patient", rightUser: s.patient,
                send: auth("private-appointments.\(appointment)")),
            Row(label: "`private-users.{id}`", setup: "user {id} · doctor", rightUser: s.doctor, send: auth("private-users.\(s.doctor)")),
            Row(label: "`private-App.Models.User.{id}`", setup: "user {id} · patient", rightUser: s.patient,
                send: auth("private-App.Models.User.\(s.patient)")),
            Row(label: "`private-tenant.{tid}.anything`", setup: tenantRule, rightUser: s.doctor, otherUser: "200",
                otherTenant: "403 wrong_tenant", send: auth("private-tenant.\(p.tenant).anything")),
            Row(label: "`presence-tenant.{tid}.editing.appointment.{id}`", setup: tenantRule, rightUser: s.doctor, otherUser: "200",
                otherTenant: "403 wrong_tenant", send: auth("presence-tenant.\(p.tenant).editing.appointment.\(appointment)")),
            // Public channels need no auth and are never signed (Laravel refuses them too); the
            // prefixes are case-sensitive, so PRIVATE-… is public.
            Row(label: "`news` (public)", setup: "nobody · doctor", rightUser: s.doctor, otherUser: "403 unknown_channel",
                otherTenant: "403 unknown_channel", right: "403 unknown_channel", send: auth("news")),
            Row(label: "`PRIVATE-appointments.{id}` (public)", setup: "nobody · patient", rightUser: s.patient,
                otherUser: "403 unknown_channel", otherTenant: "403 unknown_channel", right: "403 unknown_channel",
                send: auth("PRIVATE-appointments.\(appointment)")),
        ]
    }

    /// The Pusher HTTP API's signed routes, each sent unsigned, signed with another secret,
    /// signed 601 s ago (the window is 600 s) and signed right.
    static func pusherRows(_ s: RouterWorld) -> [(String, (Signature) async throws -> ServeResponse)] {
        let app = PusherApp(id: ServeProcess.appID, key: ServeProcess.appKey, secret: ServeProcess.appSecret)
        let wrong = PusherApp(id: app.id, key: app.key, secret: "not-the-secret-of-this-app")
        let event: [String: Any] = ["name": "probe", "data": "{}", "channel": "news"]
        let requests: [(label: String, method: String, path: String, json: Any?)] = [
            ("`POST /apps/{id}/events`", "POST", "/apps/\(app.id)/events", event),
            ("`POST /apps/{id}/batch_events`", "POST", "/apps/\(app.id)/batch_events", ["batch": [event]]),
            ("`GET /apps/{id}/channels`", "GET", "/apps/\(app.id)/channels", nil),
        ]
        return requests.map { request in
            /// Sends `request` signed for `app` as ``PusherPeer/signed(_:_:query:json:body:signedBody:timestamp:appending:)`` does.
            func signed(_ app: PusherApp, timestamp: Int? = nil, appending: String = "") async throws -> ServeResponse {
                let signed = try PusherPeer.signedRequest(request.method, request.path, app: app, json: request.json,
                                                          timestamp: timestamp, appending: appending)
                return try await s.server.request(request.method, signed.path, body: signed.body, headers: signed.headers)
            }
            return (request.label, { signature in
                switch signature {
                case .unsigned: try await s.server.request(request.method, request.path, json: request.json)
                case .wrong: try await signed(wrong)
                case .stale: try await signed(app, timestamp: Int(Date().timeIntervalSince1970) - 601)
                case .duplicate: try await signed(app, appending: "&AUTH_KEY=\(app.key)")
                case .right: try await signed(app)
                }
            })
        }
    }

    /// `POST /webhooks/recording` for a call recorded with consent, delivered as `delivery` says.
    static func webhookRow(_ s: RouterWorld) async throws -> (WebhookDelivery) async throws -> ServeResponse {
        let (appointment, doctor, patient, callId) = try await staged(s, "in_call")
        for user in [doctor, patient] {
            try #require(try await recording(s, "consent", appointment, user: user, callId: callId).status == 200)
        }
        try #require(try await recording(s, "start", appointment, user: doctor, callId: callId).status == 200)
        let body = try JSONSerialization.data(withJSONObject: [
            "recordingId": "matrix-webhook", "appointmentId": appointment, "callId": callId ?? "", "location": "m/w.webm",
            "sizeBytes": 1, "durationSeconds": 1,
        ])
        let secret = try #require(recordingEnvironment["CALLCTL_RECORDING_WEBHOOK_SECRET"] ?? nil)
        let now = Int64(Date().timeIntervalSince1970)
        return { delivery in
            let (at, key): (Int64, String?) = switch delivery {
            case .unsigned: (now, nil)
            case .wrong: (now, "not-the-webhook-secret-0123456789")
            case .stale: (now - 301, secret)
            case .right, .replayed: (now, secret)
            }
            let headers = key.map { [(WebhookSignature.timestampHeader, String(at)),
                                     (WebhookSignature.signatureHeader, WebhookSignature.sign(body: body, timestamp: at, secret: $0))] } ?? []
            return try await s.server.request("POST", "/webhooks/recording", body: body, headers: [("Content-Type", "application/json")] + headers)
        }
    }

    static func expected(_ delivery: WebhookDelivery) -> String {
        switch delivery {
        case .unsigned, .wrong: "401 bad_signature"
        case .stale: "401 stale_timestamp"
        case .right, .replayed: "200"
        }
    }

    static func expected(_ signature: Signature) -> String {
        switch signature {
        case .unsigned: "401 missing_auth"
        case .wrong: "401 invalid_signature"
        case .stale: "401 stale_timestamp"
        case .duplicate: "401 duplicate_parameter"
        case .right: "200"
        }
    }

    /// Fails unless the document's block between the markers is `block`; with `CALLCTL_MATRIX_WRITE=1`
    /// rewrites that block instead.
    static func compareWithDocument(_ block: String) throws {
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            Issue.record("\(document.path) lacks the \(begin) … \(end) markers; put this between them:\n\(block)")
            return
        }
        let current = text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        guard current != block else { return }
        if ProcessInfo.processInfo.environment["CALLCTL_MATRIX_WRITE"] == "1" {
            try (String(text[..<start.upperBound]) + "\n" + block + "\n" + String(text[stop.lowerBound...])).write(to: document, atomically: true, encoding: .utf8)
            return
        }
        Issue.record("\(document.path) is stale; its block between the markers must be:\n\(block)")
    }
}

private extension ServeResponse {
    /// `status reason` for an error, the bare status otherwise.
    var cell: String { status >= 400 ? "\(status) \(reason ?? "-")" : "\(status)" }
}

import Foundation
import HTTPClient
import LocalServices
import Postgres

/// Helpers of the fault tests (FaultDatabaseTests, FaultProcessTests): appointments with a
/// patient each, lifecycle traffic from a thread of its own, the per-appointment ledger that
/// proves no request was half-applied, and a long-lived WebSocket subscriber.
enum FaultSeed {
    /// Adds `count` appointments scheduled now for the doctor of `doctorUserId`, each with a
    /// patient (and user) of its own, so no request is ever `busy` because of another one.
    static func appointments(_ count: Int, doctorUserId: Int64, on connection: PGConnection) throws -> [Int64] {
        let label = "fault-\(UInt32.random(in: 0...UInt32.max))"
        return try connection.query("""
            WITH d AS (SELECT d.id AS doctor_id, u.tenant_id FROM doctors d JOIN users u ON u.id = d.user_id WHERE u.id = $1),
            nu AS (INSERT INTO users (tenant_id, name, email, role)
                   SELECT d.tenant_id, $3 || '-' || g, $3 || '-' || g || '@example.test', 'patient' FROM d, generate_series(1, $2::int) g
                   RETURNING id),
            np AS (INSERT INTO patients (user_id) SELECT id FROM nu ORDER BY id RETURNING id)
            INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes)
            SELECT d.tenant_id, d.doctor_id, np.id, now(), 30 FROM d, np ORDER BY np.id RETURNING id
            """, doctorUserId, Int32(count), label).rows.map { try $0.decode(Int64.self, "id") }.sorted()
    }
}

/// One HTTP lifecycle request the traffic made and what came back (-1: no answer at all).
struct FaultStep: Sendable {
    let appointment: Int64
    let action: String
    let status: Int
    let callId: String?
}

/// Lifecycle traffic on a thread of its own: for each appointment in turn the doctor sends
/// `request`, then `cancel` when the request got 200, with `pause` between requests, against
/// whatever port ``port`` holds at that moment. Stops after the last appointment or ``stop()``.
final class FaultTraffic: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [FaultStep] = []
    private var stopping = false
    private var currentPort: Int
    private let done = DispatchSemaphore(value: 0)

    init(port: Int, appointments: [Int64], token: String, pause: Double) {
        currentPort = port
        let thread = Thread { [self] in
            defer { done.signal() }
            for appointment in appointments {
                if lock.withLock({ stopping }) { return }
                let request = send(appointment, "request", token: token, callId: nil)
                append(request)
                usleep(UInt32(pause * 1_000_000))
                if request.status == 200, let callId = request.callId {
                    append(send(appointment, "cancel", token: token, callId: callId))
                    usleep(UInt32(pause * 1_000_000))
                }
            }
        }
        thread.name = "fault-traffic"
        thread.start()
    }

    /// The daemon the next requests go to.
    var port: Int {
        get { lock.withLock { currentPort } }
        set { lock.withLock { currentPort = newValue } }
    }

    var steps: [FaultStep] { lock.withLock { recorded } }

    /// Requests answered 200 so far.
    var successes: Int { steps.filter { $0.status == 200 }.count }

    /// Ends the traffic after the request in flight; returns every step.
    @discardableResult
    func stop() -> [FaultStep] {
        lock.withLock { stopping = true }
        done.wait()
        done.signal()
        return steps
    }

    private func append(_ step: FaultStep) { lock.withLock { recorded.append(step) } }

    private func send(_ appointment: Int64, _ action: String, token: String, callId: String?) -> FaultStep {
        let body = try! JSONSerialization.data(withJSONObject: callId.map { ["callId": $0] } ?? ["peerId": "fault-\(appointment)"])
        let request = HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/appointments/\(appointment)/call/\(action)",
                                  headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
                                            ("User-Agent", ServeProcess.userAgent)],
                                  body: body, timeout: .seconds(10))
        guard let response = try? HTTPClient.send(request) else {
            return FaultStep(appointment: appointment, action: action, status: -1, callId: callId)
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        return FaultStep(appointment: appointment, action: action, status: response.status,
                         callId: callId ?? (response.status == 200 ? json?["callId"] as? String : nil))
    }
}

/// What the database holds for the appointments the traffic touched, judged against the HTTP
/// answers: every action is all-or-nothing (session change + audit row + outbox row), every
/// 200 is in the database, and a failed answer normally left nothing.
struct FaultLedger {
    /// Actions answered 200.
    var acknowledged = 0
    /// Actions answered with an error status or not at all.
    var failed = 0
    /// Failed answers whose change is nevertheless whole in the database (the COMMIT went
    /// through but the answer was lost): not partial, but worth knowing.
    var committedDespiteError = 0
    /// Problems: partial rows, or a 200 that is not in the database.
    var problems: [String] = []
    /// Answers by status, e.g. [200: 50, 503: 12, -1: 2].
    var statuses: [Int: Int] = [:]

    init(_ steps: [FaultStep], on connection: PGConnection) throws {
        for step in steps {
            statuses[step.status, default: 0] += 1
            if step.status == 200 { acknowledged += 1 } else { failed += 1 }
        }
        let byAppointment = Dictionary(grouping: steps, by: \.appointment)
        for (appointment, steps) in byAppointment.sorted(by: { $0.key < $1.key }) {
            let sessions = try connection.query("SELECT id::text AS id, state FROM call_sessions WHERE appointment_id = $1", appointment)
                .rows.map { (try $0.decode(String.self, "id"), try $0.decode(String.self, "state")) }
            let audit = try connection.query("SELECT coalesce(call_id::text, '') AS c FROM appointment_call_events WHERE appointment_id = $1",
                                             appointment).rows.map { try $0.decode(String.self, "c") }
            let outbox = try connection.query("SELECT coalesce(payload->>'callId', '') AS c FROM outbox WHERE channel = $1",
                                              "private-appointments.\(appointment)").rows.map { try $0.decode(String.self, "c") }
            let whole: Int? = switch (sessions.count, sessions.first?.1) {
            case (0, _): 0
            case (1, "ringing"?): 1
            case (1, "ended"?): 2
            default: nil
            }
            guard let whole, audit.count == whole, outbox.count == whole,
                  Set(audit + outbox + sessions.map(\.0)).count <= 1 else {
                problems.append("appointment \(appointment): partial rows: sessions \(sessions), audit \(audit), outbox \(outbox); answers \(steps.map { "\($0.action) \($0.status)" })")
                continue
            }
            let ok = steps.filter { $0.status == 200 }
            if let callId = ok.first?.callId, sessions.first?.0 != callId {
                problems.append("appointment \(appointment): request answered 200 with \(callId) but the session is \(sessions)")
            }
            if whole < ok.count {
                problems.append("appointment \(appointment): \(ok.count) actions answered 200 but \(whole) are in the database")
            }
            committedDespiteError += max(whole - ok.count, 0)
        }
    }

    var summary: String {
        "acknowledged \(acknowledged), failed \(failed), committed despite an error answer \(committedDespiteError), partial \(problems.count), statuses \(statuses.sorted { $0.key < $1.key })"
    }
}

/// A browser-like Pusher subscriber (the `websockets` Python library from the package's
/// `.venv`) in the background: it connects to `ws://127.0.0.1:port/app/KEY`, subscribes to the
/// given private channels (signed with the app secret), answers pings, records every event it
/// receives, and reconnects (and resubscribes) when the connection drops. It exits with the
/// test process; ``stop()`` (or dropping it) ends it.
final class FaultSubscriber: @unchecked Sendable {
    /// `serve` flags that let one subscriber hold the hundreds of channels these tests watch
    /// (past the per-connection defaults of 100 channels, 50 subscriptions and 100 messages a second).
    static let serveArguments = ["--max-channels", "1000", "--subscribe-rate", "1000", "--message-rate", "10000"]

    /// One event as received (data is the event's data text).
    struct Event: Hashable, Sendable {
        let channel: String
        let event: String
        let data: String
    }

    private let process: ScratchProcess

    private static let script = """
        import asyncio, hashlib, hmac, json, os, sys, time
        from websockets.asyncio.client import connect
        directory, port, key, secret, parent = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        channels = json.load(open(os.path.join(directory, 'channels')))
        events = open(os.path.join(directory, 'events'), 'a', buffering=1)
        notes = open(os.path.join(directory, 'notes'), 'a', buffering=1)

        def sign(text):
            return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()

        async def watch_parent():
            while os.getppid() == parent:
                await asyncio.sleep(0.2)
            os._exit(0)

        async def session(number):
            url = f'ws://127.0.0.1:{port}/app/{key}?protocol=7&client=fault-subscriber&version=1'
            async with connect(url, max_size=None, open_timeout=5) as ws:
                first = json.loads(await ws.recv())
                socket_id = json.loads(first['data'])['socket_id']
                for channel in channels:
                    auth = f"{key}:{sign(f'{socket_id}:{channel}')}"
                    await ws.send(json.dumps({'event': 'pusher:subscribe', 'data': {'channel': channel, 'auth': auth}}))
                pending = set(channels)
                while True:
                    message = json.loads(await ws.recv())
                    name = message.get('event', '')
                    if name == 'pusher_internal:subscription_succeeded':
                        pending.discard(message.get('channel'))
                        if not pending:
                            with open(os.path.join(directory, 'ready.tmp'), 'w') as f:
                                f.write(str(number))
                            os.replace(os.path.join(directory, 'ready.tmp'), os.path.join(directory, 'ready'))
                            notes.write(json.dumps({'subscribed': len(channels), 'session': number, 't': time.time()}) + '\\n')
                    elif name == 'pusher:ping':
                        await ws.send(json.dumps({'event': 'pusher:pong', 'data': {}}))
                    elif name.startswith('pusher'):
                        notes.write(json.dumps({'message': message}) + '\\n')
                    else:
                        data = message.get('data')
                        if not isinstance(data, str):
                            data = json.dumps(data)
                        events.write(json.dumps({'channel': message.get('channel'), 'event': name, 'data': data}) + '\\n')

        async def main():
            asyncio.get_running_loop().create_task(watch_parent())
            number = 0
            while True:
                try:
                    await session(number)
                    notes.write(json.dumps({'closed': number, 't': time.time()}) + '\\n')
                except Exception as error:
                    notes.write(json.dumps({'dropped': number, 'error': repr(error)[:200], 't': time.time()}) + '\\n')
                number += 1
                await asyncio.sleep(0.2)

        asyncio.run(main())
        """

    /// Starts the subscriber and waits up to `seconds` until every channel is subscribed.
    init(port: Int, channels: [String], within seconds: Double = 30) throws {
        guard FileManager.default.isExecutableFile(atPath: PusherPeer.python) else {
            throw LocalServiceError("\(PusherPeer.python) is missing: run scripts/setup.sh to create the Python venv with websockets")
        }
        let directory = try makeScratchDirectory("callctl-fault-subscriber")
        do {
            try JSONSerialization.data(withJSONObject: channels).write(to: directory.appendingPathComponent("channels"))
            process = ScratchProcess(pid: try CommandRunner.spawnDetached([
                PusherPeer.python, "-c", Self.script, directory.path, "\(port)", ServeProcess.appKey, ServeProcess.appSecret, "\(getpid())",
            ]), directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        guard eventually(within: seconds, { FileManager.default.fileExists(atPath: directory.appendingPathComponent("ready").path) }) else {
            throw LocalServiceError("the fault subscriber did not subscribe to \(channels.count) channels: \(notes.suffix(2000))")
        }
    }

    /// The subscriber's scratch directory (channels, events, notes).
    var directory: URL { process.directory }

    /// Every event received so far, in order.
    var events: [Event] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("events"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let channel = object["channel"] as? String, let event = object["event"] as? String,
                  let data = object["data"] as? String else { return nil }
            return Event(channel: channel, event: event, data: FaultSubscriber.canonical(data))
        }
    }

    /// Connection notes: subscriptions, drops, pusher messages.
    var notes: String { (try? String(contentsOf: directory.appendingPathComponent("notes"), encoding: .utf8)) ?? "" }

    /// How many times the connection dropped (and was reopened).
    var drops: Int { notes.split(separator: "\n").filter { $0.contains("\"dropped\"") || $0.contains("\"closed\"") }.count }

    /// JSON text with sorted keys, so payloads compare whatever the key order or spacing.
    static func canonical(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    /// Ends the subscriber; later calls do nothing. Its files stay readable until it is dropped.
    func stop() { process.stop() }
}

/// The outbox rows of a database as events a subscriber or a Pusher server would see, by id.
func faultOutboxEvents(_ connection: PGConnection, where condition: String = "true") throws -> [(id: Int64, event: FaultSubscriber.Event)] {
    try connection.query("SELECT id, channel, event, payload::text AS p FROM outbox WHERE \(condition) ORDER BY id").rows.map {
        (try $0.decode(Int64.self, "id"),
         FaultSubscriber.Event(channel: try $0.decode(String.self, "channel"), event: try $0.decode(String.self, "event"),
                               data: FaultSubscriber.canonical(try $0.decode(String.self, "p"))))
    }
}

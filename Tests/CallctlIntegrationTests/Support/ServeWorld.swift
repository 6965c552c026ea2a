import Foundation
import Postgres
import Testing

/// A clinic database (``ClinicWorld``: one doctor, one patient) with a running `callctl serve`,
/// and the lifecycle calls as the browser makes them.
/// The daemon is stopped with SIGTERM when the world is dropped (unless a test stopped it).
final class ServeWorld: ClinicWorld {
    let world: JobsWorld
    let server: ServeProcess

    /// A migrated clinic, then `callctl serve arguments` with `environment` on it; `prepare` runs
    /// on the database before the daemon starts.
    init(_ arguments: [String] = [], environment: [String: String?] = [:], label: String = #function,
         prepare: (JobsWorld) throws -> Void = { _ in }) throws {
        world = try JobsWorld(label)
        try prepare(world)
        server = try ServeProcess.start(world.database, arguments, environment: environment)
    }

    deinit { _ = try? server.stop() }

    /// The full outbox event name, e.g. `App\Events\AppointmentCallEnded` for `CallEnded`.
    static func event(_ name: String) -> String { "App\\Events\\Appointment" + name }

    /// `POST /appointments/{appointment}/call/{action}` as `user` with `callId` and `peerId` when given.
    func call(_ action: String, _ appointment: Int64, as user: Int64, callId: String? = nil, peerId: String? = nil) throws -> ServeResponse {
        var body: [String: Any] = [:]
        if let callId { body["callId"] = callId }
        if let peerId { body["peerId"] = peerId }
        return try server.request("POST", "/appointments/\(appointment)/call/\(action)", token: try token(user), json: body)
    }

    /// `GET /appointments/{appointment}/call` (or a sub-resource) as `user`.
    func get(_ appointment: Int64, _ suffix: String = "", as user: Int64) throws -> ServeResponse {
        try server.request("GET", "/appointments/\(appointment)/call\(suffix)", token: try token(user))
    }

    /// The doctor rings the patient; returns the new callId (records an issue and throws unless 200).
    func ring(_ appointment: Int64, peerId: String? = nil) throws -> String {
        let response = try call("request", appointment, as: doctor, peerId: peerId)
        #expect(response.status == 200, "\(response.text)")
        return try #require(response.json["callId"] as? String, "\(response.text)")
    }
}

/// A JSON object's values as text (`5`, `doctor`), for comparing nested event payloads whose
/// numbers may come back as `NSNumber`.
func texts(_ object: Any?) -> [String: String]? {
    (object as? [String: Any])?.mapValues { "\($0)" }
}

/// A call view as `state appointmentStatus endReason callerPeerId calleePeerId` ("-" for what
/// is absent) followed by the stamps it has, e.g. `ringing scheduled - doctor-1 - requestedAt`.
func callSummary(_ json: [String: Any]) -> String {
    let values = ["state", "appointmentStatus", "endReason", "callerPeerId", "calleePeerId"].map { json[$0] as? String ?? "-" }
    let stamps = ["requestedAt", "acceptedAt", "connectedAt", "endedAt"].filter { json[$0] is String }
    return (values + stamps).joined(separator: " ")
}

/// Runs `body(0)`, `body(1)`, … `body(count - 1)` at once on threads of their own; returns the
/// results in index order.
func simultaneously<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = SimultaneousResults<T>()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            let value = body(index)
            results.lock.withLock { results.values[index] = value }
            group.leave()
        }.start()
    }
    group.wait()
    return (0..<count).map { results.values[$0]! }
}

/// The results of ``simultaneously(_:_:)``, filled in under a lock.
private final class SimultaneousResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: T] = [:]
}

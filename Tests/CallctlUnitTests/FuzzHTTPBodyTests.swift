import CallDomain
import Foundation
import Hummingbird
import NIOCore
import PusherProtocol
@testable import SignalingServer
import Testing

/// Hostile JSON bodies for the lifecycle API and the Pusher HTTP API: a value that holds its
/// rules, or the documented `APIError`.
@Suite("Fuzz: HTTP JSON bodies")
struct FuzzHTTPBodyTests {
    static let suite = "HTTP JSON bodies"
    static let callID = "a1b2c3d4-e5f6-4708-890a-1b2c3d4e5f60"
    static let actions = ["request", "accept", "decline", "cancel", "started", "heartbeat", "end", "transfer", ""]

    static func request(_ bytes: [UInt8]) -> Request {
        Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/calls/accept"),
                body: RequestBody(buffer: ByteBuffer(bytes: bytes)))
    }

    @Test("lifecycle command bodies through CommandBody.read: mutated and random (seed 0xCA11, base 3,000)")
    func commandBodies() async throws {
        let seeds = [#"{"callId":"\#(Self.callID)","peerId":"3f2a-peer_1.x"}"#, #"{"callId":"\#(Self.callID)"}"#, "{}", " \n"]
            .map { Array($0.utf8) }
        let limit = 96
        var run = FuzzRun(Self.suite, "lifecycle command bodies", seed: 0xCA11, base: 3_000)
        var outcomes: [String: Int] = [:]
        for iteration in 0..<run.iterations {
            let bytes = iteration % 5 == 4
                ? Fuzz.randomBytes(count: Int.random(in: 0...120, using: &run.generator), using: &run.generator)
                : Fuzz.mutate(seeds[iteration % seeds.count], using: &run.generator)
            let body: CommandBody
            do {
                body = try await CommandBody.read(Self.request(bytes), limit: limit)
            } catch let error as APIError {
                outcomes["\(error.status.code)", default: 0] += 1
                if bytes.count > limit {
                    #expect(error.status == .contentTooLarge && error.reason == "too_large")
                } else {
                    #expect(error.reason == "validation", "\(error)")
                    #expect(error.status == .badRequest || (error.status == .unprocessableContent && error.message.hasSuffix("must be a string.")),
                            "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(error)")
                }
                continue
            } catch {
                Issue.record("not an APIError: \(error) for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                continue
            }
            outcomes["decoded", default: 0] += 1
            #expect(bytes.count <= limit)
            for action in Self.actions {
                do {
                    let command = try body.command(action: action)
                    #expect(Self.actions.prefix(7).contains(action))
                    if action != "request" {
                        #expect(body.callId.flatMap(UUID.init(uuidString:)) != nil, "\(action) without a UUID: \(String(describing: body.callId))")
                    } else {
                        #expect(command == .request)
                    }
                } catch let error as APIError {
                    #expect(error.status == (Self.actions.prefix(7).contains(action) ? .unprocessableContent : .notFound), "\(action): \(error)")
                    #expect(error.reason == (Self.actions.prefix(7).contains(action) ? "validation" : "not_found"), "\(action): \(error)")
                }
            }
            do {
                if let peer = try body.validatedPeerId() {
                    #expect((1...128).contains(peer.count) && peer.unicodeScalars.allSatisfy {
                        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
                    }, "\(peer.debugDescription)")
                }
            } catch let error as APIError {
                #expect(error.status == .unprocessableContent && error.reason == "validation" && body.peerId != nil)
                #expect(error.message == "peerId must be 1–128 letters, digits, '-', '_' or '.'.")
            }
        }
        run.finish(budget: .seconds(20))
        #expect(outcomes.count >= 3, "\(outcomes)")
    }

    /// Checks a decoded event body's `events(...)` answer against the HTTP API's rules.
    static func checkEvents(_ body: PusherEventBody, item: Int?, limits: PusherAPILimits) {
        let app = PusherApp(id: "7", key: "app-key", secret: "app-secret")
        do {
            let (events, _) = try body.events(app: app, limits: limits, item: item)
            #expect(!events.isEmpty && events.count <= PusherAPILimits.maximumChannels)
            #expect(Set(events.map(\.channel)).count == events.count, "channels repeat")
            for event in events {
                #expect(PusherChannelName(event.channel) != nil, "\(event.channel.debugDescription)")
                #expect(!event.event.isEmpty && event.event.utf8.count <= PusherChannelName.maxEventNameLength)
                #expect(!event.event.hasPrefix("pusher:") && !event.event.hasPrefix("pusher_internal:"))
                #expect(event.data.utf8.count <= limits.maximumDataBytes)
                #expect(event.excludedSocket.map { SocketID($0) != nil } ?? true)
                #expect(event.appID == "7")
            }
            if item != nil { #expect(body.channels == nil) }
        } catch let error as APIError {
            #expect([(400, "validation"), (400, "too_many_channels"), (413, "too_large")]
                .contains { $0.0 == error.status.code && $0.1 == error.reason }, "\(error)")
            if let item, error.reason == "validation" { #expect(error.message.hasPrefix("batch[\(item)]."), "\(error.message)") }
        } catch {
            Issue.record("not an APIError: \(error)")
        }
    }

    @Test("Pusher /events and /batch_events bodies: mutated and random (seed 0xE7E, base 3,000)")
    func pusherEventBodies() throws {
        let seeds = [
            #"{"name":"e","data":"{\"a\":1}","channels":["a","private-b","a"],"socket_id":"1.2","info":"subscription_count"}"#,
            #"{"name":"App\\Events\\X","data":"","channel":"presence-c","info":"user_count,subscription_count"}"#,
            #"{"batch":[{"name":"e","data":"x","channel":"c"},{"name":"f","data":"{}","channel":"private-d","socket_id":"3.4"}]}"#,
        ].map { Array($0.utf8) }
        let limits = PusherAPILimits(maximumDataBytes: 16)
        var run = FuzzRun(Self.suite, "Pusher event bodies", seed: 0xE7E, base: 3_000)
        var decoded = 0
        for iteration in 0..<run.iterations {
            let bytes = iteration % 6 == 5
                ? Fuzz.randomBytes(count: Int.random(in: 0...100, using: &run.generator), using: &run.generator)
                : Fuzz.mutate(seeds[iteration % seeds.count], using: &run.generator)
            do {
                if iteration % 3 == 2 {
                    let batch = try PusherEventBody.decode(PusherEventBody.Batch.self, from: Data(bytes))
                    for (index, item) in (batch.batch ?? []).enumerated() { Self.checkEvents(item, item: index, limits: limits) }
                } else {
                    Self.checkEvents(try PusherEventBody.decode(PusherEventBody.self, from: Data(bytes)), item: nil, limits: limits)
                }
                decoded += 1
            } catch let error as APIError {
                #expect(error.status == .badRequest && error.reason == "validation", "\(error)")
                #expect(error.message.hasSuffix(".") && error.message.count < 300, "\(error.message)")
            } catch {
                Issue.record("not an APIError: \(error) for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
        run.finish(budget: .seconds(20))
        #expect(decoded > run.iterations / 10 && decoded < run.iterations * 29 / 30, "\(decoded) of \(run.iterations) decoded")
    }

    @Test("oversized members: 101 channels, long data, long names, deep nesting in data")
    func extremes() throws {
        let limits = PusherAPILimits(maximumDataBytes: 10 * 1024)
        let channels = (0..<5_000).map { "\"c\($0 % 150)\"" }.joined(separator: ",")
        let cases = [
            #"{"name":"e","data":"x","channels":[\#(channels)]}"#,
            #"{"name":"e","data":"\#(String(repeating: "\\u00e9", count: 6_000))","channel":"c"}"#,
            #"{"name":"\#(String(repeating: "é", count: 101))","data":"x","channel":"c"}"#,
            #"{"name":"e","data":\#(String(repeating: "[", count: 600))\#(String(repeating: "]", count: 600)),"channel":"c"}"#,
            #"{"name":"e","data":"x","channel":"\#(String(repeating: "c", count: 165))"}"#,
            #"{"name":"e","data":"x","channel":"c","socket_id":"\#(String(repeating: "1", count: 21)).1"}"#,
            #"{"name":"e","data":"x","channel":"c","info":"\#(String(repeating: ",", count: 10_000))"}"#,
            #"{"name":1e400,"data":"x","channel":"c"}"#,
        ]
        let run = FuzzRun(Self.suite, "oversized members", cases: cases.count)
        for json in cases {
            do {
                Self.checkEvents(try PusherEventBody.decode(PusherEventBody.self, from: Data(json.utf8)), item: nil, limits: limits)
            } catch let error as APIError {
                #expect(error.status == .badRequest && error.reason == "validation", "\(error)")
            }
        }
        run.finish(budget: .seconds(5))
    }
}

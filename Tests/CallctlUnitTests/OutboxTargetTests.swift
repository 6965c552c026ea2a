import Foundation
import PusherProtocol
import SignalingServer
import Testing

@Suite("CALLCTL_PUSHER_URL parsing")
struct OutboxTargetTests {
    static let primary = PusherApp(id: "77", key: "primary-key", secret: "primary-secret-xyz")

    @Test("the Pusher libraries' form: key, secret, host, port and app id from the URL")
    func fullURL() throws {
        let target = try ExternalPusherTarget(parsing: "https://my-key:s3cr%40t@reverb.example.com:8443/apps/1234", primary: nil)
        #expect(target.scheme == "https")
        #expect(target.host == "reverb.example.com")
        #expect(target.port == 8443)
        #expect(target.app == PusherApp(id: "1234", key: "my-key", secret: "s3cr@t"))
        #expect(target.credentialsFromURL)
        #expect(target.batchEventsPath == "/apps/1234/batch_events")
        #expect(target.description == "https://reverb.example.com:8443/apps/1234")
        #expect(!"\(target)".contains("s3cr"))
    }

    @Test("what the URL leaves out comes from the primary app; ports default by scheme")
    func defaults() throws {
        let bare = try ExternalPusherTarget(parsing: "http://127.0.0.1", primary: Self.primary)
        #expect(bare.app == Self.primary)
        #expect(!bare.credentialsFromURL)
        #expect(bare.description == "http://127.0.0.1:80/apps/77")
        let withID = try ExternalPusherTarget(parsing: "https://pusher.example/apps/9/", primary: Self.primary)
        #expect(withID.app == PusherApp(id: "9", key: "primary-key", secret: "primary-secret-xyz"))
        #expect(withID.port == 443)
        let withKeys = try ExternalPusherTarget(parsing: "http://k:s@[::1]:6001", primary: Self.primary)
        #expect(withKeys.app == PusherApp(id: "77", key: "k", secret: "s"))
        #expect(withKeys.origin == "http://[::1]:6001")
    }

    @Test("invalid URLs name the variable and the expected form, never the secret", arguments: [
        "ftp://k:topsecret@host/apps/1", "http://k:topsecret@host/v1/apps/1", "http://k:topsecret@host/apps/1?x=1",
        "http://k:topsecret@host/apps/a%2Fb", "http://:topsecret@host/apps/1", "not a url topsecret", "http://k:topsecret@:80/apps/1",
        "http://k:topsecret@host:70000/apps/1",
    ])
    func invalid(text: String) {
        do {
            _ = try ExternalPusherTarget(parsing: text, primary: Self.primary)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".hasPrefix("CALLCTL_PUSHER_URL must look like http[s]://KEY:SECRET@host[:port]/apps/APP_ID"))
            #expect(!"\(error)".contains("topsecret"))
        }
    }

    @Test("without a primary app the URL must carry the key, the secret and the app id")
    func needsPrimary() {
        #expect(throws: ExternalPusherConfigurationError.self) { try ExternalPusherTarget(parsing: "http://h/apps/1", primary: nil) }
        #expect(throws: ExternalPusherConfigurationError.self) { try ExternalPusherTarget(parsing: "http://k:s@h", primary: nil) }
    }
}

import CallDomain
import CallctlConfig
@testable import CallctlCommands
import Foundation
import Testing

/// docs/laravel.md's snippets say what callctl reads: its `.env` block parses with callctl's
/// parser and gives the hub its app, the event names Echo listens to and a Laravel class
/// broadcasts as are the ones callctl publishes, and the channel is the one callctl authorizes.
@Suite("docs/laravel.md matches callctl")
struct LaravelGuideTests {
    static let guide = AuthorizationMatrixTests.packageRoot.appendingPathComponent("docs/laravel.md")

    /// The fenced blocks of `language`, in order.
    private func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOf: Self.guide, encoding: .utf8)
        return text.components(separatedBy: "```\(language)\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
    }

    @Test("the .env block parses and starts the hub's app; its ${…} references resolve; the public key variable is set")
    func dotenv() throws {
        let block = try #require(try blocks("dotenv").first)
        let environment = Environment(process: [:], envFile: try EnvFile(parsing: block, name: "docs/laravel.md"))
        let apps = try ServeApps.load(environment)
        #expect(apps.primary.id == "clinic" && apps.primary.key == environment["REVERB_APP_KEY"])
        #expect(environment["VITE_REVERB_APP_KEY"] == environment["REVERB_APP_KEY"] && environment["VITE_REVERB_PORT"] == "443")
        #expect(environment[ServeSettings.jwtPublicKeyVariable]?.hasSuffix("oauth-public.key") == true)
        #expect(environment["REVERB_SCHEME"] == "https" && environment["REVERB_HOST"] != nil)
    }

    @Test("Echo listens to every event callctl publishes, under the namespace callctl publishes, on its channel")
    func echo() throws {
        let script = try #require(try blocks("js").first { $0.contains(".listen(") })
        let listened = Set(script.components(separatedBy: ".listen('").dropFirst().compactMap { $0.split(separator: "'").first.map(String.init) })
        #expect(listened == Set(CallEventKind.allCases.map(\.rawValue)), "\(listened)")
        #expect(script.contains("window.Echo.private(`appointments.${appointmentId}`)"))
        // Echo subscribes to `private-` + the name; callctl's rule names the same channel.
        #expect(ChannelName.appointment(42).name == "private-" + "appointments.42")
        #expect(CallSettings.defaults.eventNamespace == "App\\Events", "Echo's default namespace App.Events")
    }

    @Test("the event class broadcasts the full name callctl publishes, on the appointment's private channel")
    func eventClass() throws {
        let php = try #require(try blocks("php").last)
        let name = try #require(php.components(separatedBy: "return '").dropFirst().first?.split(separator: "'").first.map(String.init))
        let event = CallEvent(AppointmentCallEnded(appointmentId: 1, callId: UUID(), reason: .hangup, connectedAt: nil, at: Date()))
        #expect(name == event.fullName(namespace: CallSettings.defaults.eventNamespace))
        #expect(php.contains("new PrivateChannel('appointments.'.$this->appointmentId)"))
    }
}

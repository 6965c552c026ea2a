import CallctlConfig
import PusherProtocol
import SignalingServer

extension ServeSettings {
    static let pusherURLVariable = ExternalPusherTarget.variable

    /// The external Pusher server named by `CALLCTL_PUSHER_URL`, completed with the primary
    /// app's id, key and secret where the URL leaves them out; nil when the variable is unset.
    /// An invalid URL fails with 78 and the expected form.
    static func externalTarget(_ environment: Environment, apps: PusherApps) throws -> ExternalPusherTarget? {
        try externalTarget(environment, primary: apps.primary)
    }

    /// The same without a daemon (`outbox flush`): the app variables (`REVERB_APP_*` or
    /// `CALLCTL_PUSHER_APPS`) are read only when one of them is set, so a URL with its own
    /// `KEY:SECRET@…/apps/APP_ID` needs nothing else.
    static func externalTarget(_ environment: Environment) throws -> ExternalPusherTarget? {
        guard environment[pusherURLVariable] != nil else { return nil }
        let appVariables = [ServeApps.fileVariable, ServeApps.idVariable, ServeApps.keyVariable, ServeApps.secretVariable]
        guard appVariables.contains(where: { environment[$0] != nil }) else { return try externalTarget(environment, primary: nil) }
        return try externalTarget(environment, primary: ServeApps.load(environment).primary)
    }

    private static func externalTarget(_ environment: Environment, primary: PusherApp?) throws -> ExternalPusherTarget? {
        guard let text = environment[pusherURLVariable] else { return nil }
        do {
            return try ExternalPusherTarget(parsing: text, primary: primary)
        } catch {
            let origin = environment.origin(of: pusherURLVariable)
            throw Failure(message: "\(error)" + (origin == pusherURLVariable ? "" : " (set as \(origin))"),
                          exitCode: Failure.configuration)
        }
    }
}

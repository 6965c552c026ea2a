import ArgumentParser
import CallctlConfig
import Foundation
import ICE

/// TURN credentials: a static username and password, or TURN REST credentials made from
/// the shared secret coturn's `use-auth-secret` checks. Neither secret is ever printed.
///
/// An empty flag value is refused like a missing one: `--secret "$CALLCTL_TURN_SECRET"` on a
/// shell without the variable must not probe with an empty secret (a false "401: another
/// secret" against a healthy server).
struct TurnCredentialOptions: ParsableArguments {
    /// The variable the shared secret is read from when no credential flag is given.
    static let secretVariable = "CALLCTL_TURN_SECRET"

    /// Where credentials come from, for the errors that lack them.
    static let remedy = "set \(secretVariable), or pass --env-file /etc/callctl/callctl.env (the service's env file, "
        + "which holds it), or give --username and --password"

    @Option(help: ArgumentHelp("Long-term credential username (with --password).", valueName: "name"))
    var username: String?

    @Option(help: ArgumentHelp("Long-term credential password (with --username). Never printed.", valueName: "password"))
    var password: String?

    @Option(help: ArgumentHelp(
        "TURN REST shared secret (coturn's static-auth-secret); default \(secretVariable). Never printed.",
        valueName: "secret"))
    var secret: String?

    @Option(help: ArgumentHelp("Lifetime of the TURN REST credentials, in seconds (default 600).", valueName: "seconds"))
    var ttl: String?

    @Option(help: ArgumentHelp("User part of the TURN REST username (default callctl-probe).", valueName: "name"))
    var user: String?

    /// The credentials to use, or `nil` when none were given by flag or environment
    /// (`environment` is the process environment over `--env-file`; empty values count as unset).
    func login(environment: Environment, now: Date) throws(ProbeUsageError) -> TurnLogin? {
        for (flag, value) in [("--secret", secret), ("--username", username), ("--password", password)] where value?.isEmpty == true {
            throw ProbeUsageError("\(flag) is empty (as `\(flag) \"$VARIABLE\"` gives when the variable is unset): \(Self.remedy)")
        }
        if username != nil || password != nil {
            guard secret == nil else {
                throw ProbeUsageError("give either --username and --password, or --secret, not both")
            }
            guard let username, let password else {
                throw ProbeUsageError("--username and --password go together; give both")
            }
            guard ttl == nil, user == nil else {
                throw ProbeUsageError("--ttl and --user shape TURN REST credentials; they need --secret, not --username")
            }
            return TurnLogin(username: username, password: password)
        }
        guard let secret = secret ?? environment[Self.secretVariable] else {
            guard ttl == nil, user == nil else {
                throw ProbeUsageError("--ttl and --user need a TURN REST secret: \(Self.remedy)")
            }
            return nil
        }
        let seconds = try ProbeUsage.number(ttl ?? "600", flag: "--ttl", unit: "seconds", range: 1...604_800)
        guard seconds == seconds.rounded() else { throw ProbeUsageError("--ttl takes whole seconds; got '\(ttl ?? "")'") }
        let name = user ?? "callctl-probe"
        guard !name.isEmpty, !name.contains(where: \.isNewline) else { throw ProbeUsageError("--user must be a non-empty name") }
        do {
            return TurnLogin(try TurnRESTCredentials(secret: secret, user: name, ttl: Int(seconds), now: now))
        } catch {
            throw ProbeUsageError("cannot make TURN REST credentials: \(error)")
        }
    }
}

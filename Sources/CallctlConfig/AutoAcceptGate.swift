/// Where `calls.auto_accept` may take effect: a development deployment (`APP_ENV` is `local`,
/// `development`, `dev`, `testing` or `test`, as Laravel names them), or any deployment that
/// says so explicitly with `CALLCTL_ALLOW_AUTO_ACCEPT=true`. Anywhere else — production, or no
/// `APP_ENV` at all — `config set` refuses to turn it on and the daemon ignores it.
public enum AutoAcceptGate {
    /// The explicit override.
    public static let overrideVariable = "CALLCTL_ALLOW_AUTO_ACCEPT"
    /// Laravel's environment name.
    public static let appEnvironmentVariable = "APP_ENV"

    static let developmentNames: Set<String> = ["local", "development", "dev", "testing", "test"]

    /// Whether auto-accept may take effect with these variables.
    public static func allows(_ environment: Environment) -> Bool {
        if let flag = environment[overrideVariable]?.lowercased(), ["1", "true", "yes", "on"].contains(flag) { return true }
        return environment[appEnvironmentVariable].map { developmentNames.contains($0.lowercased()) } ?? false
    }

    /// What to tell someone who tried to turn it on where it is not allowed.
    public static let refusal = "calls.auto_accept answers calls without the callee and is for development: set "
        + "APP_ENV=local (or development, testing) in the environment or the --env-file, or \(overrideVariable)=true "
        + "to allow it on purpose"
}

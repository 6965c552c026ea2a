import ArgumentParser
import CallctlConfig

/// `--env-file`: the service's environment file (`/etc/callctl/callctl.env`) or a Laravel
/// `.env`, layered under the process environment. Every command that reads variables takes it
/// through this one group, so a playbook can load the service's configuration on any command.
public struct EnvFileOptions: ParsableArguments {
    @Option(name: .customLong("env-file"), help: ArgumentHelp(
        "Read variables from an env file: the service's (/etc/callctl/callctl.env) or a Laravel .env. Repeatable: "
            + "a later file wins over an earlier one, the real environment over both.",
        valueName: "path"))
    public var paths: [String] = []

    public init() {}

    /// The process environment (`process`) layered over the files, if any were given.
    public func environment(_ process: [String: String]) throws(ConfigError) -> Environment {
        var files: [(path: String, file: EnvFile)] = []
        for path in paths {
            files.append((path, try EnvFile(path: path, processEnvironment: process)))
        }
        return Environment(process: process, envFiles: files)
    }
}

/// The variables callctl reads: the process environment over an optional Laravel `.env`.
///
/// As in Laravel, a variable set in the real environment wins over the same key in the file.
public struct Environment: Sendable {
    private let process: [String: String]
    private let file: [String: String]
    /// The path of the `.env` file in use, if any.
    public let envFilePath: String?

    /// Layers the process environment over the parsed file.
    public init(process: [String: String], envFile: EnvFile? = nil, envFilePath: String? = nil) {
        self.process = process
        self.file = envFile?.values ?? [:]
        self.envFilePath = envFilePath
    }

    /// The value of a variable; empty strings count as unset.
    public subscript(_ name: String) -> String? {
        if let value = process[name], !value.isEmpty { return value }
        if let value = file[name], !value.isEmpty { return value }
        return nil
    }

    /// Where a variable's value comes from, for messages ("DATABASE_URL in /app/.env").
    public func origin(of name: String) -> String {
        if let value = process[name], !value.isEmpty { return name }
        return envFilePath.map { "\(name) in \($0)" } ?? name
    }
}

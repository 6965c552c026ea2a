/// The variables callctl reads: the process environment over optional `.env` files.
///
/// As in Laravel, a variable set in the real environment wins over the same key in a file;
/// of several files, a later one wins over an earlier one (as systemd's `EnvironmentFile=`).
public struct Environment: Sendable {
    private let process: [String: String]
    /// The files, the one that wins first.
    private let files: [(path: String?, values: [String: String])]
    /// The path of the `.env` file in use (several are joined with ", "), if any.
    public let envFilePath: String?

    /// Layers the process environment over the parsed file.
    public init(process: [String: String], envFile: EnvFile? = nil, envFilePath: String? = nil) {
        self.process = process
        self.files = envFile.map { [(envFilePath, $0.values)] } ?? []
        self.envFilePath = envFilePath
    }

    /// Layers the process environment over several parsed files, each with its path; a later
    /// file wins over an earlier one.
    public init(process: [String: String], envFiles: [(path: String, file: EnvFile)]) {
        self.process = process
        self.files = envFiles.reversed().map { ($0.path, $0.file.values) }
        self.envFilePath = envFiles.isEmpty ? nil : envFiles.map(\.path).joined(separator: ", ")
    }

    /// The value of a variable; empty strings count as unset.
    public subscript(_ name: String) -> String? {
        if let value = process[name], !value.isEmpty { return value }
        for file in files {
            if let value = file.values[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// Where a variable's value comes from, for messages ("DATABASE_URL in /app/.env").
    public func origin(of name: String) -> String {
        if let value = process[name], !value.isEmpty { return name }
        let path = files.first { $0.values[name]?.isEmpty == false }?.path ?? envFilePath
        return path.map { "\(name) in \($0)" } ?? name
    }
}

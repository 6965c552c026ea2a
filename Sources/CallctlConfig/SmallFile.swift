import Foundation

/// Reads a small file (a `.env`, an ICE server list) whole, never more than its limit: at
/// most `limit + 1` bytes are read, so a wrong path to a huge file fails fast.
public enum SmallFile {
    /// What reading found.
    public enum Contents: Sendable {
        /// The file does not exist or cannot be read.
        case unreadable
        /// The file is larger than the limit.
        case tooLarge
        /// The whole file.
        case data(Data)
    }

    /// Reads `path`, refusing anything over `limit` bytes.
    public static func read(_ path: String, limit: Int) -> Contents {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else { return .unreadable }
        return data.count > limit ? .tooLarge : .data(data)
    }
}

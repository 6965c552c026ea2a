/// A validated object key, relative to the storage's root or prefix: 1 to 512 bytes of
/// `A-Z a-z 0-9 . _ - /`, no leading `/`, and no empty, `.` or `..` segment, so it can never
/// leave its directory or need escaping in a path or URL.
public struct RecordingKey: Sendable, Hashable, CustomStringConvertible {
    /// The longest key accepted, in bytes.
    public static let maximumBytes = 512

    /// The key, e.g. `2026/12/42-7f3a.webm`.
    public let value: String
    public var description: String { value }

    /// Validates `text`; the error says what is wrong (it repeats no more than the first 64 bytes).
    public init(_ text: String) throws(StorageError) {
        if let problem = Self.problem(text, maximumBytes: Self.maximumBytes) {
            throw StorageError("the recording key \(Self.excerpt(text)) \(problem)")
        }
        value = text
    }

    /// What is wrong with `text` as a slash-separated key of at most `maximumBytes`, or nil.
    static func problem(_ text: String, maximumBytes: Int) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= maximumBytes else { return "is \(bytes.count) bytes long; at most \(maximumBytes) are allowed" }
        guard bytes.allSatisfy(isAllowed) else { return "may only hold A-Z a-z 0-9 . _ - and /" }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "": return "has an empty segment (a leading, trailing or doubled /)"
            case ".", "..": return "has a `\(segment)` segment"
            default: continue
            }
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// `text` quoted for a message: its first 64 characters, control characters dropped.
    private static func excerpt(_ text: String) -> String {
        let shown = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(64))
        return "`\(shown)`" + (text.count > 64 ? "…" : "")
    }
}

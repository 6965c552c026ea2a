/// Turns libpq's refusal of a connection string into a sentence that never echoes any part
/// of the string.
///
/// `PQconninfoParse` quotes the piece it could not read, and that piece is often the password
/// (`invalid percent-encoded token: "S3cr%t"` for a `%` in a URL's password, or
/// `missing "=" after "cd"` for an unquoted space in `password=ab cd`). Redacting the whole
/// string is not enough, so every quoted piece is dropped and the fix is said instead.
enum ConnectionStringProblem {
    /// Quoted pieces kept as they are: libpq's own punctuation, never text from the string.
    static let keptQuotes: Set<Substring> = ["=", "]"]

    /// libpq's message with every quoted piece replaced by `"…"`, on one line, followed by
    /// what to do for the form of `conninfo` (a URL or `key=value` pairs).
    static func describe(libpqMessage: String, conninfo: String) -> String {
        let reason = withoutQuotedText(libpqMessage)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        return reason + "; " + fix(for: libpqMessage, conninfo: conninfo)
    }

    /// `text` with the content of each `"…"` pair removed, except ``keptQuotes``. An unpaired
    /// quote drops the rest of the text.
    static func withoutQuotedText(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "\"") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\"") else { return result + "\"…\"" }
            let quoted = rest[afterOpen..<close]
            result += keptQuotes.contains(quoted) ? "\"\(quoted)\"" : "\"…\""
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// What to change, by the form of the string and what libpq said.
    static func fix(for libpqMessage: String, conninfo: String) -> String {
        let isURL = conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://")
        if isURL && libpqMessage.contains("percent-encoded") {
            return "a '%' in the URL must start a %XX escape: percent-encode special characters in the user name and "
                + "password ('%' as %25, '@' as %40, ':' as %3A, '/' as %2F, '#' as %23, a space as %20)"
        }
        if isURL {
            return "percent-encode special characters in the user name and password ('%' as %25, '@' as %40, ':' as %3A, "
                + "'/' as %2F), and check the host, port and ?key=value options"
        }
        return "in the key=value form, put a value that contains spaces, quotes or backslashes in single quotes "
            + "and escape ' and \\ inside with a backslash: password='it\\'s a secret'"
    }
}

/// Makes text from outside (a channel name, a header, a database message) safe to put in one
/// log line: control characters are written visibly instead of starting a new line or
/// driving the terminal.
enum LogEscaping {
    /// True for what must not reach a log line raw: C0 controls and DEL, C1 controls (U+0080–
    /// U+009F, which include 8-bit CSI and NEL), and the Unicode line and paragraph separators.
    static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `text` for a human log line: `\n`, `\r` and `\t` as those two characters, every other
    /// control as `\u{1B}` (Swift's spelling), everything else unchanged.
    static func human(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscaping(scalar) else { result.append(scalar); continue }
            let escaped = switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            result.append(contentsOf: escaped.unicodeScalars)
        }
        return String(result)
    }

    /// A JSON document with the controls JSON leaves raw (DEL, C1, U+2028, U+2029) written as
    /// `\u00XX` escapes. Those can only occur inside strings, so the document stays the same
    /// value; C0 controls are already escaped by the encoder.
    static func json(_ document: String) -> String {
        guard document.unicodeScalars.contains(where: needsEscaping) else { return document }
        var result = String.UnicodeScalarView()
        for scalar in document.unicodeScalars {
            guard needsEscaping(scalar) else { result.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(result)
    }
}

/// The members of a JSON object text's top level, each name with the raw text of its value,
/// read in one linear pass (no recursion: nested values are skipped by counting brackets).
///
/// JSON decoders disagree on a member given twice: Foundation keeps one, PHP's `json_decode`
/// the last, others the first. A token whose header or claims name a member twice could mean
/// one thing to the issuer and another here, so ``duplicateName`` lets the verifier refuse it.
/// Names are compared after unescaping (`"s\u0075b"` is `"sub"`) and as Swift strings, that
/// is up to canonical equivalence, which is also how a Swift dictionary would merge them.
///
/// This is not a validating parser: the text it accepts may still be refused by the decoder
/// that reads the values. It fails on text it cannot split into members.
struct JSONObjectMembers {
    /// The members in the order they appear.
    let members: [(name: String, value: ArraySlice<UInt8>)]

    /// The first name given a second time, or nil when every name is distinct.
    var duplicateName: String? {
        var seen = Set<String>()
        for member in members where !seen.insert(member.name).inserted { return member.name }
        return nil
    }

    /// The raw value text of the member `name` (the last, if given twice).
    func value(_ name: String) -> ArraySlice<UInt8>? {
        members.last(where: { $0.name == name })?.value
    }

    /// The members of `bytes`, a JSON object; nil when it is not one.
    init?(_ bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let members = reader.topLevelMembers() else { return nil }
        self.members = members
    }

    /// The string a raw JSON string value (with its quotes) stands for; nil for any other value
    /// or a broken escape.
    static func string(_ value: ArraySlice<UInt8>) -> String? {
        var reader = Reader(bytes: Array(value))
        guard let text = reader.string(), reader.isAtEnd else { return nil }
        return text
    }
}

private struct Reader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    mutating func topLevelMembers() -> [(name: String, value: ArraySlice<UInt8>)]? {
        var members: [(name: String, value: ArraySlice<UInt8>)] = []
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if !consume(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard let name = string() else { return nil }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                let start = index
                guard skipValue() else { return nil }
                members.append((name, bytes[start..<index]))
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipWhitespace()
        return isAtEnd ? members : nil
    }

    /// Skips one value: a string, an object or array (brackets counted, strings skipped), or
    /// a number or literal (up to the next delimiter).
    private mutating func skipValue() -> Bool {
        guard let first = current else { return false }
        switch first {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                default:
                    break
                }
                index += 1
                if depth == 0 { return true }
            }
            return false
        default:
            let start = index
            while let byte = current, !Self.delimiters.contains(byte) { index += 1 }
            return index > start
        }
    }

    private static let delimiters: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "}"),
                                                 UInt8(ascii: "]"), UInt8(ascii: ":"), UInt8(ascii: "\"")]

    /// Reads a string at the current position (opening quote included) and returns its value:
    /// escapes resolved, `\uXXXX` surrogate pairs joined; nil for a control character, a bad or
    /// lone-surrogate escape, invalid UTF-8 or a missing closing quote.
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var utf8: [UInt8] = []
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0x00..<0x20:
                return nil
            default:
                utf8.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `XXXX` after `\u` (and of a following `\uXXXX` low surrogate when this is a
    /// high one).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hexQuad() else { return nil }
        switch unit {
        case 0xD800..<0xDC00:
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hexQuad(), (0xDC00..<0xE000).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00..<0xE000:
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    private mutating func hexQuad() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

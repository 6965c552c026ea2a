/// Line-by-line `.env` parser behind `EnvFile`.
struct EnvParser {
    private let characters: [Character]
    private let name: String
    private var index = 0
    private var line = 1

    init(text: String, name: String) {
        characters = Array(text)
        self.name = name
    }

    /// The next `KEY=value`, or nil at the end of the text.
    mutating func nextAssignment(resolve: (String) -> String) throws(ConfigError) -> (String, String)? {
        while index < characters.count {
            skip(while: { $0 == " " || $0 == "\t" })
            guard let current = peek() else { return nil }
            if current.isNewline { advance(); continue }
            if current == "#" { skip(while: { !$0.isNewline }); continue }
            var key = readKey()
            if key == "export", peek() == " " {
                skip(while: { $0 == " " || $0 == "\t" })
                key = readKey()
            }
            guard !key.isEmpty else { throw failure("expected a variable name") }
            skip(while: { $0 == " " || $0 == "\t" })
            // The text is not echoed: a line without '=' may be a pasted secret.
            guard peek() == "=" else { throw failure("expected '=' after the name at the start of the line; write KEY=value") }
            advance()
            skip(while: { $0 == " " || $0 == "\t" })
            let value = try readValue(of: key, resolve: resolve)
            return (key, value)
        }
        return nil
    }

    /// The value of `key`, which error messages name instead of showing any of the value.
    private mutating func readValue(of key: String, resolve: (String) -> String) throws(ConfigError) -> String {
        switch peek() {
        case "'":
            advance()
            let startLine = line
            var value = ""
            while let character = peek(), character != "'" { value.append(character); advance() }
            guard peek() == "'" else { throw failure("the single quote opened on line \(startLine) is never closed") }
            advance()
            try finishLine()
            try checkLength(value)
            return value
        case "\"":
            advance()
            let startLine = line
            var value = ""
            while let character = peek(), character != "\"" {
                advance()
                if character == "\\", let escaped = peek() {
                    advance()
                    switch escaped {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "\"", "\\", "$": value.append(escaped)
                    default: value.append("\\"); value.append(escaped)
                    }
                } else if character == "$", peek() == "{" {
                    value += try readReference(in: key, resolve: resolve)
                    try checkLength(value)
                } else {
                    value.append(character)
                }
            }
            guard peek() == "\"" else { throw failure("the double quote opened on line \(startLine) is never closed") }
            advance()
            try finishLine()
            try checkLength(value)
            return value
        default:
            var value = ""
            while let character = peek(), !character.isNewline {
                if character == "#", value.last == " " || value.last == "\t" || value.isEmpty { break }
                advance()
                if character == "$", peek() == "{" {
                    value += try readReference(in: key, resolve: resolve)
                    try checkLength(value)
                } else {
                    value.append(character)
                }
            }
            skip(while: { !$0.isNewline })
            try checkLength(value)
            return value.trimmingTrailingBlanks()
        }
    }

    /// A `${NAME}` reference inside the value of `key`, resolved. An unclosed one is refused
    /// naming `key` and the line only: what follows `${` is part of the value, maybe a secret.
    private mutating func readReference(in key: String, resolve: (String) -> String) throws(ConfigError) -> String {
        advance()
        var reference = ""
        while let character = peek(), character != "}", !character.isNewline { reference.append(character); advance() }
        guard peek() == "}" else {
            throw failure("a '${' in the value of \(key) is missing its closing brace (the value is not shown); "
                + "write ${NAME} with the '}' on the same line, or single-quote the value to keep '${' literally")
        }
        advance()
        return resolve(reference)
    }

    /// Refuses a value over ``EnvFile/maximumValueBytes``. Checked after every `${…}`, so
    /// references that double a value each line stop at the limit instead of growing
    /// exponentially.
    private func checkLength(_ value: String) throws(ConfigError) {
        guard value.utf8.count > EnvFile.maximumValueBytes else { return }
        throw failure("the value is longer than \(EnvFile.maximumValueBytes) bytes (after ${…} references are expanded); "
            + "a .env value is a setting, not a document")
    }

    private mutating func finishLine() throws(ConfigError) {
        skip(while: { $0 == " " || $0 == "\t" })
        guard let character = peek(), !character.isNewline else { return }
        guard character == "#" else { throw failure("unexpected text after the closing quote") }
        skip(while: { !$0.isNewline })
    }

    private mutating func readKey() -> String {
        var key = ""
        while let character = peek(), character.isASCII, character.isLetter || character.isNumber || character == "_" || character == "." {
            key.append(character)
            advance()
        }
        return key
    }

    private func peek() -> Character? { index < characters.count ? characters[index] : nil }

    private mutating func advance() {
        if characters[index].isNewline { line += 1 }
        index += 1
    }

    private mutating func skip(while predicate: (Character) -> Bool) {
        while let character = peek(), predicate(character) { advance() }
    }

    /// An error naming the file and the current line.
    func failure(_ message: String) -> ConfigError {
        ConfigError("\(name) line \(line): \(message)")
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var copy = self
        while let last = copy.last, last == " " || last == "\t" { copy.removeLast() }
        return copy
    }
}

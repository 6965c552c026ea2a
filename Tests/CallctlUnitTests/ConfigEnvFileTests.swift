import CallctlConfig
import Foundation
import Testing

@Suite("Laravel .env parsing")
struct ConfigEnvFileTests {
    /// A Laravel `.env` using every syntax the parser supports (also the fuzz suite's seed).
    static let laravelSample = """
    # database
    APP_NAME=Clinic
    export DB_HOST=db.internal
    DB_PORT = 5432
    DB_PASSWORD='p@ss #not a comment'
    DB_USERNAME=app # trailing comment
    REVERB_APP_KEY="key-${APP_NAME}"
    MULTI="line one
    line two"
    ESCAPED="tab\\there \\"quoted\\""
    EMPTY=
    URL=postgres://u@h/db#frag
    """

    @Test("plain, quoted, exported, commented and interpolated values")
    func parsesLaravelSyntax() throws {
        let text = Self.laravelSample
        let values = try EnvFile(parsing: text).values
        #expect(values["APP_NAME"] == "Clinic")
        #expect(values["DB_HOST"] == "db.internal")
        #expect(values["DB_PORT"] == "5432")
        #expect(values["DB_PASSWORD"] == "p@ss #not a comment")
        #expect(values["DB_USERNAME"] == "app")
        #expect(values["REVERB_APP_KEY"] == "key-Clinic")
        #expect(values["MULTI"] == "line one\nline two")
        #expect(values["ESCAPED"] == "tab\there \"quoted\"")
        #expect(values["EMPTY"] == "")
        #expect(values["URL"] == "postgres://u@h/db#frag")
    }

    @Test("single quotes are literal; references fall back to the process environment")
    func literalAndProcessReferences() throws {
        let values = try EnvFile(parsing: "A='${HOME}'\nB=${HOME}/x\nC=${MISSING}", processEnvironment: ["HOME": "/root"]).values
        #expect(values["A"] == "${HOME}")
        #expect(values["B"] == "/root/x")
        #expect(values["C"] == "")
    }

    @Test("errors name the line", arguments: [
        ("A=1\nB=\"open", "line 2"),
        ("A=1\n=2", "expected a variable name"),
        ("A 1", "expected '='"),
        ("A='x' junk", "unexpected text"),
        ("A=${B", "closing brace"),
    ])
    func errorsNameTheLine(text: String, fragment: String) {
        #expect {
            try EnvFile(parsing: text, name: "app.env")
        } throws: { error in
            "\(error)".contains(fragment) && "\(error)".contains("app.env")
        }
    }

    @Test("refusals name the file, line and variable but show none of the value", arguments: [
        ("A=1\nSECRET=abc${UNCLOSED-hunter2", "app.env line 2", "SECRET"),
        ("A=1\n\nSECRET=\"abc${UNCLOSED-hunter2\"", "app.env line 3", "SECRET"),
        ("A=1\nSECRET=\"x\\n${UNCLOSED-hunter2\ny\"", "app.env line 2", "SECRET"),
        ("A=1\nabc-hunter2", "app.env line 2", "KEY=value"),
        ("A=1\nabchunter2", "app.env line 2", "KEY=value"),
    ])
    func refusalsHideTheValue(text: String, place: String, names: String) {
        #expect {
            try EnvFile(parsing: text, name: "app.env")
        } throws: { error in
            let message = "\(error)"
            return message.contains(place) && message.contains(names) && !message.contains("hunter2") && !message.contains("abc")
                && !message.contains("UNCLOSED")
        }
    }

    @Test("a missing file says what to pass")
    func missingFile() {
        #expect(throws: ConfigError.self) { try EnvFile(path: "/nonexistent/.env") }
    }

    @Test("the process environment wins over the file, empty counts as unset")
    func layering() throws {
        let file = try EnvFile(parsing: "A=file\nB=file\nC=file")
        let environment = Environment(process: ["A": "process", "B": ""], envFile: file, envFilePath: "/app/.env")
        #expect(environment["A"] == "process")
        #expect(environment["B"] == "file")
        #expect(environment["C"] == "file")
        #expect(environment["D"] == nil)
        #expect(environment.origin(of: "A") == "A")
        #expect(environment.origin(of: "C") == "C in /app/.env")
    }

    @Test("several files (repeated --env-file): a later file wins, an empty value in it does not hide an earlier one, the process wins over both")
    func severalFiles() throws {
        let service = try EnvFile(parsing: "A=service\nB=service\nC=service\nD=service")
        let laravel = try EnvFile(parsing: "B=laravel\nC=\nE=laravel")
        let environment = Environment(process: ["D": "process"], envFiles: [("/etc/callctl/callctl.env", service), ("/app/.env", laravel)])
        #expect(environment["A"] == "service")
        #expect(environment["B"] == "laravel")
        #expect(environment["C"] == "service")
        #expect(environment["D"] == "process")
        #expect(environment["E"] == "laravel")
        #expect(environment.origin(of: "B") == "B in /app/.env")
        #expect(environment.origin(of: "C") == "C in /etc/callctl/callctl.env")
        #expect(environment.envFilePath == "/etc/callctl/callctl.env, /app/.env")
        #expect(Environment(process: [:], envFiles: []).envFilePath == nil)
    }

    @Test("the sample callctl.env parses, names what serve needs, and leaves every secret empty")
    func sampleEnvironmentFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let values = try EnvFile(path: root.appendingPathComponent("callctl.env").path, processEnvironment: [:]).values
        for name in ["DATABASE_URL", "REVERB_APP_ID", "REVERB_APP_KEY", "CALLCTL_ICE_SERVERS", "CALLCTL_TURN_TTL"] {
            #expect(values[name]?.isEmpty == false, "\(name)")
        }
        for secret in ["CALLCTL_JWT_SECRET", "REVERB_APP_SECRET", "CALLCTL_TURN_SECRET"] {
            #expect(values[secret] == "", "\(secret) must stay empty in the sample so that serve refuses to start with it")
        }
    }
}

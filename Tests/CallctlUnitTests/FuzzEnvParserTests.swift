import CallctlConfig
import Foundation
import Testing

/// Hostile `.env` files: a parse or a `ConfigError` naming the file and line, never a crash
/// or a hang.
@Suite("Fuzz: Laravel .env parsing")
struct FuzzEnvParserTests {
    static let suite = ".env parsing"
    static let seed = ConfigEnvFileTests.laravelSample + "\nSELF=${SELF}x${SELF}\n"

    static let keyScalars = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.".unicodeScalars)

    /// What `EnvParser` and `EnvFile` say when they refuse a file: one of these, after the line.
    static let documentedReasons = ["expected a variable name", "expected '=' after ", "is never closed", "is missing its closing brace",
                                    "unexpected text after the closing quote", "bytes (after ${…} references are expanded)",
                                    "the values add up to more than"]

    /// Parses `text`, checking a success's keys and sizes and a failure's message. Returns whether it parsed.
    @discardableResult
    static func probe(_ text: String) -> Bool {
        do {
            let values = try EnvFile(parsing: text, name: "fuzz.env", processEnvironment: ["HOME": "/root"]).values
            for (key, value) in values {
                #expect(!key.isEmpty && key.unicodeScalars.allSatisfy(keyScalars.contains), "key \(key.debugDescription)")
                #expect(value.utf8.count <= EnvFile.maximumValueBytes)
            }
            return true
        } catch {
            // Typed throws: a ConfigError. It names the file and a line that exists.
            let message = error.description
            #expect(message.hasPrefix("fuzz.env line "), "\(message)")
            let line = Int(message.dropFirst("fuzz.env line ".count).prefix { $0.isNumber }) ?? 0
            let lines = text.reduce(1) { $0 + ($1.isNewline ? 1 : 0) }
            #expect((1...lines).contains(line), "line \(line) of \(lines): \(message)")
            #expect(documentedReasons.contains { message.contains($0) }, "undocumented refusal: \(message)")
            return false
        }
    }

    @Test("the kept libFuzzer inputs: fuzz/corpus/env-file parses, fuzz/regressions/env-file holds together")
    func keptInputs() throws {
        let corpus = try FuzzKeptInputs.corpus("env-file")
        #expect(!corpus.isEmpty)
        for input in corpus {
            #expect(Self.probe(String(decoding: input.bytes, as: UTF8.self)), "\(input) is a seed that does not parse")
        }
        // As the libFuzzer target, only text: invalid UTF-8 is refused before parsing (the on-disk test covers it).
        for input in try FuzzKeptInputs.regressions("env-file") {
            if let text = String(validating: input.bytes, as: UTF8.self) { Self.probe(text) }
        }
    }

    @Test("mutated .env files (seed 0xE11F, base 3,000)")
    func mutatedFiles() {
        var run = FuzzRun(Self.suite, "mutated files", seed: 0xE11F, base: 3_000)
        var parsed = 0
        let bytes = Array(Self.seed.utf8)
        for _ in 0..<run.iterations {
            // Invalid UTF-8 becomes U+FFFD, as a caller that decodes leniently would pass it.
            if Self.probe(String(decoding: Fuzz.mutate(bytes, using: &run.generator), as: UTF8.self)) { parsed += 1 }
        }
        run.finish(budget: .seconds(20))
        #expect(parsed > run.iterations / 10 && parsed < run.iterations * 29 / 30, "\(parsed) of \(run.iterations) parsed")
    }

    @Test("random lines of .env syntax (seed 0xD07E, base 1,000)")
    func randomFiles() {
        var run = FuzzRun(Self.suite, "random files", seed: 0xD07E, base: 1_000)
        let pieces = ["A", "B_1", "x.y", "export", " ", "=", "'", "\"", "\\", "\\n", "\\\"", "${", "${A}", "${B_1}", "}", "#",
                      "\n", "\r\n", "\t", "\u{0}", "\u{301}", "é", "$", "{"]
        var parsed = 0
        for _ in 0..<run.iterations {
            let text = (0..<Int.random(in: 0...40, using: &run.generator)).map { _ in pieces.randomElement(using: &run.generator)! }.joined()
            if Self.probe(text) { parsed += 1 }
        }
        run.finish(budget: .seconds(10))
        // About 5% of these files parse (148 of 3,000 at CALLCTL_FUZZ_ITERATIONS=3).
        #expect(parsed > run.iterations / 40 && parsed < run.iterations * 19 / 20, "\(parsed) of \(run.iterations) parsed")
    }

    @Test("self-reference and doubling references resolve once against earlier values")
    func references() throws {
        let values = try EnvFile(parsing: "A=${A}\nB=\"${B}${B}\"\nC=c\nC=${C}${C}\nD=${E}\nE=e", processEnvironment: ["A": "env"]).values
        #expect(values["A"] == "env" && values["B"] == "" && values["C"] == "cc" && values["D"] == "")
        // Each line doubles the value before it (12 lines here: 4,096 characters).
        let doubling = "X=x\n" + String(repeating: "X=${X}${X}\n", count: 12)
        #expect(try EnvFile(parsing: doubling).values["X"]?.count == 4_096)
        // A reference never re-expands what it resolved to.
        let literal = try EnvFile(parsing: "A='${A}'\nB=${A}\nC=\"${B}\"").values
        #expect(literal["B"] == "${A}" && literal["C"] == "${A}")
    }

    /// `V1=x`, `V2=${V1}${V1}`, …: the value on line n is 2ⁿ⁻¹ bytes long.
    static func doublingChain(lines: Int, quoted: Bool = false) -> String {
        "V1=x\n" + (2...lines).map { quoted ? "V\($0)=\"${V\($0 - 1)}${V\($0 - 1)}\"\n" : "V\($0)=${V\($0 - 1)}${V\($0 - 1)}\n" }.joined()
    }

    @Test("a 40-line doubling chain is refused at the line that passes 64 KiB, at once")
    func doublingChains() throws {
        let run = FuzzRun(Self.suite, "doubling chains", cases: 6)
        // Line 17 holds 2¹⁶ = 65,536 bytes, exactly the limit; line 18 would hold 2¹⁷.
        let atLimit = try EnvFile(parsing: Self.doublingChain(lines: 17)).values
        #expect(atLimit["V17"]?.utf8.count == EnvFile.maximumValueBytes)
        for quoted in [false, true] {
            #expect(throws: ConfigError("fuzz.env line 18: the value is longer than 65536 bytes (after ${…} references are expanded); a .env value is a setting, not a document")) {
                try EnvFile(parsing: Self.doublingChain(lines: 40, quoted: quoted), name: "fuzz.env")
            }
        }
        // Literal text counts too: a value of 64 KiB + 1 byte, quoted or not.
        #expect(Self.probe("K=" + String(repeating: "v", count: EnvFile.maximumValueBytes + 1)) == false)
        #expect(Self.probe("A=a\nK=\"${A}" + String(repeating: "v", count: EnvFile.maximumValueBytes) + "\"") == false)
        // Many keys each holding 64 KiB: refused once they add up to more than the largest file.
        let copies = Self.doublingChain(lines: 17) + (1...40).map { "C\($0)=${V17}\n" }.joined()
        #expect(throws: ConfigError("fuzz.env line 32: the values add up to more than 1048576 bytes once ${…} references are expanded; do values repeat each other through references?")) {
            try EnvFile(parsing: copies, name: "fuzz.env")
        }
        run.finish(budget: .seconds(3))
    }

    @Test("very long lines, NUL bytes, unclosed quotes at the end of a large file")
    func extremes() throws {
        let run = FuzzRun(Self.suite, "extremes", cases: 16)
        let long = String(repeating: "v", count: EnvFile.maximumValueBytes)
        #expect(try EnvFile(parsing: "K=\(long)").values["K"]?.count == EnvFile.maximumValueBytes)
        #expect(try EnvFile(parsing: "K=\"\(long)\"").values["K"]?.count == EnvFile.maximumValueBytes)
        #expect(Self.probe("K='\(long)v'") == false)
        #expect(try EnvFile(parsing: "K=\(String(repeating: "${A}", count: 20_000))", processEnvironment: ["A": "a"]).values["K"]?.count == 20_000)
        #expect(Self.probe("K=\"" + long) == false)
        #expect(Self.probe("K='" + String(repeating: "\n", count: 10_000)) == false)
        #expect(Self.probe("K=${" + long) == false)
        #expect(Self.probe(String(repeating: "=", count: 50_000)) == false)
        #expect(try EnvFile(parsing: "K=a\u{0}b\nL=\"\u{0}\"").values == ["K": "a\u{0}b", "L": "\u{0}"])
        #expect(Self.probe("K\u{0}=1") == false)
        // An export without a name, a key with a combining mark, a BOM before the first key.
        #expect(Self.probe("export =1") == false)
        #expect(Self.probe("K\u{301}=1") == false)
        #expect(Self.probe("\u{FEFF}K=1") == false)
        run.finish(budget: .seconds(5))
    }

    @Test("files with invalid UTF-8 or random bytes on disk (seed 0xF11E, base 100)")
    func filesOnDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var run = FuzzRun(Self.suite, "files on disk", seed: 0xF11E, base: 100)
        let valid = Array(Self.seed.utf8)
        for index in 0..<run.iterations {
            let bytes = index.isMultiple(of: 2) ? Fuzz.mutate(valid, using: &run.generator)
                : Fuzz.randomBytes(count: Int.random(in: 0...200, using: &run.generator), using: &run.generator)
            let path = directory.appendingPathComponent("\(index).env").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try EnvFile(path: path, processEnvironment: [:])
                #expect(String(validating: bytes, as: UTF8.self) != nil, "invalid UTF-8 parsed")
            } catch {
                if String(validating: bytes, as: UTF8.self) == nil {
                    #expect(error == ConfigError("cannot read the env file \(path) as UTF-8 text"))
                } else {
                    #expect(error.description.hasPrefix("\(path) line ") && Self.documentedReasons.contains { error.description.contains($0) },
                            "\(error)")
                }
            }
        }
        let oversized = directory.appendingPathComponent("big.env").path
        try Data(repeating: UInt8(ascii: "#"), count: EnvFile.maximumBytes + 1).write(to: URL(fileURLWithPath: oversized))
        #expect(throws: ConfigError("the env file \(oversized) is larger than the \(EnvFile.maximumBytes) bytes allowed; is it really a .env file?")) {
            try EnvFile(path: oversized, processEnvironment: [:])
        }
        run.finish(budget: .seconds(10))
    }
}

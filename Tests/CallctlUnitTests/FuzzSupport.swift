// The seeded fuzz suites (`Fuzz*Tests`, issue 10): bounded, reproducible, scalable.
//
// Every fuzz loop states its seed and its base iteration count in a `FuzzRun`. At the default
// the whole `swift test --filter Fuzz` run takes well under 60 s in a debug build on 2 cores.
//
// CALLCTL_FUZZ_ITERATIONS=N (a positive integer, default 1) multiplies every base count, and
// every time budget with it, for a longer run:
//     CALLCTL_FUZZ_ITERATIONS=50 swift test --filter Fuzz
// The generator continues the same stream, so a longer run includes the default inputs.
// Each loop prints one line to stdout for the issue notes:
//     fuzz <suite> / <test>: <iterations> iterations, seed <seed>, <elapsed> s
import Foundation
import Testing

/// SplitMix64: the seeded generator behind the `Fuzz*Tests` suites, so every run feeds the
/// same hostile inputs (each test names its seed and iteration count).
struct FuzzGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Shared byte and text mutators for the fuzz suites.
enum Fuzz {
    /// Fragments that tend to hit parser edges: JSON structure, escapes, extreme numbers,
    /// `.env` syntax, NUL, a lone combining mark, invalid UTF-8 lead and continuation bytes.
    static let fragments: [[UInt8]] = ([
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "null", "true", "false",
        "1e400", "-1e-400", "-0", "99999999999999999999999999999", "9223372036854775808", "0.1e99999999999",
        "\"event\"", "\"data\"", "\"channel\"", "{}", "[]", "${", "${A}", "export ", "'", "#", "=", "\n", "\r\n",
        "\u{0}", "\u{301}", "é", "🦀", " ", "\t",
    ] as [String]).map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    static func randomBytes(count: Int, using generator: inout FuzzGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// One to four random edits: flip bits, insert, delete, overwrite, truncate, duplicate a
    /// slice, or insert a hostile fragment.
    static func mutate(_ input: [UInt8], using generator: inout FuzzGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            case 1:
                bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 2 where !bytes.isEmpty:
                bytes.remove(at: position)
            case 3 where !bytes.isEmpty:
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 4:
                bytes = Array(bytes.prefix(position))
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                bytes.insert(contentsOf: fragments.randomElement(using: &generator)!, at: position)
            }
        }
        return bytes
    }

    /// Random text over `alphabet` of up to `maxLength` characters.
    static func randomString(from alphabet: [Character], maxLength: Int, using generator: inout FuzzGenerator) -> String {
        String((0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// Characters mixing the usual ASCII with the awkward: NUL, newlines, a combining mark
    /// (which fuses with the character before it), wide and astral scalars.
    static let awkwardAlphabet: [Character] = Array("abcXYZ019_-=@,.;:\"'{}[]\\/ \t#$") +
        ["\u{0}", "\n", "\r\n", "\u{301}", "é", "🦀", "\u{FEFF}", "\u{FFFD}"]

    /// The multiplier from CALLCTL_FUZZ_ITERATIONS: 1 when unset, empty or not a positive integer.
    static let scale: Int = {
        guard let text = ProcessInfo.processInfo.environment["CALLCTL_FUZZ_ITERATIONS"],
              let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else { return 1 }
        return min(value, 1_000_000)
    }()
}

/// One bounded fuzz loop: its seed, its iteration count (the base times ``Fuzz/scale``) and
/// its generator. ``finish(budget:)`` prints the figures and fails a loop that ran past its
/// time budget (a hang or a super-linear path, not a slow machine: budgets are generous).
struct FuzzRun {
    let name: String
    let seed: UInt64?
    let iterations: Int
    var generator: FuzzGenerator
    private let start = ContinuousClock.now

    /// A seeded loop of `base` iterations (times the scale).
    init(_ suite: String, _ test: String, seed: UInt64, base: Int) {
        name = "\(suite) / \(test)"
        self.seed = seed
        iterations = base * Fuzz.scale
        generator = FuzzGenerator(seed: seed)
    }

    /// A fixed list of `cases` hostile inputs: no seed, not scaled.
    init(_ suite: String, _ test: String, cases: Int) {
        name = "\(suite) / \(test)"
        seed = nil
        iterations = cases
        generator = FuzzGenerator(seed: 0)
    }

    var elapsed: Duration { ContinuousClock.now - start }

    /// Prints `fuzz <suite> / <test>: N iterations, seed S, T s` and expects the loop to
    /// have finished within `budget` (times the scale for seeded loops).
    func finish(budget: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
        let elapsed = self.elapsed
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let seedText = seed.map { "0x" + String($0, radix: 16, uppercase: true) } ?? "none (fixed cases)"
        print("fuzz \(name): \(iterations) iterations, seed \(seedText), \(String(format: "%.2f", seconds)) s")
        let limit = seed == nil ? budget : budget * Fuzz.scale
        #expect(elapsed < limit, "\(name) took \(elapsed), over its \(limit) budget", sourceLocation: sourceLocation)
    }
}

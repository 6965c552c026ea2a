import Foundation

/// The inputs the repository keeps for a libFuzzer target of scripts/fuzz.sh: its seed corpus,
/// fuzz/corpus/<target>/, and fuzz/regressions/<target>/, every input that once failed.
/// The seeded suites replay them through their own probes, so `swift test` covers them
/// without libFuzzer.
enum FuzzKeptInputs {
    /// One kept file.
    struct Input: CustomStringConvertible {
        let path: String
        let bytes: [UInt8]
        var description: String { path }
    }

    /// The repository's fuzz/ directory, found from this source file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz")

    /// The seed corpus of `target` (never empty: a target without seeds is a mistake).
    static func corpus(_ target: String) throws -> [Input] { try files(in: "corpus/\(target)") }

    /// The inputs of `target` that once failed (none is fine).
    static func regressions(_ target: String) throws -> [Input] { try files(in: "regressions/\(target)") }

    private static func files(in folder: String) throws -> [Input] {
        let directory = root.appendingPathComponent(folder)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted().map {
            let path = directory.appendingPathComponent($0).path
            return Input(path: "fuzz/\(folder)/\($0)", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }
}

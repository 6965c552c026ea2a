import Foundation

/// A new, empty directory under the system's temporary directory, named `label-UUID`;
/// the caller removes it (or use `withScratchDirectory`).
func makeScratchDirectory(_ label: String = "callctl") throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Runs `body` with a new, empty temporary directory, removed with everything in it afterwards
/// whether `body` returns or throws.
func withScratchDirectory<T>(_ label: String = "callctl", _ body: (URL) throws -> T) throws -> T {
    let directory = try makeScratchDirectory(label)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// The same for an async `body`.
func withScratchDirectory<T>(_ label: String = "callctl", _ body: (URL) async throws -> T) async throws -> T {
    let directory = try makeScratchDirectory(label)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

// libFuzzer target: bytes as a Laravel `.env` file through callctl's parser
// (Sources/CallctlConfig). Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer`.
// Invariants: a refusal is a ConfigError naming the file and a line; a parse yields valid
// variable names and values within the documented bounds.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    do {
        let values = try EnvFile(parsing: text, name: "fuzz.env").values
        var total = 0
        for (key, value) in values {
            precondition(!key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII }, "key \(key.debugDescription)")
            precondition(value.utf8.count <= EnvFile.maximumValueBytes, "value over the limit")
            total += value.utf8.count
        }
        precondition(total <= EnvFile.maximumTotalValueBytes, "values over the total limit")
    } catch {
        precondition(error.description.hasPrefix("fuzz.env line "), "refusal without file and line: \(error)")
    }
    return 0
}

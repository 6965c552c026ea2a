import Foundation

/// A `text[]` parameter (for `= ANY($1)` or `unnest($1)`) with SQL NULL for nil elements; the
/// statement casts it to the column type (`$1::uuid[]`, `$2::timestamptz[]`). Jobs send
/// thousands of elements per batch, so quoting scans bytes instead of replacing strings.
public struct PGTextArray: PGEncodable {
    public static var pgType: PGTypeOID { PGType.textArray }
    public let pgText: String

    /// Builds the array literal from the elements' text forms.
    public init<Elements: Sequence>(_ elements: Elements) where Elements.Element == String? {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            guard let element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        pgText = String(decoding: bytes, as: UTF8.self)
    }

    /// Builds the array literal from non-optional strings.
    public init<Elements: Sequence>(strings: Elements) where Elements.Element == String {
        self.init(strings.lazy.map { Optional($0) })
    }
}

/// A `bigint[]` parameter, with SQL NULL for nil elements.
public struct PGInt64Array: PGEncodable {
    public static var pgType: PGTypeOID { PGType.int8Array }
    public let pgText: String

    /// Builds the array literal.
    public init<Elements: Sequence>(_ elements: Elements) where Elements.Element == Int64? {
        pgText = "{" + elements.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// Builds the array literal from non-optional ids.
    public init<Elements: Sequence>(ids: Elements) where Elements.Element == Int64 {
        self.init(ids.lazy.map { Optional($0) })
    }
}

import Postgres

/// A `text[]` parameter built in one pass, with SQL NULL for nil elements; the statement casts
/// it to the column type (`$1::uuid[]`, `$2::timestamptz[]`). Jobs send thousands of elements
/// per batch, so quoting scans bytes instead of searching and replacing strings.
struct TextArrayParameter: PGEncodable {
    static var pgType: PGTypeOID { PGType.textArray }
    let pgText: String

    /// Builds the array literal from the elements' text forms.
    init<Elements: Sequence>(_ elements: Elements) where Elements.Element == String? {
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
    init<Elements: Sequence>(strings: Elements) where Elements.Element == String {
        self.init(strings.lazy.map { Optional($0) })
    }
}

/// A `bigint[]` parameter, with SQL NULL for nil elements.
struct Int64ArrayParameter: PGEncodable {
    static var pgType: PGTypeOID { PGType.int8Array }
    let pgText: String

    /// Builds the array literal.
    init<Elements: Sequence>(_ elements: Elements) where Elements.Element == Int64? {
        pgText = "{" + elements.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// Builds the array literal from non-optional ids.
    init<Elements: Sequence>(ids: Elements) where Elements.Element == Int64 {
        self.init(ids.lazy.map { Optional($0) })
    }
}

/// A `jsonb` array of documents that are already JSON text, for `jsonb_array_elements($n)`:
/// joining them avoids escaping every quote inside a `text[]` literal.
enum JSONArrayParameter {
    /// `[doc1,doc2,...]` as a `jsonb` parameter.
    static func joining<Documents: Sequence>(_ documents: Documents) -> PGJSON where Documents.Element == [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        var first = true
        for document in documents {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.append(contentsOf: document)
        }
        bytes.append(UInt8(ascii: "]"))
        return PGJSON(text: String(decoding: bytes, as: UTF8.self))
    }
}

import Postgres

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

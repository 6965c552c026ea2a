import Foundation

/// A PostgreSQL type OID, as sent with parameters so the server never has to guess.
public typealias PGTypeOID = UInt32

/// Well-known type OIDs used by this wrapper.
public enum PGType {
    public static let unspecified: PGTypeOID = 0
    public static let bool: PGTypeOID = 16
    public static let int8: PGTypeOID = 20
    public static let int4: PGTypeOID = 23
    public static let text: PGTypeOID = 25
    public static let float8: PGTypeOID = 701
    public static let timestamptz: PGTypeOID = 1184
    public static let uuid: PGTypeOID = 2950
    public static let jsonb: PGTypeOID = 3802
    public static let textArray: PGTypeOID = 1009
    public static let int8Array: PGTypeOID = 1016
}

/// A Swift value that can be sent as a query parameter (`$1`, `$2`, ...), in text format.
public protocol PGEncodable: Sendable {
    /// The parameter's type OID.
    static var pgType: PGTypeOID { get }
    /// The value in PostgreSQL's text input format.
    var pgText: String { get }
}

/// A Swift value that can be read from a result column in text format.
public protocol PGDecodable {
    /// Decodes a column value; `text` is nil for SQL NULL.
    static func pgDecode(_ text: String?, column: String) throws(PostgresError) -> Self
}

/// A non-null value whose text form decodes with a failable initializer.
protocol PGTextDecodable: PGDecodable {
    init?(pgValue text: String)
}

extension PGTextDecodable {
    public static func pgDecode(_ text: String?, column: String) throws(PostgresError) -> Self {
        guard let text else {
            throw PostgresError(.decoding, "column \(column) is NULL but \(Self.self) was expected")
        }
        guard let value = Self(pgValue: text) else {
            throw PostgresError(.decoding, "column \(column) holds \"\(text.prefix(40))\", not a \(Self.self)")
        }
        return value
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func pgDecode(_ text: String?, column: String) throws(PostgresError) -> Wrapped? {
        guard let text else { return nil }
        return try Wrapped.pgDecode(text, column: column)
    }
}

extension Int64: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.int8 }
    public var pgText: String { String(self) }
    init?(pgValue text: String) { self.init(text) }
}

extension Int: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.int8 }
    public var pgText: String { String(self) }
    init?(pgValue text: String) { self.init(text) }
}

extension Int32: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.int4 }
    public var pgText: String { String(self) }
    init?(pgValue text: String) { self.init(text) }
}

extension Double: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.float8 }
    public var pgText: String { "\(self)" }
    init?(pgValue text: String) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(text)
        }
    }
}

extension String: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.text }
    public var pgText: String { self }
    init?(pgValue text: String) { self = text }
}

extension Bool: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.bool }
    public var pgText: String { self ? "t" : "f" }
    init?(pgValue text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.uuid }
    public var pgText: String { uuidString.lowercased() }
    init?(pgValue text: String) { self.init(uuidString: text) }
}

extension Date: PGEncodable, PGTextDecodable {
    public static var pgType: PGTypeOID { PGType.timestamptz }
    public var pgText: String { PGTimestamp.format(self) }
    init?(pgValue text: String) {
        guard let date = PGTimestamp.parse(text) else { return nil }
        self = date
    }
}

/// A `jsonb` value carried as its JSON text.
public struct PGJSON: PGEncodable, PGTextDecodable, Equatable {
    public static var pgType: PGTypeOID { PGType.jsonb }
    /// The JSON document as text.
    public let text: String
    public var pgText: String { text }

    /// Wraps JSON text as it is; the server validates it.
    public init(text: String) { self.text = text }

    /// Encodes a value with sorted keys.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document into a `Decodable` type.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    init?(pgValue text: String) { self.text = text }
}

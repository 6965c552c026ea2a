import Foundation
import Postgres
import Testing

@Suite("Postgres wrapper: parameters and typed rows", .serialized)
struct PostgresTypesTests {
    @Test("every supported type round-trips through a real server")
    func roundTrip() throws {
        let connection = try TestDatabase().connect()
        let id = UUID()
        let instant = Date(timeIntervalSince1970: 1_795_244_601.123456)
        let text = "Dr. O'Brien — \"Zoë\" \\ 😷"
        let row = try #require(try connection.query("""
            SELECT $1::int8 AS big, $2::int4 AS small, $3::text AS text, $4::bool AS flag, $5::uuid AS id,
                   $6::timestamptz AS at, $7::jsonb AS doc, $8::date AS day, $9::float8 AS ratio,
                   $10::text AS missing, $11::int8[] AS ids
            """, Int64.max, Int32.min, text, true, id, instant, PGJSON(text: #"{"b": [1, 2], "a": "x"}"#),
            "2027-02-28", 0.75, nil as String?, PGInt64Array(ids: [1, 2, 3])).first)
        #expect(try row.decode(Int64.self, "big") == Int64.max)
        #expect(try row.decode(Int32.self, "small") == Int32.min)
        #expect(try row.decode(String.self, "text") == text)
        #expect(try row.decode(Bool.self, "flag"))
        #expect(try row.decode(UUID.self, "id") == id)
        #expect(try row.decode(Date.self, "at").timeIntervalSince1970 == instant.timeIntervalSince1970)
        #expect(try row.decode(PGJSON.self, "doc").text == #"{"a": "x", "b": [1, 2]}"#)
        #expect(try row.decode(String.self, "day") == "2027-02-28")
        #expect(try row.decode(Double.self, "ratio") == 0.75)
        #expect(try row.decode(String?.self, "missing") == nil)
        #expect(try row.decode(String.self, "ids") == "{1,2,3}")
        #expect(try row.decode(Int64.self, at: 0) == Int64.max)
    }

    @Test("decoding refuses NULL into a non-optional, a wrong type and an unknown column")
    func decodingErrors() throws {
        let connection = try TestDatabase().connect()
        let row = try #require(try connection.query("SELECT NULL::int8 AS n, 'abc'::text AS t").first)
        #expect(throws: PostgresError.self) { try row.decode(Int64.self, "n") }
        #expect(throws: PostgresError.self) { try row.decode(Int64.self, "t") }
        #expect(throws: PostgresError.self) { try row.decode(String.self, "nope") }
        #expect(throws: PostgresError.self) { try row.decode(String.self, at: 7) }
    }

    @Test("values are never spliced into SQL: an injection attempt is just text")
    func parametersAreNotSQL() throws {
        let connection = try TestDatabase().connect()
        try connection.execute("CREATE TABLE notes (body text)")
        let hostile = "x'); DROP TABLE notes; --"
        try connection.query("INSERT INTO notes (body) VALUES ($1)", hostile)
        #expect(try connection.query("SELECT body FROM notes").first?.decode(String.self, "body") == hostile)
    }

    @Test("server errors carry SQLSTATE, detail and the unique-violation flag")
    func serverErrors() throws {
        let connection = try TestDatabase().connect()
        try connection.execute("CREATE TABLE u (k text PRIMARY KEY)")
        try connection.query("INSERT INTO u VALUES ($1)", "a")
        do {
            try connection.query("INSERT INTO u VALUES ($1)", "a")
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.isUniqueViolation)
            #expect(error.sqlState == "23505")
            #expect(error.detail?.contains("(k)=(a)") == true)
            #expect(!error.isUnavailable)
        }
    }

    @Test("rows affected and row counts are reported")
    func counts() throws {
        let connection = try TestDatabase().connect()
        try connection.execute("CREATE TABLE c (n int)")
        let inserted = try connection.query("INSERT INTO c SELECT generate_series(1, $1::int)", 25)
        #expect(inserted.affectedRows == 25)
        #expect(try connection.query("SELECT n FROM c WHERE n > $1", 20).rowCount == 5)
    }
}

import CallStore
import Testing

@Suite("Embedded migration catalog")
struct MigrationCatalogTests {
    @Test("versions run 1...n without gaps, names are unique snake_case")
    func versions() {
        let versions = MigrationCatalog.all.map(\.version)
        #expect(versions == Array(1...Int64(versions.count)))
        #expect(Set(MigrationCatalog.all.map(\.name)).count == versions.count)
        for migration in MigrationCatalog.all {
            #expect(migration.name.allSatisfy { $0.isLowercase || $0 == "_" })
            #expect(!migration.down.isEmpty)
        }
    }

    @Test("checksums are SHA-256 of the up SQL: stable, distinct, and sensitive to any edit")
    func checksums() {
        let all = MigrationCatalog.all
        #expect(Set(all.map(\.checksum)).count == all.count)
        #expect(all.allSatisfy { $0.checksum.count == 64 })
        let first = all[0]
        let edited = Migration(version: first.version, name: first.name, up: first.up + " ", down: first.down)
        #expect(edited.checksum != first.checksum)
        #expect(Migration(version: 9, name: "x", up: "", down: "").checksum
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("every table of docs/design.md is created by some migration")
    func coversDesignTables() {
        let sql = MigrationCatalog.all.map(\.up).joined()
        for table in ["tenants", "users", "doctors", "patients", "appointments", "call_sessions",
                      "appointment_call_events", "outbox", "settings"] {
            #expect(sql.contains("CREATE TABLE \(table) ("), "\(table)")
        }
        #expect(sql.contains("ON call_sessions (appointment_id) WHERE state <> 'ended'"))
    }

    @Test("status compares recorded rows with the catalog")
    func status() {
        let catalog = Array(MigrationCatalog.all.prefix(3))
        let applied = [
            AppliedMigration(version: 1, name: catalog[0].name, checksum: catalog[0].checksum, appliedAt: .now, executionMilliseconds: 1),
            AppliedMigration(version: 2, name: catalog[1].name, checksum: "tampered", appliedAt: .now, executionMilliseconds: 1),
            AppliedMigration(version: 7, name: "from_the_future", checksum: "x", appliedAt: .now, executionMilliseconds: 1),
        ]
        let status = MigrationStatus(applied: applied, catalog: catalog)
        #expect(status.pending.map(\.version) == [3])
        #expect(status.changed.map(\.applied.version) == [2])
        #expect(status.unknown.map(\.version) == [7])
        #expect(status.currentVersion == 7)
        #expect(MigrationError.changed(status.changed).description.contains("0002 appointments"))
    }
}

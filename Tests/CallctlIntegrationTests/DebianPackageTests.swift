import CallctlCommands
import Foundation
import LocalServices
import Testing

/// scripts/package-deb.sh's package, judged by Debian's own tools: `dpkg-deb --info` and
/// `--contents`, lintian, and the package extracted to a temporary root where the binary runs.
/// CALLCTL_DEB names the package: scripts/test.sh builds it (a release build) in a phase of its
/// own, then runs this suite. Without it the suite is skipped, since a `swift build` started
/// from inside `swift test` would wait for the lock `swift test` holds on .build.
@Suite("the Debian package", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["CALLCTL_DEB"]?.isEmpty == false,
                "set CALLCTL_DEB to a package built by scripts/package-deb.sh"))
struct DebianPackageTests {
    /// The package under test.
    static let package = ProcessInfo.processInfo.environment["CALLCTL_DEB"] ?? ""

    static func dpkgDeb(_ arguments: [String]) throws -> String {
        let run = try CommandRunner.run(["dpkg-deb"] + arguments + [package])
        try #require(run.status == 0, "dpkg-deb \(arguments.joined(separator: " ")): \(run.output)")
        return run.standardOutput
    }

    /// The value of one control field in `dpkg-deb --info`'s output.
    static func field(_ name: String, in info: String) -> String? {
        info.split(separator: "\n").first { $0.hasPrefix(" \(name): ") }
            .map { String($0.dropFirst(name.count + 3)) }
    }

    @Test("dpkg-deb --info: the version is the binary's, Depends is computed from its libraries, /etc files are conffiles")
    func info() throws {
        let info = try Self.dpkgDeb(["--info"])
        #expect(Self.field("Package", in: info) == "callctl")
        #expect(Self.field("Version", in: info) == CallctlCommand.version)
        let architecture = try CommandRunner.run(["dpkg", "--print-architecture"]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Self.field("Architecture", in: info) == architecture)
        let depends = try #require(Self.field("Depends", in: info), "\(info)")
        for library in ["libc6", "libpq5", "libcurl4", "adduser"] {
            #expect(depends.contains(library), "Depends lacks \(library): \(depends)")
        }
        #expect(!depends.contains("swift"), "the binary needs Swift's shared libraries: \(depends)")
        for script in ["postinst", "prerm", "postrm", "conffiles", "md5sums"] {
            #expect(info.contains(" \(script)\n") || info.contains(" \(script) "), "no \(script) in the control archive: \(info)")
        }
        let conffiles = try withScratchDirectory("deb-control") { directory in
            let run = try CommandRunner.run(["dpkg-deb", "--control", Self.package, directory.path])
            try #require(run.status == 0, "\(run.output)")
            return try String(contentsOf: directory.appendingPathComponent("conffiles"), encoding: .utf8)
        }
        #expect(conffiles == "/etc/callctl/callctl.env\n/etc/cron.d/callctl\n/etc/logrotate.d/callctl\n")
    }

    @Test("dpkg-deb --contents: the binary, unit, cron file, env file (mode 600), man pages, completions and docs")
    func contents() throws {
        let listing = try Self.dpkgDeb(["--contents"])
        var entries: [String: (mode: String, owner: String)] = [:]
        for line in listing.split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 6, let path = columns.last else { continue }
            entries[String(path)] = (String(columns[0]), String(columns[1]))
        }
        let expected = [
            "./usr/bin/callctl": "-rwxr-xr-x", "./usr/lib/systemd/system/callctl.service": "-rw-r--r--",
            "./etc/cron.d/callctl": "-rw-r--r--", "./etc/callctl/callctl.env": "-rw-------",
            "./etc/logrotate.d/callctl": "-rw-r--r--", "./usr/share/man/man1/callctl.1.gz": "-rw-r--r--",
            "./usr/share/man/man1/callctl.serve.1.gz": "-rw-r--r--",
            "./usr/share/bash-completion/completions/callctl": "-rw-r--r--",
            "./usr/share/zsh/vendor-completions/_callctl": "-rw-r--r--",
            "./usr/share/fish/vendor_completions.d/callctl.fish": "-rw-r--r--",
            "./usr/share/doc/callctl/copyright": "-rw-r--r--", "./usr/share/doc/callctl/changelog.gz": "-rw-r--r--",
            "./usr/share/doc/callctl/examples/nginx/callctl.conf": "-rw-r--r--",
            "./usr/share/doc/callctl/examples/prometheus/callctl-alerts.yml": "-rw-r--r--",
            "./usr/share/lintian/overrides/callctl": "-rw-r--r--",
        ]
        for (path, mode) in expected {
            let entry = try #require(entries[path], "\(path) is not in the package:\n\(listing)")
            #expect(entry.mode == mode && entry.owner == "root/root", "\(path): \(entry)")
        }
        // Debian compresses documentation over 4 KiB: design.md.gz, and a short playbook as it is.
        for document in ["docs/design.md", "docs/laravel.md", "playbooks/turn-down.md", "playbooks/zombie-calls.md", "README.md"] {
            #expect(entries.keys.contains { $0 == "./usr/share/doc/callctl/\(document)" || $0 == "./usr/share/doc/callctl/\(document).gz" },
                    "\(document) is not in /usr/share/doc/callctl")
        }
        #expect(!entries.keys.contains { $0.hasPrefix("./usr/local") || $0.hasPrefix("./var") }, "\(listing)")
    }

    @Test("extracted to a temporary root: the binary runs --version and --help without Swift's libraries; the unit and the man page point at it")
    func extracted() throws {
        try withScratchDirectory("deb-root") { root in
            let extract = try CommandRunner.run(["dpkg-deb", "-x", Self.package, root.path])
            try #require(extract.status == 0, "\(extract.output)")
            let binary = root.appendingPathComponent("usr/bin/callctl").path
            let version = try CommandRunner.run([binary, "--version"], environment: ["LD_LIBRARY_PATH": nil])
            #expect(version.status == 0 && version.standardOutput == CallctlCommand.version + "\n", "\(version.output)")
            let help = try CommandRunner.run([binary, "--help"])
            #expect(help.status == 0 && ["serve", "jobs", "migrate", "smoke"].allSatisfy(help.standardOutput.contains), "\(help.output)")
            let libraries = try CommandRunner.run(["ldd", binary]).standardOutput
            #expect(!libraries.contains("libswift") && !libraries.contains("not found"), "\(libraries)")

            let unit = try String(contentsOf: root.appendingPathComponent("usr/lib/systemd/system/callctl.service"), encoding: .utf8)
            let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
            #expect(execStart.hasPrefix("ExecStart=/usr/bin/callctl serve "), "\(execStart)")
            #expect(unit.contains("EnvironmentFile=/etc/callctl/callctl.env"))

            let page = try CommandRunner.run(["sh", "-c", "gzip -dc \"$1\"", "sh",
                                              root.appendingPathComponent("usr/share/man/man1/callctl.serve.1.gz").path])
            #expect(page.standardOutput.contains(".Dt CALLCTL.SERVE 1") && page.standardOutput.contains("listen"), "\(page.output.prefix(400))")
            let bash = try String(contentsOf: root.appendingPathComponent("usr/share/bash-completion/completions/callctl"), encoding: .utf8)
            #expect(bash.contains("complete") && bash.contains("serve"), "\(bash.prefix(300))")
        }
    }

    @Test("lintian reports no error and no warning (the few overrides are explained in deploy/debian/lintian-overrides)",
          .enabled(if: CommandRunner.which("lintian") != nil, "lintian is not installed"))
    func lintian() throws {
        let run = try CommandRunner.run(["lintian", "--tag-display-limit", "0", Self.package])
        let tags = run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("E: ") || $0.hasPrefix("W: ") }
        #expect(tags.isEmpty, "lintian:\n\(run.output)")
        #expect(!run.standardError.contains("error"), "\(run.standardError)")
    }
}

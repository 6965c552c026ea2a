import ArgumentParser

/// `callctl diagnose`: one command that names the broken layer and the fix.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Find which layer is broken and what to do about it.",
        discussion: """
        Each diagnosis runs ordered checks, prints one line per check (status, name, \
        duration, and on failure a verdict naming the cause and the fix) and stops at the \
        first broken layer.

        Exit codes: 0 every check passed, 1 a check failed, 2 the diagnosis could not run \
        (a bad or missing flag, an unreadable --env-file). What the argument parser rejects \
        itself, an unknown flag or a flag without its value, exits 64. `diagnose db` \
        exits 0 healthy, 1 a problem found, 69 database unreachable, 78 schema missing.

        Examples:
          callctl diagnose echo --env-file /var/www/app/.env --token "$TOKEN" --channel private-appointments.42
          callctl diagnose echo --env-file .env --token "$T" --channel private-users.7 --format junit > echo.xml
          callctl diagnose peerjs --env-file /etc/callctl/callctl.env --url ws://127.0.0.1:8080
          callctl diagnose db --env-file /var/www/app/.env
        """,
        subcommands: [DiagnoseEcho.self, DiagnosePeerJS.self, DiagnoseDB.self, DiagnoseCall.self]
    )
}

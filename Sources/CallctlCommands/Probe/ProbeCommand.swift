import ArgumentParser

/// `callctl probe`: STUN and TURN health probes for monitoring and on-call.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Prove that STUN servers answer and that TURN relays really relay.",
        discussion: """
        Each probe runs named checks, each with its duration, and stops at the first failure, \
        naming the step and its likely cause. The whole probe ends within --timeout.

        Exit codes (Nagios plugin convention): 0 OK, 1 WARNING (round trip above --warn-rtt, \
        or an open relay), 2 CRITICAL (no answer, refused, authentication failed, nothing \
        relayed, or round trip above --crit-rtt), 3 UNKNOWN (a bad URI or flag, a missing \
        credential). Usage errors exit 3 rather than the 64 of other callctl commands; only \
        what the argument parser rejects itself, an unknown flag or a flag without its \
        value, still exits 64.

        Examples:
          callctl probe stun stun:stun.example.org
          callctl probe turn turns:turn.example.org --secret "$S" --format nagios
          CALLCTL_TURN_SECRET=... callctl probe ice --format json
        """,
        subcommands: [ProbeStun.self, ProbeTurn.self, ProbeIce.self]
    )
}

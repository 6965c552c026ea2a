import CallDomain
import CallStore
import Logging
import NIOConcurrencyHelpers
import Postgres

/// The channel rules a daemon is using: read from their ``ChannelRulesSource`` at start-up
/// (where bad rules stop the daemon), then re-read at most once per ``maximumAge`` when asked
/// for, so a new file or `channels.rules` value applies within a second without a restart.
/// A re-read that finds bad rules (or cannot read them) keeps the last good set and logs why,
/// once per distinct problem.
public final class ChannelRulesCache: Sendable {
    /// How long a read stays current.
    public static let maximumAge: Duration = .seconds(1)

    private struct State {
        var rules: ChannelRuleSet
        var readAt: ContinuousClock.Instant
        var lastProblem: String?
    }

    private let source: ChannelRulesSource
    private let pool: PGPool
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    /// Reads the rules once.
    /// - Throws: ``ChannelRulesLoadError`` when they are bad; a database error as is.
    public static func open(source: ChannelRulesSource, pool: PGPool, logger: Logger) async throws -> ChannelRulesCache {
        let rules = try await pool.withConnection { try source.load(on: $0) }
        logger.info("channel rules loaded", metadata: ["source": "\(source.origin)", "rules": "\(rules.rules.count)"])
        return ChannelRulesCache(rules: rules, source: source, pool: pool, logger: logger)
    }

    private init(rules: ChannelRuleSet, source: ChannelRulesSource, pool: PGPool, logger: Logger) {
        self.source = source
        self.pool = pool
        self.logger = logger
        state = NIOLockedValueBox(State(rules: rules, readAt: .now, lastProblem: nil))
    }

    /// The rules in force, re-read first when the last read is older than ``maximumAge``
    /// (one caller re-reads; the others use the rules they have meanwhile).
    public func current() async -> ChannelRuleSet {
        let (rules, due) = state.withLockedValue { state -> (ChannelRuleSet, Bool) in
            let due = state.readAt.duration(to: .now) >= Self.maximumAge
            if due { state.readAt = .now }
            return (state.rules, due)
        }
        guard due else { return rules }
        do {
            let fresh = try await pool.withConnection { [source] in try source.load(on: $0) }
            state.withLockedValue { $0.rules = fresh; $0.lastProblem = nil }
            return fresh
        } catch {
            let problem = "\(error)"
            let isNew = state.withLockedValue { state -> Bool in
                defer { state.lastProblem = problem }
                return state.lastProblem != problem
            }
            if isNew {
                logger.error("channel rules not reloaded; keeping the last good set", metadata: ["error": "\(problem)"])
            }
            return rules
        }
    }
}

import CallDomain
import CallStore
import Foundation
import Postgres

/// `outbox status --format json`: `backlog`, `oldest_pending_age_seconds` (null when empty),
/// `not_relayed`, `failing_count`, `failing` (`id`, `event`, `channel`, `attempts`,
/// `last_error`, `next_attempt_at`), `published_last_hour`, `max_age_seconds`, `max_age_exceeded`,
/// `external_target` (the declared one, null when none), `destination_problems` (sentences),
/// `webhooks` (per URL without its query: `url`, `pending`, `oldest_pending_age_seconds`,
/// `attempts`, `failing_since`, `last_error`, `next_attempt_at`, `dropped`, `last_dropped_at`).
struct OutboxStatusReport: Encodable {
    let status: OutboxStatus
    let maxAge: Double?
    let exceeded: Bool

    init(_ status: OutboxStatus, maxAge: Double?, exceeded: Bool) {
        self.status = status
        self.maxAge = maxAge
        self.exceeded = exceeded
    }

    private enum Keys: String, CodingKey {
        case backlog, failing
        case oldest = "oldest_pending_age_seconds", notRelayed = "not_relayed", failingCount = "failing_count"
        case publishedLastHour = "published_last_hour", maxAge = "max_age_seconds", exceeded = "max_age_exceeded"
        case externalTarget = "external_target", destinationProblems = "destination_problems", webhooks
    }

    private enum WebhookKeys: String, CodingKey {
        case url, pending, attempts, dropped
        case oldest = "oldest_pending_age_seconds", failingSince = "failing_since", lastError = "last_error"
        case nextAttemptAt = "next_attempt_at", lastDroppedAt = "last_dropped_at"
    }

    private enum RowKeys: String, CodingKey {
        case id, event, channel, attempts
        case lastError = "last_error", nextAttemptAt = "next_attempt_at"
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Keys.self)
        try object.encode(status.backlog, forKey: .backlog)
        try object.encode(status.oldestPendingAgeSeconds.map { ($0 * 1000).rounded() / 1000 }, forKey: .oldest)
        try object.encode(status.notRelayed, forKey: .notRelayed)
        try object.encode(status.failingCount, forKey: .failingCount)
        try object.encode(status.publishedLastHour, forKey: .publishedLastHour)
        try object.encode(maxAge, forKey: .maxAge)
        try object.encode(exceeded, forKey: .exceeded)
        try object.encode(status.destinations.declared, forKey: .externalTarget)
        try object.encode(status.destinations.problems, forKey: .destinationProblems)
        var hooks = object.nestedUnkeyedContainer(forKey: .webhooks)
        for backlog in status.webhooks {
            var hook = hooks.nestedContainer(keyedBy: WebhookKeys.self)
            try hook.encode(backlog.url, forKey: .url)
            try hook.encode(backlog.pending, forKey: .pending)
            try hook.encode(backlog.oldestAgeSeconds.map { ($0 * 1000).rounded() / 1000 }, forKey: .oldest)
            try hook.encode(backlog.attempts, forKey: .attempts)
            try hook.encode(backlog.failingSince.map(PGTimestamp.format), forKey: .failingSince)
            try hook.encode(backlog.lastError, forKey: .lastError)
            try hook.encode(backlog.nextAttemptAt.map(PGTimestamp.format), forKey: .nextAttemptAt)
            try hook.encode(backlog.dropped, forKey: .dropped)
            try hook.encode(backlog.lastDroppedAt.map(PGTimestamp.format), forKey: .lastDroppedAt)
        }
        var rows = object.nestedUnkeyedContainer(forKey: .failing)
        for failing in status.failing {
            var row = rows.nestedContainer(keyedBy: RowKeys.self)
            try row.encode(failing.id, forKey: .id)
            try row.encode(failing.event, forKey: .event)
            try row.encode(failing.channel, forKey: .channel)
            try row.encode(failing.attempts, forKey: .attempts)
            try row.encode(failing.lastError, forKey: .lastError)
            try row.encode(failing.nextAttemptAt.map(PGTimestamp.format), forKey: .nextAttemptAt)
        }
    }
}

/// `outbox status` for people.
enum OutboxStatusText {
    static func lines(_ status: OutboxStatus) -> [String] {
        var lines = [
            "backlog:             \(plural(status.backlog, "event")) not yet published",
            "oldest pending:      " + (status.oldestPendingAgeSeconds.map { ReadableText.age($0) + " ago" } ?? "none"),
            "not relayed:         \(status.notRelayed)" + (status.notRelayed > 0 ? " (no daemon's hub has delivered them yet)" : ""),
            "failing:             \(status.failingCount)" + (status.failingCount > 0 ? " (refused by the external server)" : ""),
            "published last hour: \(status.publishedLastHour)",
            "external target:     " + (status.destinations.declared.map { "\($0) (every row is published there)" } ?? "none"),
        ]
        lines += status.destinations.problems.map { "PROBLEM: \($0)" }
        lines += webhookLines(status.webhooks)
        guard !status.failing.isEmpty else { return lines }
        var table = TextTable("ID", "EVENT", "CHANNEL", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR")
        for row in status.failing {
            table.add(String(row.id), row.event, row.channel, String(row.attempts),
                      row.nextAttemptAt.map(PGTimestamp.formatSeconds) ?? "now", row.lastError ?? "")
        }
        lines.append("")
        lines += table.render()
        if status.failingCount > status.failing.count {
            lines.append("… and \(status.failingCount - status.failing.count) more failing rows (oldest shown first)")
        }
        return lines
    }
}

extension OutboxStatusText {
    /// The webhooks' backlog: one line per URL, then the failing ones' last error and the drops.
    static func webhookLines(_ webhooks: [WebhookURLBacklog]) -> [String] {
        guard !webhooks.isEmpty else { return ["webhooks:            none"] }
        var lines = ["webhooks:            \(plural(webhooks.reduce(0) { $0 + $1.pending }, "event")) pending for "
                     + plural(webhooks.count, "URL")]
        for hook in webhooks {
            var line = "  \(hook.url): \(hook.pending) pending"
            if let age = hook.oldestAgeSeconds { line += ", oldest " + ReadableText.age(age) + " ago" }
            if let since = hook.failingSince {
                line += "; FAILING since \(PGTimestamp.formatSeconds(since)) (\(plural(hook.attempts, "attempt"))), next attempt "
                    + (hook.nextAttemptAt.map(PGTimestamp.formatSeconds) ?? "now") + ": \(hook.lastError ?? "")"
            }
            if hook.dropped > 0 {
                line += "; DROPPED \(hook.dropped) (backlog full), last at " + (hook.lastDroppedAt.map(PGTimestamp.formatSeconds) ?? "?")
            }
            lines.append(line)
        }
        return lines
    }
}

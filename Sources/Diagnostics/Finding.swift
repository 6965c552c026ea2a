/// What one check found, and the value the later checks build on (nil stops the run).
struct Finding<Value: Sendable>: Sendable {
    let status: EchoCheckStatus
    let detail: String
    let verdict: String?
    let security: Bool
    let value: Value?

    /// It works; `value` feeds the next checks.
    static func pass(_ detail: String, _ value: Value) -> Finding {
        Finding(status: .pass, detail: detail, verdict: nil, security: false, value: value)
    }

    /// It works but needs attention (`verdict`); the run goes on.
    static func warn(_ detail: String, verdict: String, _ value: Value) -> Finding {
        Finding(status: .warn, detail: detail, verdict: verdict, security: false, value: value)
    }

    /// It is broken: `verdict` names the cause and the fix; the run stops unless the check stands alone.
    static func fail(_ detail: String, verdict: String, security: Bool = false) -> Finding {
        Finding(status: .fail, detail: detail, verdict: verdict, security: security, value: nil)
    }

    /// Not applicable here (`value` lets the run go on) or lacking what it needs.
    static func skip(_ detail: String, _ value: Value? = nil) -> Finding {
        Finding(status: .skip, detail: detail, verdict: nil, security: false, value: value)
    }
}

/// Runs checks in order, timing each, and fills in the ones never reached as skipped.
struct CheckRecorder<Name: DiagnosisCheckName> {
    private(set) var checks: [DiagnosisCheck<Name>] = []

    /// Runs and records one check; returns its value (nil when it failed or was skipped without one).
    @discardableResult
    mutating func run<Value: Sendable>(_ name: Name, _ body: () async -> Finding<Value>) async -> Value? {
        let clock = ContinuousClock()
        let start = clock.now
        let finding = await body()
        checks.append(DiagnosisCheck(name: name, status: finding.status, duration: clock.now - start, detail: finding.detail,
                                verdict: finding.verdict, security: finding.security))
        return finding.value
    }

    /// Every check in order: those not run are skipped, naming the failure that stopped the run;
    /// `secrets` are replaced by `<redacted>` wherever a server echoed one.
    func report(redacting secrets: [String]) -> DiagnosisReport<Name> {
        let stop = checks.first { $0.status == .fail }.map { "not run: \($0.name.rawValue) failed" } ?? "not run"
        let all = Name.allCases.map { name in
            checks.first { $0.name == name } ?? DiagnosisCheck(name: name, status: .skip, duration: .zero, detail: stop)
        }
        return DiagnosisReport(checks: all.map { check in
            DiagnosisCheck(name: check.name, status: check.status, duration: check.duration,
                      detail: Self.redact(check.detail, secrets), verdict: check.verdict.map { Self.redact($0, secrets) },
                      security: check.security)
        })
    }

    private static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}

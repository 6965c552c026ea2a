import CallDomain
import Testing

@Suite("Appointment status machine")
struct CallDomainAppointmentStatusTests {
    static let legal: [(AppointmentStatus, AppointmentTransition, AppointmentStatus)] = [
        (.scheduled, .start, .inProgress),
        (.inProgress, .complete, .completed),
        (.scheduled, .markNoShow, .noShow),
        (.scheduled, .cancel, .cancelled),
        (.scheduled, .reschedule, .rescheduled),
    ]

    @Test("raw values match the schema")
    func rawValues() {
        #expect(AppointmentStatus.allCases.map(\.rawValue)
            == ["scheduled", "in_progress", "completed", "no_show", "cancelled", "rescheduled"])
    }

    @Test("every legal transition leads to its target", arguments: 0..<5)
    func legalTransition(index: Int) throws {
        let (from, transition, to) = Self.legal[index]
        #expect(try from.applying(transition) == to)
        #expect(transition.target == to)
    }

    @Test("every other (status, transition) pair is refused with invalid_transition")
    func illegalTransitions() {
        var refused = 0
        for status in AppointmentStatus.allCases {
            for transition in AppointmentTransition.allCases
            where !Self.legal.contains(where: { $0.0 == status && $0.1 == transition }) {
                do {
                    let target = try status.applying(transition)
                    Issue.record("\(status.rawValue) + \(transition) was allowed, to \(target.rawValue)")
                } catch {
                    #expect(error.reason == .invalidTransition)
                    #expect(error.message.contains(status.rawValue))
                }
                refused += 1
            }
        }
        #expect(refused == 6 * 5 - 5)
    }

    @Test("terminal statuses refuse everything and say they are final")
    func terminal() {
        let terminal = AppointmentStatus.allCases.filter(\.isTerminal)
        #expect(terminal == [.completed, .noShow, .cancelled, .rescheduled])
        for status in terminal {
            #expect(!status.allowsCalls)
            for transition in AppointmentTransition.allCases {
                #expect(throws: DomainError(.invalidTransition, "An appointment that is \(status.rawValue) cannot be "
                    + Self.participle(transition) + "; \(status.rawValue) is final.")) {
                    try status.applying(transition)
                }
            }
        }
        #expect(AppointmentStatus.scheduled.allowsCalls && AppointmentStatus.inProgress.allowsCalls)
    }

    @Test("start sets started_at, complete sets ended_at, the others set nothing")
    func stamps() {
        #expect(AppointmentTransition.start.stamps == [.startedAt])
        #expect(AppointmentTransition.complete.stamps == [.endedAt])
        #expect(AppointmentTransition.markNoShow.stamps.isEmpty)
        #expect(AppointmentTransition.cancel.stamps.isEmpty)
        #expect(AppointmentTransition.reschedule.stamps.isEmpty)
        #expect(AppointmentStamp.allCases.map(\.rawValue) == ["started_at", "ended_at"])
    }

    private static func participle(_ transition: AppointmentTransition) -> String {
        switch transition {
        case .start: "started"
        case .complete: "completed"
        case .markNoShow: "marked no_show"
        case .cancel: "cancelled"
        case .reschedule: "rescheduled"
        }
    }
}

/// A refusal by a domain rule: a ``ReasonCode`` for machines and a sentence for people.
///
/// The message is a full sentence that says what happened and, where it helps, what to do next.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The machine-readable reason.
    public let reason: ReasonCode
    /// A human sentence explaining the refusal.
    public let message: String

    /// Creates an error with a reason code and an explanatory sentence.
    public init(_ reason: ReasonCode, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// `reason: message`, for logs.
    public var description: String { "\(reason.rawValue): \(message)" }
}

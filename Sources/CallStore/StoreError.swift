/// The database was found in a state the store's own locks and claims should have ruled out
/// (a write changed another number of rows than its plan, a plan without what it needs); the
/// transaction rolls back. Refusals users can cause are `DomainError`s, never this.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What was found.
    public let description: String

    init(_ description: String) { self.description = description }
}

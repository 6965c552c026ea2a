import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// At most `limit` bytes of the body.
    /// - Throws: ``APIError`` 413 `too_large` over the limit, with `hint` (what to send instead) after the sentence.
    func boundedBody(limit: Int, hint: String = "") async throws -> Data {
        do {
            return Data(try await body.collect(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, reason: "too_large", "The request body is larger than \(limit) bytes\(hint).")
        }
    }
}

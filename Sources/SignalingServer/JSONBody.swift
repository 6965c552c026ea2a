import CallDomain
import Foundation
import Hummingbird
import NIOCore

/// JSON as the API writes it: sorted keys, unescaped slashes, dates as ISO-8601 UTC with
/// milliseconds (``ISOTimestamp``).
enum JSONBody {
    private static let encoder = ISOTimestamp.jsonEncoder()

    /// The bytes of `value`; the API's response types always encode.
    static func encode(_ value: some Encodable) -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch {
            preconditionFailure("API response types hold only strings, numbers and dates: \(error)")
        }
    }

    /// A 200 response with `value` as JSON.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}

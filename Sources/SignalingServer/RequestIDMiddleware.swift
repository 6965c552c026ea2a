import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id an application log line can be matched with: the client's
/// `X-Request-Id` when it is 1 to 128 characters of letters, digits and `._:-`, else a new
/// UUID. The id goes into the logger's metadata (`requestId`), the request context (the call
/// routes write it into the audit row) and the response's `X-Request-Id`, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = CallRequestContext

    /// The header, as Laravel, nginx and most proxies name it.
    static let header = HTTPField.Name("X-Request-Id")!

    /// The longest id accepted from a client.
    static let maximumLength = 128

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.accepted) ?? UUID().uuidString.lowercased()
        context.requestId = id
        context.logger[metadataKey: "requestId"] = "\(id)"
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// `text` when it is a well-formed id; nil for anything else (which is replaced, not refused).
    static func accepted(_ text: String) -> String? {
        guard (1...maximumLength).contains(text.utf8.count),
              text.utf8.allSatisfy({ byte in
                  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                      || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
              })
        else { return nil }
        return text
    }
}

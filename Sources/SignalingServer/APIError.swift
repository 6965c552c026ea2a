import AccessTokens
import CallDomain
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

/// An error answered as `{"error": "<sentence>", "reason": "<code>"}` with its status:
/// every 4xx and 5xx of the daemon has this body.
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The machine-readable code.
    public let reason: String
    /// The sentence for people.
    public let message: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public let headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, reason: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.reason = reason
        self.message = message
        self.headers = headers
    }

    /// A `validation` refusal naming the field: 422, or 400 when the body is not JSON at all.
    /// 401 for a token whose signature holds but whose user was deleted since: it vouches for nobody.
    static func userGone(_ userId: Int64) -> APIError {
        APIError(.unauthorized, reason: ReasonCode.unauthenticated.rawValue,
                 "The bearer token's user \(userId) no longer exists; sign in again as an existing user.",
                 headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }

    static func validation(_ message: String, status: HTTPResponse.Status = .unprocessableContent) -> APIError {
        APIError(status, reason: ReasonCode.validation.rawValue, message)
    }

    /// A domain refusal with its status and reason code.
    init(_ error: DomainError) {
        self.init(HTTPResponse.Status(code: error.reason.httpStatus), reason: error.reason.rawValue, error.message)
    }

    /// The refusal of a bearer token.
    init(_ error: AccessTokenError) {
        self.init(.unauthorized, reason: ReasonCode.unauthenticated.rawValue, error.message,
                  headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
    }

    /// Any error as the daemon answers it; `internal` and `unavailable` hide the details,
    /// which the caller logs.
    static func answering(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as DomainError: return APIError(error)
        case let error as AccessTokenError: return APIError(error)
        case let error as PostgresError where error.kind == .overloaded:
            return APIError(.serviceUnavailable, reason: "overloaded", "The server is busy; retry in a second.",
                            headers: [.retryAfter: "1"])
        case let error as PostgresError where error.isUnavailable:
            return APIError(.serviceUnavailable, reason: "unavailable", "The database is unavailable; try again shortly.",
                            headers: [.retryAfter: "1"])
        case let error as HTTPError:
            return APIError(error.status, reason: reason(for: error.status),
                            error.body ?? "\(error.status.code) \(error.status.reasonPhrase)")
        default:
            return APIError(.internalServerError, reason: "internal", "The server failed to handle the request; it has been logged.")
        }
    }

    private static func reason(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: ReasonCode.notFound.rawValue
        case .contentTooLarge: "too_large"
        case .methodNotAllowed: "method_not_allowed"
        case .badRequest: ReasonCode.validation.rawValue
        case .unauthorized: ReasonCode.unauthenticated.rawValue
        default: status.code < 500 ? "bad_request" : "internal"
        }
    }

    /// The JSON response.
    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON body, `{"error": …, "reason": …}`.
    var body: [UInt8] {
        JSONBody.encode(ErrorBody(error: message, reason: reason))
    }

    private struct ErrorBody: Encodable {
        let error: String
        let reason: String
    }
}

/// Turns every error thrown below it into ``APIError``'s JSON body, logging the unexpected ones
/// that are the server's fault (a route that throws an ``APIError`` logs its own cause).
/// Added after the metrics middleware, so refusals are counted by status.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = CallRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            return APIError(.notFound, reason: ReasonCode.notFound.rawValue,
                            "There is no route \(request.method) \(request.uri.path.prefix(200)); see `callctl serve --help`.").response()
        } catch {
            let answer = APIError.answering(error)
            // Overload is answered, counted by /metrics and not logged per request: a flood
            // would otherwise flood the log too.
            if answer.status.code >= 500, !(error is APIError), answer.reason != "overloaded" {
                context.logger.error("request failed", metadata: [
                    "path": "\(request.uri.path)", "status": "\(answer.status.code)", "error": "\(error)",
                ])
            }
            return answer.response()
        }
    }
}

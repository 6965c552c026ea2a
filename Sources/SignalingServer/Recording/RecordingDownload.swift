import CallDomain
import Foundation
import Hummingbird
import RecordingStorage

/// The answer to `GET /appointments/{id}/recording`: a short-lived signed URL of the file.
struct RecordingDownload: Encodable {
    let recordingId: String
    let url: String
    let expiresAt: Date

    /// A 302 to the URL (its JSON in the body too), or with `Accept: application/json` a 200
    /// with the JSON, for a browser's `fetch` (which cannot read a redirect's `Location`).
    /// Never cached: the URL is a credential until it expires.
    func response(to request: Request) -> Response {
        let wantsJSON = request.headers[.accept]?.contains("application/json") == true
        var response = JSONBody.response(self, status: wantsJSON ? .ok : .found)
        response.headers[.cacheControl] = "no-store"
        if !wantsJSON { response.headers[.location] = url }
        return response
    }

    /// Signs `key` with the configured storage, valid until `expiresAt`.
    /// - Throws: ``APIError`` 503 when the storage is not configured or cannot sign (the
    ///   message says which variable to set; never a secret).
    static func sign(_ key: String, settings: RecordingSettings, expiresAt: Date, now: Date) throws -> String {
        guard let storage = settings.storage else {
            throw APIError(.serviceUnavailable, reason: "storage_not_configured",
                           "Recordings cannot be downloaded: no recording storage is configured.")
        }
        do {
            return try storage.downloadURL(key: try RecordingKey(key), expiresAt: expiresAt, now: now)
        } catch {
            throw APIError(.serviceUnavailable, reason: "storage_not_configured", "Recordings cannot be downloaded: \(error.description).")
        }
    }
}

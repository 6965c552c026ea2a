import CCurl
import Foundation
import Offloading

/// One HTTP request for `HTTPClient.send`.
public struct HTTPRequest: Sendable {
    /// GET, POST, ...
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Header lines as name/value pairs.
    public var headers: [(String, String)]
    /// The body, if any.
    public var body: Data?
    /// The whole-transfer timeout.
    public var timeout: Duration
    /// PEM certificates to trust for https besides the system's (a private CA, a self-signed server).
    public var caFile: String?

    /// Creates a request.
    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Data? = nil, timeout: Duration = .seconds(10),
                caFile: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.caFile = caFile
    }
}

/// curl's timings for one transfer, each measured from the start of the request.
public struct HTTPTimings: Sendable, Equatable {
    /// Name resolution done.
    public let dns: Duration
    /// TCP connection established.
    public let connect: Duration
    /// TLS handshake done (equal to `connect` for plain HTTP).
    public let tls: Duration
    /// First response byte received.
    public let firstByte: Duration
    /// Whole transfer.
    public let total: Duration
}

/// A response with its timings.
public struct HTTPResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Response headers, names lowercased (the last value wins).
    public let headers: [String: String]
    /// The body (bounded by `HTTPClient.maximumBodyBytes`).
    public let body: Data
    /// curl's timings.
    public let timings: HTTPTimings
    /// The server certificate's expiry for HTTPS, when curl reported it.
    public let certificateExpiry: Date?
}

/// A transfer that did not produce a response; `description` says what failed and where.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    /// curl's error code.
    public let code: Int
    /// What failed.
    public let description: String
}

/// A small blocking HTTP client over libcurl: this module alone imports `CCurl`.
public enum HTTPClient {
    /// Responses larger than this are cut off with an error.
    public static let maximumBodyBytes = 8 << 20

    /// Sends a request and waits for the whole response. Blocking: call it off the cooperative pool.
    public static func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(code: -1, description: "libcurl could not create a handle")
        }
        defer { curl_easy_cleanup(handle) }
        let sink = ResponseSink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        defer { curl_slist_free_all(headerList) }

        let timeoutMilliseconds = Int(request.timeout / .milliseconds(1))
        _ = callctl_curl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = callctl_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        _ = callctl_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
        _ = callctl_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = callctl_curl_setopt_long(handle, CURLOPT_CERTINFO, 1)
        _ = callctl_curl_setopt_string(handle, CURLOPT_USERAGENT, "callctl")
        if let caFile = request.caFile {
            // The file, and the system's certificates (Debian's hashed directory) as well.
            _ = callctl_curl_setopt_string(handle, CURLOPT_CAINFO, caFile)
            _ = callctl_curl_setopt_string(handle, CURLOPT_CAPATH, "/etc/ssl/certs")
        }
        _ = callctl_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        _ = callctl_curl_setopt_write_function(handle, { pointer, size, count, context in
            Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue().appendBody(pointer, size * count)
        })
        _ = callctl_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        _ = callctl_curl_setopt_header_function(handle, { pointer, size, count, context in
            Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue().appendHeader(pointer, size * count)
        })
        _ = callctl_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque())

        let code = sendBody(request.body, handle: handle)
        guard code == CURLE_OK else {
            let reason = sink.truncated ? "the response exceeded \(maximumBodyBytes) bytes" : String(cString: curl_easy_strerror(code))
            throw HTTPClientError(code: Int(code.rawValue), description: "\(request.method) \(HTTPClient.redactedURL(request.url)) failed: \(reason)")
        }
        var status = 0
        _ = callctl_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body,
                            timings: timings(handle), certificateExpiry: CertificateInfo.expiry(handle))
    }

    /// The URL without its query string and credentials, for messages (queries may carry tokens).
    public static func redactedURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the URL" }
        components.query = nil
        components.user = nil
        components.password = nil
        return components.string ?? "the URL"
    }

    private static func sendBody(_ body: Data?, handle: UnsafeMutableRawPointer) -> CURLcode {
        guard let body else { return curl_easy_perform(handle) }
        return body.withUnsafeBytes { buffer in
            _ = callctl_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
            _ = callctl_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            return curl_easy_perform(handle)
        }
    }

    private static func timings(_ handle: UnsafeMutableRawPointer) -> HTTPTimings {
        func measure(_ info: CURLINFO) -> Duration {
            var microseconds: curl_off_t = 0
            _ = callctl_curl_getinfo_offset(handle, info, &microseconds)
            return .microseconds(microseconds)
        }
        return HTTPTimings(dns: measure(CURLINFO_NAMELOOKUP_TIME_T), connect: measure(CURLINFO_CONNECT_TIME_T),
                           tls: measure(CURLINFO_APPCONNECT_TIME_T), firstByte: measure(CURLINFO_STARTTRANSFER_TIME_T),
                           total: measure(CURLINFO_TOTAL_TIME_T))
    }
}

/// Collects the body and headers as curl delivers them.
final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]
    var truncated = false

    func appendBody(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let pointer else { return 0 }
        guard body.count + count <= HTTPClient.maximumBodyBytes else {
            truncated = true
            return 0
        }
        body.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: count)
        return count
    }

    func appendHeader(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let pointer else { return 0 }
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
        if line.hasPrefix("HTTP/") { headers.removeAll() }
        if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return count
    }
}

/// `curl_global_init` exactly once per process.
enum CurlGlobal {
    private static let once: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    static func initialize() { _ = once }
}

extension HTTPClient {
    /// Sends `request` from async code: the blocking transfer runs on a thread of its own
    /// (``Offloading``), bounded by the request's timeout.
    public static func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await Offloading.run { () throws(HTTPClientError) in try send(request) }
    }

    /// ``send(_:)`` from async code, with the failure as a value (for reports that go on).
    public static func result(of request: HTTPRequest) async -> Result<HTTPResponse, HTTPClientError> {
        await Offloading.run { Result { () throws(HTTPClientError) in try send(request) } }
    }
}

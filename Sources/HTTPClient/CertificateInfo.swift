import CCurl
import Foundation

/// Reads the leaf certificate's "Expire date" from curl's certificate info (HTTPS only).
enum CertificateInfo {
    static func expiry(_ handle: UnsafeMutableRawPointer) -> Date? {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard callctl_curl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, info.pointee.num_of_certs > 0,
              let leaf = info.pointee.certinfo?[0] else { return nil }
        var node: UnsafeMutablePointer<curl_slist>? = leaf
        while let current = node {
            if let data = current.pointee.data {
                let line = String(cString: data)
                if line.hasPrefix("Expire date:") {
                    return parse(String(line.dropFirst("Expire date:".count)))
                }
            }
            node = current.pointee.next
        }
        return nil
    }

    /// Parses OpenSSL's `Jan 12 08:00:00 2027 GMT` and the `2027-01-12 08:00:00 GMT` form.
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for format in ["MMM d HH:mm:ss yyyy zzz", "yyyy-MM-dd HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed.replacingOccurrences(of: "  ", with: " ")) { return date }
        }
        return nil
    }
}

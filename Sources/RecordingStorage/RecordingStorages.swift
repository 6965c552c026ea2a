import Foundation

/// Builds the configured ``RecordingStorage`` from the environment.
public enum RecordingStorages {
    /// `file://` or `s3://` URL; default ``defaultStorage``.
    public static let storageVariable = "CALLCTL_RECORDING_STORAGE"
    /// The local backend's public URL prefix that nginx serves, e.g. `https://calls.example.org/recordings`.
    public static let linkBaseVariable = "CALLCTL_RECORDING_LINK_BASE"
    /// The local backend's `secure_link` secret, the one nginx's include file sets.
    public static let linkSecretVariable = "CALLCTL_RECORDING_LINK_SECRET"
    /// Where recordings live when ``storageVariable`` is unset.
    public static let defaultStorage = "file:///var/lib/callctl/recordings"
    /// The longest value read from any variable.
    static let maximumValueBytes = 2048

    static let forms = "file:///absolute/directory or s3://bucket[/prefix/] (credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"

    /// The storage `environment` names. Nothing is contacted. Errors name the variable to fix
    /// and never repeat a secret's value.
    public static func from(environment: [String: String]) throws(StorageError) -> any RecordingStorage {
        let variables = EnvironmentReader(environment: environment)
        let storage = try variables.value(storageVariable) ?? defaultStorage
        if storage.hasPrefix("file://") {
            return LocalDirectoryStorage(root: try directory(storage), link: try secureLink(variables))
        }
        if storage.hasPrefix("s3://") {
            return try S3Configuration.storage(storage, variables)
        }
        throw StorageError("\(storageVariable) has an unknown form; use \(forms)")
    }

    /// The absolute directory of a `file:///…` URL, without a trailing `/`.
    private static func directory(_ url: String) throws(StorageError) -> String {
        var path = String(url.dropFirst("file://".count))
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard path.hasPrefix("/"), path.count > 1, RecordingKey.problem(String(path.dropFirst()), maximumBytes: 1024) == nil else {
            throw StorageError("\(storageVariable) is not a usable file:// URL: the directory must be absolute (file:///…), not the "
                               + "root, and hold only A-Z a-z 0-9 . _ - / without . or .. segments; use \(forms)")
        }
        return path
    }

    /// The link settings; unset ones are a failure kept for ``LocalDirectoryStorage/downloadURL(key:expiresAt:now:)``
    /// (deleting works without them), malformed ones an error now.
    private static func secureLink(_ variables: EnvironmentReader) throws(StorageError) -> Result<SecureLink, StorageError> {
        let base = try variables.value(linkBaseVariable)
        let secret = try variables.value(linkSecretVariable)
        if let base {
            guard let components = URLComponents(string: base), ["https", "http"].contains(components.scheme ?? ""),
                  let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
                  components.query == nil, components.fragment == nil, isPlainPath(components.path) else {
                throw StorageError("\(linkBaseVariable) must be an http(s) URL with a host and a plain path (A-Z a-z 0-9 . _ - /), "
                                   + "no user, query or fragment, e.g. https://calls.example.org/recordings")
            }
        }
        if let secret, !(16...256).contains(secret.utf8.count) || !secret.utf8.allSatisfy(isSecretByte) {
            throw StorageError("\(linkSecretVariable) must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - "
                               + "(e.g. `openssl rand -hex 32`): nginx's include file quotes it")
        }
        guard let base, let secret else {
            return .failure(StorageError("download links for the local recording directory need \(linkBaseVariable) (the https URL "
                                         + "nginx serves the directory at, e.g. https://calls.example.org/recordings) and "
                                         + "\(linkSecretVariable) (the secret of nginx's secure_link_md5, e.g. `openssl rand -hex 32`); "
                                         + "set \([base == nil ? linkBaseVariable : nil, secret == nil ? linkSecretVariable : nil].compactMap { $0 }.joined(separator: " and "))"))
        }
        let path = URLComponents(string: base)?.path ?? ""
        return .success(SecureLink(base: base.trimmingSuffix("/"), basePath: path.trimmingSuffix("/"), secret: secret))
    }

    /// Empty, `/`, or `/a/b[/]` whose segments are key segments: then nginx's decoded `$uri` is the same text.
    private static func isPlainPath(_ path: String) -> Bool {
        let inner = path.trimmingSuffix("/")
        return inner.isEmpty || (inner.hasPrefix("/") && RecordingKey.problem(String(inner.dropFirst()), maximumBytes: 1024) == nil)
    }

    private static func isSecretByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="),
             UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// Reads variables: empty counts as unset; longer than ``RecordingStorages/maximumValueBytes`` is an error.
struct EnvironmentReader {
    let environment: [String: String]

    func value(_ name: String) throws(StorageError) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        guard value.utf8.count <= RecordingStorages.maximumValueBytes else {
            throw StorageError("\(name) is longer than \(RecordingStorages.maximumValueBytes) bytes")
        }
        return value
    }
}

extension String {
    /// Without any trailing `suffix` repeats.
    func trimmingSuffix(_ suffix: Character) -> String {
        var text = self
        while text.last == suffix { text.removeLast() }
        return text
    }
}

import Foundation

/// Recordings in a local directory, served by nginx with `secure_link` (deploy/nginx/callctl.conf).
public struct LocalDirectoryStorage: RecordingStorage {
    /// The absolute directory, without a trailing `/`.
    public let root: String
    /// How download links are made, or why they cannot be (the variable to set).
    let link: Result<SecureLink, StorageError>

    public var location: String { "directory \(root)" }

    init(root: String, link: Result<SecureLink, StorageError>) {
        self.root = root
        self.link = link
    }

    /// Unlinks `<root>/<key>`. Gone already (or a missing subdirectory) is deleted; a missing
    /// root, a key that is not a regular file, or any other failure is an error.
    public func delete(key: RecordingKey) throws(StorageError) {
        var status = stat()
        guard stat(root, &status) == 0 else {
            throw StorageError("cannot delete \(key) from \(location): the directory is not reachable (\(Self.reason(errno))); "
                               + "create it or correct CALLCTL_RECORDING_STORAGE")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw StorageError("cannot delete \(key) from \(location): \(root) is not a directory; correct CALLCTL_RECORDING_STORAGE")
        }
        let path = root + "/" + key.value
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw StorageError("cannot delete \(path): \(Self.reason(errno)); check the directory's owner and permissions")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw StorageError("cannot delete \(path): it is not a regular file (a directory or a link); remove it by hand if it must go")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw StorageError("cannot delete \(path): \(Self.reason(errno)); check the directory's owner and permissions")
        }
    }

    /// A `secure_link` URL under `CALLCTL_RECORDING_LINK_BASE` that nginx honours until `expiresAt`.
    public func downloadURL(key: RecordingKey, expiresAt: Date, now: Date) throws(StorageError) -> String {
        _ = try RecordingLinkLifetime.seconds(from: now, to: expiresAt)
        return try link.get().url(key: key, expires: Int(expiresAt.timeIntervalSince1970.rounded(.down)))
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

import Foundation

/// Replaces a file so readers (a mail job, node_exporter's textfile collector) see either the
/// old content or the new, never a part: the text goes to a hidden temporary file in the same
/// directory, is flushed to disk, made readable (0644), then renamed over the target.
enum AtomicFile {
    /// Writes `text` to `path` atomically; on failure the target is untouched, no temporary file
    /// is left, and the error is a configuration problem (exit 78): the path is wrong or not writable.
    static func replace(_ path: String, with text: String) throws(Failure) {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent().path
        var template = Array((directory + "/." + target.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(directory)", path) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                close(descriptor)
                throw failure("cannot write \(temporary)", path)
            }
            offset += count
        }
        guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else {
            close(descriptor)
            throw failure("cannot flush \(temporary)", path)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw failure("cannot rename \(temporary) to \(path)", path) }
        renamed = true
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(message: "\(what): \(String(cString: strerror(errno))); \(path) was left as it was; check the path and the directory's permissions",
                exitCode: Failure.configuration)
    }
}

import CallDomain
import CallStore
import Foundation

/// How `recordings list` and `show` write a file's size and where it is.
enum RecordingFileText {
    /// `812 B`, `1.2 MiB`, `3.4 GiB`.
    static func size(_ bytes: Int64) -> String {
        var value = Double(bytes)
        for unit in ["B", "KiB", "MiB", "GiB"] {
            if value < 1024 { return unit == "B" ? "\(bytes) B" : String(format: "%.1f", value) + " " + unit }
            value /= 1024
        }
        return String(format: "%.1f TiB", value)
    }

    /// The storage key while the file is kept; the purge's attempts and last error while it
    /// fails; when it was purged.
    static func whereabouts(_ file: RecordingFile, time: (Date) -> String) -> String {
        switch file.status {
        case .purged: "purged \(file.purgedAt.map(time) ?? "-")"
        case .purgeFailing:
            "\(file.location ?? "-"); purge failed \(ReadableText.count(file.purgeAttempts, "time")): "
                + String((file.purgeError ?? "no error recorded").prefix(120))
        case .available, .overdue: file.location ?? "-"
        }
    }
}

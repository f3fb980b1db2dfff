import Foundation

/// Writes a file so that a crash leaves either the old or the new content, never a mix: a
/// private temporary file in the same folder, flushed, then renamed over the original.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var template = Array((directory + "/." + url.lastPathComponent + ".salonops-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw AtomicFileError.failed(path: path, step: "creating a temporary file", errno: errno) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        let existingMode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.uint16Value
        let finalMode = mode ?? existingMode.map { mode_t($0) } ?? 0o644
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                close(descriptor)
                throw AtomicFileError.failed(path: path, step: "writing", errno: errno)
            }
            offset += written
        }
        guard fchmod(descriptor, finalMode) == 0, fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            throw AtomicFileError.failed(path: path, step: "flushing", errno: code)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw AtomicFileError.failed(path: path, step: "renaming into place", errno: errno) }
        committed = true
    }
}

public enum AtomicFileError: Error, CustomStringConvertible {
    case failed(path: String, step: String, errno: Int32)

    public var description: String {
        switch self {
        case .failed(let path, let step, let code): "cannot write \(path) (\(step)): \(String(cString: strerror(code))); the original is unchanged"
        }
    }
}

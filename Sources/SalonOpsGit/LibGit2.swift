import CLibGit2
import Foundation

/// libgit2 must be initialised once per process before any other call; a global `let` is
/// initialised exactly once, thread-safely.
private let libgit2Initialization: Int32 = git_libgit2_init()

enum LibGit2 {
    static func ensureInitialized() {
        _ = libgit2Initialization
    }

    /// The last error of this thread. Must be read in the same synchronous call that failed:
    /// libgit2 keeps it per thread.
    static func lastError() -> (message: String, klass: Int32) {
        guard let error = git_error_last() else { return ("unknown error", 0) }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        return (message.trimmingCharacters(in: .whitespacesAndNewlines), error.pointee.klass)
    }

    static func failure(_ operation: String, _ code: Int32) -> GitSourceError {
        .libgit2(operation: operation, code: code, message: lastError().message)
    }

    /// Whether the last error says an object's bytes are damaged (as opposed to absent or a
    /// network problem).
    static func isCorruption(klass: Int32) -> Bool {
        klass == Int32(GIT_ERROR_ZLIB.rawValue) || klass == Int32(GIT_ERROR_ODB.rawValue) || klass == Int32(GIT_ERROR_OBJECT.rawValue)
    }

    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, oid)
        return buffer.withUnsafeBufferPointer { pointer in
            String(decoding: UnsafeRawBufferPointer(pointer).prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Runs blocking libgit2 work on a thread of its own, never on Swift's cooperative pool.
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                ensureInitialized()
                continuation.resume(with: Result { try body() })
            }
            thread.name = "salonops.libgit2"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }
}

// MARK: - Owners of libgit2 handles: each frees its handle, and none leaves the thread it was made on.

final class Repository {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_repository_free(handle) }

    /// Opens exactly `path` (no search in parent folders): a work tree root, its .git, or a bare repository.
    static func open(_ path: String) throws -> Repository {
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard code == 0, let handle else {
            let error = LibGit2.lastError()
            if code == GIT_ENOTFOUND.rawValue { throw GitSourceError.notARepository(path: path) }
            throw GitSourceError.libgit2(operation: "opening \(path)", code: code, message: error.message)
        }
        return Repository(handle: handle)
    }

    static func initBare(_ path: String) throws -> Repository {
        var handle: OpaquePointer?
        let code = git_repository_init(&handle, path, 1)
        guard code == 0, let handle else { throw LibGit2.failure("creating the cache repository \(path)", code) }
        return Repository(handle: handle)
    }

    var isBare: Bool { git_repository_is_bare(handle) == 1 }

    var workdir: String? { git_repository_workdir(handle).map { String(cString: $0) } }

    /// Short names of every branch, tag and remote-tracking ref, for "did you mean".
    func referenceNames() -> [String] {
        var list = git_strarray()
        guard git_reference_list(&list, handle) == 0 else { return [] }
        defer { git_strarray_dispose(&list) }
        var names: [String] = []
        for index in 0..<list.count {
            guard let cString = list.strings[index] else { continue }
            var name = String(cString: cString)
            for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/"] where name.hasPrefix(prefix) {
                name.removeFirst(prefix.count)
            }
            names.append(name)
        }
        return names
    }

    func isIgnored(_ relativePath: String) -> Bool {
        var ignored: Int32 = 0
        return git_ignore_path_is_ignored(&ignored, handle, relativePath) == 0 && ignored == 1
    }
}

final class GitObject {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_object_free(handle) }

    var id: String { LibGit2.hex(git_object_id(handle)) }
}

final class Reference {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_reference_free(handle) }

    /// The full name of the ref this one finally points to (HEAD → refs/heads/main).
    var resolvedName: String? {
        var resolved: OpaquePointer?
        guard git_reference_resolve(&resolved, handle) == 0, let resolved else { return nil }
        defer { git_reference_free(resolved) }
        return String(cString: git_reference_name(resolved))
    }
}

final class Tree {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_tree_free(handle) }
}

final class Blob {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_blob_free(handle) }

    var bytes: [UInt8] {
        let size = Int(git_blob_rawsize(handle))
        guard size > 0, let raw = git_blob_rawcontent(handle) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }
}

final class Remote {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_remote_free(handle) }
}

final class TreeEntry {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_tree_entry_free(handle) }
}

import CLibGit2
import Foundation

/// `git_libgit2_init` must run once before any other libgit2 call. A global's initializer runs
/// exactly once, thread-safely, on first use; libgit2 is never shut down (the process may read again).
private let libgit2InitResult: Int32 = git_libgit2_init()

enum LibGit2 {
    static let dedicatedThreadKey = "salonops.libgit2-thread"

    static func initialize() throws {
        guard libgit2InitResult >= 0 else {
            throw GitSourceError.libgit2(operation: "initialising libgit2", code: libgit2InitResult, message: "git_libgit2_init failed")
        }
    }

    /// Runs blocking libgit2 work on a thread of its own, never on Swift's cooperative pool (a
    /// fetch can block for seconds). Everything libgit2 hands out — handles, and the per-thread
    /// last error — is created and dropped on that one thread.
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                // Named from inside: on Linux a name set before start does not reach the thread
                // (it keeps its creator's), and at most 15 bytes are kept.
                Thread.current.name = "salonops-git"
                // A marker that cannot race with Foundation's own naming of new threads (tests read it).
                Thread.current.threadDictionary[LibGit2.dedicatedThreadKey] = true
                continuation.resume(
                    with: Result {
                        try initialize()
                        return try body()
                    })
            }
            thread.stackSize = 4 << 20  // trees are walked recursively; 4 MiB is plenty for any real depth
            thread.start()
        }
    }

    /// Only for tests: where libgit2 looks for system, XDG and global config files, so a test
    /// process reads no machine configuration (no identity, no insteadOf, no excludes file).
    /// Must run before the first repository is opened.
    static func setConfigSearchPath(_ path: String) throws {
        try initialize()
        for level in [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL] {
            let code = salonops_git_set_search_path(level.rawValue, path)
            guard code == 0 else { throw LastError.read(code: code).error("setting the config search path") }
        }
    }

    static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid else { return "unknown" }
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, oid)
        return buffer.withUnsafeBytes { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// libgit2's last error for the calling thread, read right after the call that failed (libgit2
/// keeps one per thread and the next call may overwrite it).
struct LastError {
    let code: Int32
    let klass: Int32
    let message: String
    /// The loose object the guard refused during the failed call, if that is why it failed.
    let rejectedObject: LooseObjectGuard.Rejection?

    static func read(code: Int32, repository: Repository? = nil) -> LastError {
        let error = git_error_last()
        let message = error.flatMap { LibGit2.string($0.pointee.message) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        return LastError(
            code: code, klass: error?.pointee.klass ?? 0, message: message ?? "no detail from libgit2",
            rejectedObject: repository?.objectGuard?.takeRejection())
    }

    func `is`(_ code: git_error_code) -> Bool { self.code == code.rawValue }

    /// Whether this says stored bytes are damaged (zlib, hash mismatch, unparsable object), as
    /// opposed to absent, invalid input, or the network.
    var isCorruption: Bool {
        if rejectedObject != nil || `is`(GIT_EMISMATCH) { return true }
        let corruptionClasses = [GIT_ERROR_ZLIB, GIT_ERROR_ODB, GIT_ERROR_OBJECT, GIT_ERROR_TREE, GIT_ERROR_TAG].map { Int32($0.rawValue) }
        return code == GIT_ERROR.rawValue && corruptionClasses.contains(klass)
    }

    /// `corruptObject` when the bytes are damaged, else `libgit2(operation:)`.
    func error(_ operation: String, objectId: String? = nil) -> GitSourceError {
        if let rejectedObject {
            return .corruptObject(id: rejectedObject.id, reason: rejectedObject.reason)
        }
        if isCorruption {
            // "object hash mismatch - expected <id> but got <id>": the first id is the object asked for.
            return .corruptObject(id: objectId ?? Self.firstObjectId(in: message) ?? "unknown", reason: message)
        }
        return .libgit2(operation: operation, code: code, message: message)
    }

    static func firstObjectId(in text: String) -> String? {
        let hexDigits = Set("0123456789abcdef")
        var run = ""
        for character in text + " " {
            if hexDigits.contains(character) { run.append(character); continue }
            if run.count == 40 { return run }
            run = ""
        }
        return nil
    }
}

// MARK: - Owners of libgit2 handles. One class per handle type, freeing it in deinit; none is
// Sendable, so none leaves the thread that made it. Values leave as plain Swift data.

final class Repository {
    let handle: OpaquePointer
    /// Refuses damaged loose objects before libgit2's own reader sees them (it can hang on them).
    private(set) var objectGuard: LooseObjectGuard?

    private init(handle: OpaquePointer) { self.handle = handle }
    deinit { git_repository_free(handle) }

    /// Opens exactly `path` (no search in parent folders): a work tree root, its .git, or a bare
    /// repository.
    static func open(_ path: String) throws -> Repository {
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard code == 0, let handle else {
            let error = LastError.read(code: code)
            if error.is(GIT_ENOTFOUND) { throw GitSourceError.notARepository(path: path) }
            if error.is(GIT_EOWNER) {
                throw error.error("opening '\(path)' (it belongs to another user: run as its owner, or list it in safe.directory in your git config)")
            }
            throw error.error("opening '\(path)'")
        }
        return try Repository(handle: handle).guarded()
    }

    static func initBare(_ path: String) throws -> Repository {
        var handle: OpaquePointer?
        let code = git_repository_init(&handle, path, 1)
        guard code == 0, let handle else { throw LastError.read(code: code).error("creating the cache repository '\(path)'") }
        return try Repository(handle: handle).guarded()
    }

    private func guarded() throws -> Repository {
        objectGuard = try LooseObjectGuard.install(in: self)
        return self
    }

    var isBare: Bool { git_repository_is_bare(handle) == 1 }
    var workdir: String? { LibGit2.string(git_repository_workdir(handle)) }
    /// The folder holding `objects/` (shared by linked work trees).
    var commonDirectory: String? { LibGit2.string(git_repository_commondir(handle)) }

    /// Every ref's short name (`main`, `v1`, `origin/main`), for "did you mean".
    func referenceShortNames() -> [String] {
        var list = git_strarray()
        guard git_reference_list(&list, handle) == 0 else { return [] }
        defer { git_strarray_dispose(&list) }
        guard let strings = list.strings else { return [] }
        return (0..<list.count).compactMap { index in
            guard var name = LibGit2.string(strings[index]) else { return nil }
            for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/", "refs/"] where name.hasPrefix(prefix) {
                name.removeFirst(prefix.count)
                break
            }
            return name
        }
    }

    /// Whether `spec` resolves to anything, quietly (for deciding whether to suggest names).
    func resolves(_ spec: String) -> Bool {
        var object: OpaquePointer?
        guard git_revparse_single(&object, handle, spec) == 0, let object else { return false }
        git_object_free(object)
        return true
    }
}

final class GitObject {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_object_free(handle) }
    var id: String { LibGit2.hex(git_object_id(handle)) }
    var type: git_object_t { git_object_type(handle) }
}

final class Commit {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_commit_free(handle) }
    var id: String { LibGit2.hex(git_commit_id(handle)) }
}

final class Reference {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_reference_free(handle) }
    var name: String? { LibGit2.string(git_reference_name(handle)) }
}

final class Tree {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_tree_free(handle) }
}

/// An entry the caller owns (from `git_tree_entry_bypath`); entries got by index belong to their tree.
final class TreeEntry {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_tree_entry_free(handle) }
}

final class Blob {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_blob_free(handle) }

    var bytes: [UInt8] {
        guard let size = Int(exactly: git_blob_rawsize(handle)), size > 0, let raw = git_blob_rawcontent(handle) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }
}

/// The object database, to learn an object's size without inflating it.
final class ObjectDatabase {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_odb_free(handle) }

    /// The object's size in bytes, or nil when its header cannot be read (the lookup that
    /// follows reports why).
    func size(of id: UnsafePointer<git_oid>?) -> Int? {
        var length = 0
        var type = GIT_OBJECT_ANY
        guard let id, git_odb_read_header(&length, &type, handle, id) == 0 else { return nil }
        return length
    }
}

final class Remote {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_remote_free(handle) }
}

final class Index {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { git_index_free(handle) }
}

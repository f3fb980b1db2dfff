import CLibGit2
import Foundation

/// libgit2 1.5.1 spins forever on a truncated loose object: its inflate loop takes zlib's "no
/// progress possible" (Z_BUF_ERROR) for success. So every repository we open gets this object
/// database backend in front of libgit2's loose reader. For each object libgit2 is about to read,
/// it inflates the loose file (if there is one) itself; a damaged file is refused with an error
/// naming the object, anything else passes through to libgit2 for the real read. Packed objects
/// are not its concern: libgit2's pack reader stops on a stalled stream.
final class LooseObjectGuard {
    struct Rejection: Equatable {
        let id: String
        let reason: String
    }

    /// libgit2 asks backends in descending priority; its own loose and pack backends use 1 and 2.
    static let priority: Int32 = 1000

    /// `objects/` and its alternates, in the order libgit2 reads them.
    private let objectFolders: [ObjectFolder]
    private var rejection: Rejection?

    private init(objectDirectories: [String]) { objectFolders = objectDirectories.map(ObjectFolder.init) }

    /// The object the guard refused since the last call, if any: the reason a libgit2 call failed.
    func takeRejection() -> Rejection? {
        defer { rejection = nil }
        return rejection
    }

    static func install(in repository: Repository) throws -> LooseObjectGuard {
        guard let common = repository.commonDirectory else {
            throw GitSourceError.libgit2(operation: "locating the object database", code: -1, message: "the repository has no common directory")
        }
        let objects = (common as NSString).appendingPathComponent("objects")
        let objectGuard = LooseObjectGuard(objectDirectories: [objects] + alternates(of: objects))

        var odbHandle: OpaquePointer?
        let code = git_repository_odb(&odbHandle, repository.handle)
        guard code == 0, let odbHandle else { throw LastError.read(code: code).error("opening the object database") }
        defer { git_odb_free(odbHandle) }  // the repository keeps its own reference

        let backend = UnsafeMutablePointer<salonops_odb_guard>.allocate(capacity: 1)
        backend.initialize(to: salonops_odb_guard())
        guard let parent = backend.pointer(to: \.parent) else {
            backend.deallocate()
            throw GitSourceError.libgit2(operation: "installing the object guard", code: -1, message: "no address for the backend")
        }
        git_odb_init_backend(parent, UInt32(GIT_ODB_BACKEND_VERSION))
        parent.pointee.read = { _, _, _, backend, id in LooseObjectGuard.check(backend, id) }
        parent.pointee.read_header = { _, _, backend, id in LooseObjectGuard.check(backend, id) }
        parent.pointee.read_prefix = { _, _, _, _, backend, id, length in LooseObjectGuard.check(backend, id, prefixLength: length) }
        // git_odb_foreach calls every backend's foreach without a null check; this one holds nothing.
        parent.pointee.foreach = { _, _, _ in 0 }
        parent.pointee.free = { backend in LooseObjectGuard.free(backend) }
        // The backend keeps its owner alive until libgit2 frees the object database.
        backend.pointee.owner = Unmanaged.passRetained(objectGuard).toOpaque()

        let added = git_odb_add_backend(odbHandle, parent, priority)
        guard added == 0 else {
            let error = LastError.read(code: added)
            // Not added, so libgit2 will not free it: release the owner and deallocate as Swift
            // allocated it (a plain free() leaked the retained guard).
            LooseObjectGuard.free(parent)
            throw error.error("installing the object guard")
        }
        return objectGuard
    }

    // MARK: - Callbacks (C function pointers: state comes through the backend's owner pointer)

    private static func owner(of backend: UnsafeMutablePointer<git_odb_backend>?) -> LooseObjectGuard? {
        guard let backend else { return nil }
        let full = UnsafeMutableRawPointer(backend).assumingMemoryBound(to: salonops_odb_guard.self)
        return full.pointee.owner.map { Unmanaged<LooseObjectGuard>.fromOpaque($0).takeUnretainedValue() }
    }

    /// GIT_PASSTHROUGH lets libgit2 go on to its own backends; an error stops the read there.
    private static func check(_ backend: UnsafeMutablePointer<git_odb_backend>?, _ id: UnsafePointer<git_oid>?, prefixLength: Int? = nil) -> Int32 {
        guard let objectGuard = owner(of: backend), let id else { return GIT_PASSTHROUGH.rawValue }
        // The common case, a packed object: no `objects/xx` folder for its first byte, no work.
        let firstByte = Int(id.pointee.id.0)
        guard objectGuard.objectFolders.contains(where: { $0.hasFanout(firstByte) }) else { return GIT_PASSTHROUGH.rawValue }
        let hex = LibGit2.hex(id)
        let candidates = prefixLength.map { objectGuard.looseObjects(withPrefix: String(hex.prefix($0))) } ?? [hex]
        for candidate in candidates {
            if let reason = objectGuard.damage(ofLooseObject: candidate) {
                objectGuard.rejection = Rejection(id: candidate, reason: reason)
                git_error_set_str(Int32(GIT_ERROR_ZLIB.rawValue), "loose object \(candidate) is damaged: \(reason)")
                return GIT_ERROR.rawValue
            }
        }
        return GIT_PASSTHROUGH.rawValue
    }

    private static func free(_ backend: UnsafeMutablePointer<git_odb_backend>?) {
        guard let backend else { return }
        let full = UnsafeMutableRawPointer(backend).assumingMemoryBound(to: salonops_odb_guard.self)
        if let owner = full.pointee.owner { Unmanaged<LooseObjectGuard>.fromOpaque(owner).release() }
        full.deinitialize(count: 1)
        full.deallocate()
    }

    // MARK: - Looking at loose files

    /// Full ids of loose objects starting with `prefix` (at least 4 hex digits, libgit2's minimum).
    private func looseObjects(withPrefix prefix: String) -> [String] {
        guard prefix.count >= 2 else { return [] }
        let fanout = String(prefix.prefix(2)), rest = prefix.dropFirst(2)
        return objectFolders.flatMap { folder in folder.names(in: fanout).filter { $0.hasPrefix(rest) }.map { fanout + $0 } }
    }

    /// Why the loose copy of `id` is unreadable, or nil when it is fine or not loose. Only the
    /// first copy counts: it is the one libgit2 reads.
    private func damage(ofLooseObject id: String) -> String? {
        guard id.count > 2 else { return nil }
        let fanout = String(id.prefix(2)), name = String(id.dropFirst(2))
        for folder in objectFolders where folder.names(in: fanout).contains(name) {
            // A file that vanished since the listing (moved into a pack) is libgit2's to find.
            guard let data = FileManager.default.contents(atPath: "\(folder.path)/\(fanout)/\(name)") else { return nil }
            return data.withUnsafeBytes { LooseObjectFile.damage($0) }
        }
        return nil
    }

    /// One objects folder, its `xx` sub-folders and their names, each listed once per repository
    /// handle: a few directory reads instead of one stat per object.
    private final class ObjectFolder {
        let path: String
        private lazy var fanouts: [Bool] = {
            var present = [Bool](repeating: false, count: 256)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.count == 2 {
                if let byte = UInt8(name, radix: 16) { present[Int(byte)] = true }
            }
            return present
        }()
        private var listings: [String: Set<String>] = [:]

        init(_ path: String) { self.path = path }

        func hasFanout(_ byte: Int) -> Bool { fanouts[byte] }

        func names(in fanout: String) -> Set<String> {
            if let known = listings[fanout] { return known }
            let present = UInt8(fanout, radix: 16).map { fanouts[Int($0)] } ?? false
            let names = present ? Set((try? FileManager.default.contentsOfDirectory(atPath: "\(path)/\(fanout)")) ?? []) : []
            listings[fanout] = names
            return names
        }
    }

    /// `objects/info/alternates`: one objects folder per line, absolute or relative to `objects`.
    private static func alternates(of objects: String) -> [String] {
        let file = (objects as NSString).appendingPathComponent("info/alternates")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { $0.hasPrefix("/") ? $0 : ((objects as NSString).appendingPathComponent($0) as NSString).standardizingPath }
    }
}

/// The format of a loose object file: zlib("<type> <size>\0<content>").
enum LooseObjectFile {
    /// Why `bytes` is not a whole loose object, or nil when it is.
    static func damage(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { damage($0) }
    }

    static func damage(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 2, let start = bytes.baseAddress else { return bytes.isEmpty ? "the file is empty" : "the file is truncated (1 byte)" }
        // zlib header: deflate method, and the two bytes form a multiple of 31.
        guard bytes[0] & 0x0F == 8, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 else { return "it is not a zlib stream" }

        let chunkSize = 64 << 10
        let output = UnsafeMutablePointer<Bytef>.allocate(capacity: chunkSize)
        defer { output.deallocate() }
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        // zlib only reads through next_in; its declaration just lacks the const.
        stream.next_in = UnsafeMutablePointer(mutating: start.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)

        var header: [UInt8] = []
        var expectedTotal: Int?
        var total = 0
        while true {
            stream.next_out = output
            stream.avail_out = uInt(chunkSize)
            let inputBefore = stream.avail_in
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            total += produced
            if expectedTotal == nil {
                header += UnsafeBufferPointer(start: output, count: min(produced, 64))
                if header.contains(0) {
                    guard let length = declaredLength(header) else { return "its header is not '<type> <size>'" }
                    expectedTotal = length
                } else if header.count >= 64 {
                    return "its header is not '<type> <size>'"
                }
            }
            if let expectedTotal, total > expectedTotal { return "it holds more bytes than its header says" }
            switch status {
            case Z_STREAM_END:
                guard let expectedTotal, total == expectedTotal else { return "it holds fewer bytes than its header says" }
                return nil
            case Z_OK, Z_BUF_ERROR:
                // Each round must consume input or produce output; otherwise the stream is cut short.
                if produced == 0 && stream.avail_in == inputBefore {
                    return stream.avail_in == 0 ? "the file is truncated (the zlib stream ends early)" : "zlib cannot make progress"
                }
            case Z_MEM_ERROR:
                return nil  // not the file's fault: let libgit2 try
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                return "it is not a valid zlib stream (\(detail))"
            }
        }
    }

    /// Header length plus declared size, from "<type> <size>\0…".
    private static func declaredLength(_ header: [UInt8]) -> Int? {
        guard let nul = header.firstIndex(of: 0), let space = header.firstIndex(of: 0x20), space < nul else { return nil }
        let type = String(decoding: header[..<space], as: UTF8.self)
        guard ["blob", "tree", "commit", "tag"].contains(type),
            let size = Int(String(decoding: header[(space + 1)..<nul], as: UTF8.self)), size >= 0
        else { return nil }
        return nul + 1 + size
    }
}

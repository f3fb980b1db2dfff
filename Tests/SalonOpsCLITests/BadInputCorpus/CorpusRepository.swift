import Foundation
import SalonOpsTestSupport
import Testing

/// One git repository holding every case of the corpus: `main` is examples/salon-chain (under
/// `examples/salon-chain`), and each case is one commit on `corpus/<name>`, all written by a single
/// `git fast-import` (seconds, where a commit per case through the git CLI takes a minute).
/// Cases that damage objects get loose objects of their own, damaged after the import.
struct CorpusRepository {
    static let root = "examples/salon-chain"

    let folder: TempFolder
    var path: String { folder.path }

    static func branch(_ testCase: CorpusCase) -> String { "corpus/\(testCase.name)" }

    static func build(_ cases: [CorpusCase]) async throws -> CorpusRepository {
        let folder = try TempFolder("corpus-repo")
        let repo = folder.url
        try await CommandRunner.git(["init", "-q", "-b", "main"], in: repo)
        let example = try exampleFiles()

        // Loose objects for the damaged cases: their blob (and, for a tree, the tree around it).
        var loose: [String: (blob: String, tree: String?)] = [:]
        let spare = try await hashObject("a spare object whose bytes replace another's\n", in: repo)
        for testCase in cases where testCase.damage != nil {
            guard case .write(let file, let bytes)? = testCase.changes.first else { continue }
            let blob = try await hashObject(String(decoding: bytes, as: UTF8.self), in: repo)
            var tree: String?
            if testCase.damage == .truncatedTree {
                let listing = repo.appendingPathComponent("mktree-\(testCase.name)")
                try Data("100644 blob \(blob)\t\((file as NSString).lastPathComponent)\n".utf8).write(to: listing)
                tree = try await CommandRunner.git(["mktree"], in: repo, standardInput: listing)
            }
            loose[testCase.name] = (blob, tree)
        }

        var stream = Data()
        func data(_ bytes: [UInt8]) {
            stream.append(Data("data \(bytes.count)\n".utf8))
            stream.append(contentsOf: bytes)
            stream.append(0x0A)
        }
        func commit(_ ref: String, _ message: String, mark: Int? = nil, from: String?) {
            stream.append(Data("commit \(ref)\n\(mark.map { "mark :\($0)\n" } ?? "")committer SalonOps Test <test@salonops.invalid> 1780000000 +0000\n".utf8))
            data(Array(message.utf8))
            if let from { stream.append(Data("from \(from)\n".utf8)) }
        }
        func put(_ path: String, _ bytes: [UInt8]) {
            stream.append(Data("M 100644 inline \(root)/\(path)\n".utf8))
            data(bytes)
        }

        commit("refs/heads/main", "examples/salon-chain", mark: 1, from: nil)
        for (path, bytes) in example.sorted(by: { $0.key < $1.key }) { put(path, bytes) }

        for testCase in cases {
            commit("refs/heads/\(branch(testCase))", testCase.name, from: ":1")
            if !testCase.overExample { stream.append(Data("D \(root)\n".utf8)) }
            if let objects = loose[testCase.name], case .write(let file, _)? = testCase.changes.first {
                if let tree = objects.tree {
                    stream.append(Data("M 040000 \(tree) \(root)/\((file as NSString).deletingLastPathComponent)/damaged-\(testCase.name)\n".utf8))
                } else {
                    stream.append(Data("M 100644 \(objects.blob) \(root)/\(file)\n".utf8))
                }
                continue
            }
            var files = testCase.overExample ? example : [:]
            var links: [String: String] = [:]
            for change in testCase.changes {
                switch change {
                case .replace(let file, let old, let new):
                    let text = String(decoding: files[file] ?? [], as: UTF8.self)
                    guard let range = text.range(of: old) else {
                        Issue.record("\(testCase.testDescription): '\(old.prefix(60))' is not in \(file): the case no longer matches the example")
                        continue
                    }
                    files[file] = Array(text.replacingCharacters(in: range, with: new).utf8)
                case .write(let file, let bytes): files[file] = bytes
                case .delete(let file): files[file] = nil
                case .transform(let file, let transform): files[file] = transform(files[file] ?? [])
                case .symlink(let file, let target):
                    files[file] = nil
                    links[file] = target
                }
            }
            for (path, target) in links.sorted(by: { $0.key < $1.key }) {
                stream.append(Data("M 120000 inline \(root)/\(path)\n".utf8))
                data(Array(target.utf8))
            }
            for (path, bytes) in files.sorted(by: { $0.key < $1.key }) where !testCase.overExample || example[path] != bytes {
                put(path, bytes)
            }
            for path in example.keys.sorted() where testCase.overExample && files[path] == nil {
                stream.append(Data("D \(root)/\(path)\n".utf8))
            }
        }
        let streamFile = repo.appendingPathComponent(".git/corpus.fast-import")
        try stream.write(to: streamFile)
        try await CommandRunner.git(["fast-import", "--quiet"], in: repo, standardInput: streamFile)

        let corpus = CorpusRepository(folder: folder)
        for testCase in cases {
            guard let damage = testCase.damage, let objects = loose[testCase.name] else { continue }
            try corpus.damage(damage, blob: objects.blob, tree: objects.tree, spare: spare)
        }
        return corpus
    }

    /// Damages a loose object the way a failing disk or an interrupted copy does.
    func damage(_ damage: CorpusCase.ObjectDamage, blob: String, tree: String?, spare: String) throws {
        let target = object(damage == .truncatedTree ? tree ?? blob : blob)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
        let original = try Data(contentsOf: target)
        switch damage {
        case .garbage: try Data("this is not a zlib stream".utf8).write(to: target)
        case .truncated: try original.prefix(original.count / 2).write(to: target)
        case .truncatedTree: try original.prefix(10).write(to: target)
        case .empty: try Data().write(to: target)
        case .wrongContent: try Data(contentsOf: object(spare)).write(to: target)
        case .missing: try FileManager.default.removeItem(at: target)
        }
    }

    func object(_ id: String) -> URL {
        folder.url.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
    }

    static func hashObject(_ text: String, in repo: URL) async throws -> String {
        let file = repo.appendingPathComponent(".git/hash-\(UUID().uuidString)")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await CommandRunner.git(["hash-object", "-w", file.path], in: repo)
    }

    /// The integrations the cases patch. The example's 15 others (and their encrypted files) are
    /// left out of the corpus base: no case touches them, and without them each run costs ~30 %
    /// less CPU (the corpus runs ~800 commands).
    static let integrations: Set<String> = ["stripe", "google-calendar", "planity", "quickbooks"]

    /// examples/salon-chain as committed in this package, path → bytes, less the integrations no
    /// case needs.
    static func exampleFiles() throws -> [String: [UInt8]] {
        let base = Paths.packageRoot.appendingPathComponent(root)
        var files: [String: [UInt8]] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return files }
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
            let provider = ((path as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(of: ".sops", with: "")
            if (path.hasPrefix("integrations/") || path.hasPrefix("secrets/")) && !integrations.contains(provider) { continue }
            if !isDirectory.boolValue { files[path] = Array(try Data(contentsOf: base.appendingPathComponent(path))) }
        }
        return files
    }
}

import Foundation
import Testing
@testable import SalonOpsGit

// Helpers for the git source tests: the real `git` CLI builds fixture repositories (an
// independent peer), every wait is bounded, every temp folder is removed.

/// The test process reads no machine git configuration through libgit2: no identity (which
/// proves reading needs none), no `insteadOf` rewrites, no global excludes file. The git CLI
/// fixtures are isolated the same way (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null).
enum TestEnvironment {
    /// A folder that never exists: libgit2 finds no config file there.
    static let noConfigFolder = FileManager.default.temporaryDirectory
        .appendingPathComponent("salonops-no-git-config-\(UUID().uuidString)/absent").path

    private static let setUp: Result<Void, any Error> = Result { try LibGit2.setConfigSearchPath(noConfigFolder) }

    /// Call before the first libgit2 use in every test (a static initializer runs once).
    static func ready() throws { try setUp.get() }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Resumes a continuation at most once, from whichever of several threads gets there first.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    // @unchecked: `continuation` is only touched under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }

    func resume(_ result: Result<T, any Error>) {
        let taken: CheckedContinuation<T, any Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(with: result)
    }
}

/// Runs `body`, failing with `TimedOut` after `seconds` even if `body` never returns (a hung
/// libgit2 call cannot be cancelled; the test must still end).
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let task = Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            once.resume(.failure(TimedOut(what: what)))
            task.cancel()
        }
    }
}

struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion with a bounded wait; output goes through files (no pipe
/// deadlock). On timeout the program gets SIGKILL (a SIGTERM may be blocked in the child).
func runProcess(_ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                standardInput: URL? = nil, timeout: Double = 120) async throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = try standardInput.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice

    let command = ([executable] + arguments).joined(separator: " ")
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        process.terminationHandler = { finished in once.resume(.success(finished.terminationStatus)) }
        do {
            try process.run()
        } catch {
            once.resume(.failure(error))
            return
        }
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            once.resume(.failure(TimedOut(what: command)))
            kill(pid, SIGKILL)
        }
    }
    return ProcessResult(status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

struct GitCommandFailed: Error, CustomStringConvertible {
    let arguments: [String]
    let stderr: String
    var description: String { "git \(arguments.joined(separator: " ")) failed: \(stderr)" }
}

/// The git CLI with a fixed identity and no machine configuration.
@discardableResult
func gitCLI(_ arguments: [String], in directory: URL, standardInput: URL? = nil) async throws -> String {
    let fixed = ["-c", "user.name=SalonOps Test", "-c", "user.email=test@salonops.invalid", "-c", "init.defaultBranch=main",
                 "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always"]
    let result = try await runProcess("/usr/bin/env", ["git"] + fixed + arguments, in: directory,
                                      environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0"],
                                      standardInput: standardInput)
    guard result.status == 0 else { throw GitCommandFailed(arguments: arguments, stderr: result.stderr) }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A uniquely named temp folder, removed when the last reference goes.
final class TempFolder: @unchecked Sendable {
    // @unchecked: immutable after init; only its path is shared.
    let url: URL
    var path: String { url.path }

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-gittest-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path) }
}

/// A throwaway repository made by the git CLI.
final class TestRepo: @unchecked Sendable {
    // @unchecked: each test uses its own; it only holds a folder.
    let folder: TempFolder
    var url: URL { folder.url }
    var path: String { folder.path }
    var fileURL: String { "file://\(path)" }

    private init(folder: TempFolder) { self.folder = folder }

    static func make(_ name: String, bare: Bool = false, branch: String = "main") async throws -> TestRepo {
        let repo = TestRepo(folder: try TempFolder(name))
        try await gitCLI(["init", "-q", "-b", branch] + (bare ? ["--bare"] : []), in: repo.url)
        return repo
    }

    func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    @discardableResult
    func git(_ arguments: String...) async throws -> String { try await gitCLI(arguments, in: url) }

    /// Stages everything and commits; returns the new commit's SHA.
    @discardableResult
    func commitAll(_ message: String) async throws -> String {
        try await git("add", "-A")
        try await git("commit", "-q", "--allow-empty", "-m", message)
        return try await git("rev-parse", "HEAD")
    }

    /// The loose file of an object (`git` writes new objects loose until it packs them).
    func looseObject(_ id: String) -> URL {
        url.appendingPathComponent(".git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
    }
}

/// Reads through the public API, bounded. Local reads get a cache folder that does not exist,
/// which also shows they never create one.
func read(_ repository: String, ref: String? = nil, path: String? = nil, worktree: Bool = false, cache: TempFolder? = nil,
          credentials: GitCredentials = GitCredentials(),
          include: @escaping @Sendable (String) -> Bool = GitSourceOptions.yamlFiles) async throws -> ConfigSnapshot {
    try TestEnvironment.ready()
    let options = GitSourceOptions(repository: repository, ref: ref, path: path, worktree: worktree,
                                   cacheDirectory: cache?.path ?? TestEnvironment.noConfigFolder + "-cache",
                                   credentials: credentials, include: include)
    return try await withDeadline(60, "reading \(repository)") { try await GitSource.read(options) }
}

/// The error a read fails with; records an issue when it succeeds or fails otherwise. Every
/// description must be one line.
func failure(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> GitSourceError? {
    do {
        try await body()
        Issue.record("expected an error, got none", sourceLocation: sourceLocation)
    } catch let error as GitSourceError {
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a GitSourceError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func text(_ snapshot: ConfigSnapshot, _ path: String) -> String? {
    snapshot.files.first { $0.path == path }.map { String(decoding: $0.contents, as: UTF8.self) }
}

/// A value several threads may set.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }
    var current: Value { lock.withLock { value } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&value) } }
}

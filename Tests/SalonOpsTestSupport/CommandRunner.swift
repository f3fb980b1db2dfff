import Foundation

/// Runs a program with a bounded wait, capturing its output through files (no pipe deadlocks).
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum CommandRunner {
    public struct TimedOut: Error, CustomStringConvertible {
        let command: String
        public var description: String { "timed out: \(command)" }
    }

    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:], timeout: Double = 120) throws -> CommandResult {
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
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 5)
            throw TimedOut(command: ([executable] + arguments).joined(separator: " "))
        }
        return CommandResult(status: process.terminationStatus,
                             stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// `git` with a fixed identity and no dependence on the machine's global config.
    @discardableResult
    public static func git(_ arguments: [String], in directory: URL) throws -> String {
        let result = try run("/usr/bin/env", ["git", "-c", "user.name=SalonOps Test", "-c", "user.email=test@salonops.invalid",
                                              "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + arguments,
                             in: directory, environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"])
        guard result.status == 0 else {
            throw GitFailed(arguments: arguments, stderr: result.stderr)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct GitFailed: Error, CustomStringConvertible {
        let arguments: [String]
        let stderr: String
        public var description: String { "git \(arguments.joined(separator: " ")) failed: \(stderr)" }
    }
}

public enum Paths {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `salonops` binary built beside this test bundle (or SALONOPS_BIN).
    public static var salonops: String {
        if let explicit = ProcessInfo.processInfo.environment["SALONOPS_BIN"] { return explicit }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            let path = candidate.appendingPathComponent("salonops").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/salonops").path
    }

    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A throwaway git repository built with the real git CLI, removed when the test is done.
public final class GitFixture: @unchecked Sendable {
    // @unchecked: used by one test at a time; it only holds a path.
    public let url: URL
    public var path: String { url.path }

    public init(_ name: String, bare: Bool = false, initialBranch: String = "main") throws {
        url = try Paths.temporaryDirectory(name)
        try CommandRunner.git(["init", "-q", "-b", initialBranch] + (bare ? ["--bare"] : []), in: url)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func write(_ relative: String, _ text: String) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try CommandRunner.git(arguments, in: url)
    }

    /// Stages everything and commits; returns the new commit's SHA.
    @discardableResult
    public func commitAll(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }
}

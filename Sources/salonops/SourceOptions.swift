import ArgumentParser
import Foundation
import Logging
import SalonOpsCore
import SalonOpsEngine
import SalonOpsGit

/// Options every command that reads the config repository shares.
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: "Config repository: a local path (work tree or bare) or a URL (file://, https://, ssh://).")
    var repo: String = "."

    @Option(name: .long, help: "Branch, tag, SHA (full or short) or HEAD~n to read (default: HEAD, or the remote's default branch).")
    var ref: String?

    @Option(name: .long, help: "Sub-folder of the repository to use as the config root.")
    var path: String?

    @Flag(name: .long, help: "Read files from the work tree, uncommitted changes included (for pre-commit hooks).")
    var worktree = false

    @Option(name: .long, help: "Where URL repositories are cached (bare clones). Default: ~/.cache/salonops.")
    var cacheDir: String?

    @Option(name: .long, help: "Where run records and other state are kept. Default: ~/.local/state/salonops.")
    var stateDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Refuse (exit 3) a commit that is not signed by a key of this allowed_signers file (ssh-keygen's format; SSH signatures, ed25519). Keep the file outside the config repository.",
            valueName: "ALLOWED_SIGNERS"))
    var requireSignedBy: String?

    @Flag(name: .long, help: "Log debug details to standard error.")
    var verbose = false

    var gitOptions: GitSourceOptions {
        GitSourceOptions(
            repository: repo, ref: ref, path: path, worktree: worktree,
            cacheDirectory: cacheDir ?? DefaultPaths.cacheDirectory,
            credentials: GitCredentials.fromEnvironment(ProcessInfo.processInfo.environment))
    }

    var stateDirectory: String { stateDir ?? DefaultPaths.stateDirectory }

    /// What `--require-signed-by` asks of the commit; nil without it. A file that cannot be read,
    /// or `--worktree` with it, is bad input: exit 1.
    func trustPolicy() throws -> CommitTrustPolicy? {
        guard let requireSignedBy else { return nil }
        guard !worktree else {
            printError("error: \(CommitTrustError.worktree(file: requireSignedBy))")
            throw ExitCode(1)
        }
        do { return try CommitTrustPolicy(allowedSignersFile: requireSignedBy) } catch {
            printError("error: --require-signed-by: \(error)")
            throw ExitCode(1)
        }
    }

    func makeLogger() -> Logger {
        var logger = Logger(label: "salonops") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A commit `--require-signed-by` does not trust: one `refused: trust: …` line, exit 3 (as the
/// other refusals); nothing of the commit was read past the fetch.
func refusal(_ error: EngineStartError) -> ExitCode {
    printError("refused: \(error)")
    return ExitCode(ExitStatus.refused.rawValue)
}

/// A state command that could not read its commit: refused (untrusted, exit 3), or exit 1 with
/// the config's diagnostics when it is invalid, or the error.
func startFailure(_ error: EngineStartError) -> ExitCode {
    if case .untrusted = error { return refusal(error) }
    if case .invalid(let report) = error { print(report.renderText(), terminator: "") }
    printError("error: \(error)")
    return ExitCode(1)
}

/// Writes to standard error without buffering surprises; what looks like a credential never
/// gets there, whatever error carried it.
func printError(_ message: String, terminator: String = "\n") {
    let message = SecretScanner.redact(message)
    let line = terminator == "\n" ? (message.hasSuffix("\n") ? message : message + "\n") : message + terminator
    FileHandle.standardError.write(Data(line.utf8))
}

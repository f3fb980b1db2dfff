import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders
import SalonOpsSecrets

/// `salonops integrations add PROVIDER`: says where each key is found, reads secrets without
/// echo, writes `integrations/<name>.yaml` and `secrets/<name>.sops.yaml` (encrypted in memory
/// by the repository's creation rules), validates, and checks the connection. Every prompt has a
/// flag, for scripts.
struct IntegrationsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an Integration: where each key is found, secrets read without echo, files written and encrypted, then `check`.",
        discussion: """
            Writes <path>/integrations/<name>.yaml and <path>/secrets/<name>.sops.yaml in the work tree (commit them yourself), \
            then checks the connection against the files on disk. Without a terminal, every credential needs --credential.
            """
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var engine: EngineOptions

    @Argument(help: "The provider: stripe, google-calendar, planity, …") var provider: String

    @Option(name: .long, help: "The Integration's name (default: the provider's id).")
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Which establishments: all, or names separated by commas.", valueName: "all|A,B"))
    var establishments: String = "all"

    @Option(
        name: .long,
        help: ArgumentHelp("A credential's value without a prompt (repeatable): NAME=@FILE reads a file, NAME=env:VAR a variable.", valueName: "NAME=SOURCE"))
    var credential: [String] = []

    @Option(name: .long, help: ArgumentHelp("A setting, its value as YAML (repeatable): venueIds={paris-11: \"402115\"}.", valueName: "KEY=YAML"))
    var set: [String] = []

    @Flag(name: .long, help: "Write the files without checking the connection.")
    var noCheck = false

    func run() async throws {
        func bad(_ message: String) -> ExitCode {
            printError("error: \(message)")
            return ExitCode(1)
        }
        let catalog = Registry.providers.catalog
        guard let spec = catalog.spec(provider) else {
            let ids = catalog.all.map(\.id)
            throw bad("unknown provider '\(provider)'\(Suggestions.didYouMean(provider, among: ids)); providers are \(ids.joined(separator: ", "))")
        }
        let integration = name ?? spec.id
        guard integration.wholeMatch(of: /[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/) != nil else {
            throw bad("--name '\(integration)': write lowercase letters, digits and dashes, e.g. \(spec.id)-paris")
        }
        let root = ((source.repo as NSString).appendingPathComponent(source.path ?? "") as NSString).standardizingPath
        let document = "integrations/\(integration).yaml", secrets = "secrets/\(integration).sops.yaml"
        for file in [document, secrets] where FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(file)) {
            throw bad("\((root as NSString).appendingPathComponent(file)) is already there: choose another --name, or edit it")
        }
        let interactive = isatty(STDIN_FILENO) == 1
        var given: [String: String] = [:]
        for entry in credential {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, spec.credentials.contains(parts[0]) else {
                throw bad("--credential '\(entry.split(separator: "=").first ?? "")': write NAME=@FILE or NAME=env:VAR, NAME one of \(spec.credentials.joined(separator: ", "))")
            }
            given[parts[0]] = try Self.read(parts[1], what: "--credential \(parts[0])")
        }
        var settings: [(String, String)] = []
        for entry in set {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, spec.settings.contains(where: { $0.name == parts[0] }) else {
                throw bad("--set '\(entry.split(separator: "=").first ?? "")': \(spec.displayName)'s settings are \(spec.settings.map(\.name).joined(separator: ", "))")
            }
            settings.append((parts[0], parts[1]))
        }

        // What is still missing is asked, each with where it is found.
        printError("\(spec.displayName): \(spec.credentials.count) credential(s) (\(spec.credentials.joined(separator: ", "))), kept encrypted in \(secrets).")
        var values: [String: String] = [:]
        for name in spec.credentials {
            if let value = given[name] {
                values[name] = value
                continue
            }
            guard interactive else { throw bad("no terminal to ask for \(name): give it with --credential \(name)=@FILE or \(name)=env:VAR") }
            printError("\n\(name): \(spec.credentialHelp[name] ?? "in \(spec.displayName)'s dashboard, where its API credentials are")")
            let typed = try Self.readSecret(prompt: "\(name) (not shown; @FILE reads a file): ")
            guard !typed.isEmpty else { throw bad("\(name) is empty: nothing was written") }
            values[name] = typed.hasPrefix("@") ? try Self.read(typed, what: name) : typed
        }
        for field in spec.settings where field.required && !settings.contains(where: { $0.0 == field.name }) {
            guard interactive else { throw bad("\(spec.displayName) needs settings.\(field.name): give it with --set \(field.name)=VALUE") }
            printError("\nsettings.\(field.name) (YAML; a map by establishment looks like {paris-11: \"…\"}): ", terminator: "")
            guard let line = readLine(), !line.isEmpty else { throw bad("settings.\(field.name) is empty: nothing was written") }
            settings.append((field.name, line))
        }

        // Encrypted in memory by the repository's rules, then the document beside it.
        let secretsPath = (root as NSString).appendingPathComponent(secrets), documentPath = (root as NSString).appendingPathComponent(document)
        let group = spec.id.replacingOccurrences(of: "-", with: "_")
        var plaintext = "\(group):\n"
        for name in spec.credentials { plaintext += "  \(ProviderSpec.snakeCase(name)): \(Self.quoted(values[name] ?? ""))\n" }
        do {
            guard let rulesFile = CreationRules.find(for: secretsPath) else {
                throw bad("no \(CreationRules.fileName) above \(secretsPath): add one with a creation rule for secrets/ (path_regex, age); nothing was written")
            }
            let rules = try CreationRules.load(path: rulesFile)
            try SecretsOperations.create(file: secretsPath, plaintext: plaintext, settings: try rules.rule(for: secretsPath).settings)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw bad("\(error)")
        }
        var text = """
            # Added by `salonops integrations add \(spec.id)`; the credentials are in \(secrets) (encrypted).
            apiVersion: \(configAPIVersion)
            kind: Integration
            metadata:
              name: \(integration)
            spec:
              provider: \(spec.id)
              enabled: true
              establishments: \(establishments == "all" ? "all" : "[\(establishments)]")
              credentials:

            """
        for name in spec.credentials { text += "    \(name):\n      secret: \(secrets)#\(group).\(ProviderSpec.snakeCase(name))\n" }
        if !settings.isEmpty {
            text += "  settings:\n"
            for (key, value) in settings { text += "    \(key): \(value)\n" }
        }
        do {
            try FileManager.default.createDirectory(atPath: (documentPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: documentPath, atomically: true, encoding: .utf8)
        } catch {
            try? FileManager.default.removeItem(atPath: secretsPath)
            throw bad("could not write \(documentPath): \(error.localizedDescription)")
        }

        // Validated with the rest of the work tree: a bad value leaves nothing behind.
        var worktree = source.gitOptions
        worktree.worktree = true
        let report = try? await DesiredStateSource.load(worktree, catalog: catalog, logger: source.makeLogger())
        guard let report, report.isValid else {
            try? FileManager.default.removeItem(atPath: documentPath)
            try? FileManager.default.removeItem(atPath: secretsPath)
            if let report { print(report.renderText(), terminator: "") }
            throw bad("the new Integration does not validate (see above); nothing was kept")
        }
        print("wrote \(documentPath)\nwrote \(secretsPath) (encrypted for the recipients of its creation rule)")
        guard !noCheck else { return }
        var checked = source
        checked.worktree = true
        let run = try await EngineRun.start(source: checked, engine: engine, command: "integrations add")
        let connection = await run.engine.reconciler.check()[integration]
        await run.shutdown()
        switch connection?.state {
        case .connected?:
            print("✅ \(integration): Connecté (\(connection?.detail ?? "")); commit both files to apply it")
        case nil:
            print("·  \(integration): \(spec.displayName) is not managed by this version yet; the files are written")
        default:
            print("❌ \(integration): Erreur — \(connection?.detail ?? "unknown"); fix a key with `salonops secrets set \(secrets) \(group).NAME`")
            throw ExitCode(1)
        }
    }

    /// `@FILE` (its bytes, one trailing newline dropped) or `env:VAR`.
    static func read(_ source: String, what: String) throws -> String {
        if source.hasPrefix("@") {
            let path = String(source.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("error: \(what): cannot read \(path)")
                throw ExitCode(1)
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        if source.hasPrefix("env:"), let value = ProcessInfo.processInfo.environment[String(source.dropFirst(4))], !value.isEmpty { return value }
        printError("error: \(what): write @FILE or env:VAR (a value on the command line would stay in the shell's history)")
        throw ExitCode(1)
    }

    /// One line from the terminal with echo off (restored whatever happens).
    static func readSecret(prompt: String) throws -> String {
        printError(prompt, terminator: "")
        var saved = termios()
        let hasTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if hasTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if hasTerminal { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            printError("")
        }
        return readLine(strippingNewline: true) ?? ""
    }

    /// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
    static func quoted(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

import ArgumentParser
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders
import SalonOpsSandbox

/// Options of the commands that talk to providers (plan, apply, reconcile, check).
struct EngineOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Send a provider's requests to URL instead of its API (repeatable): stripe=http://127.0.0.1:12111, or google-calendar.oauth=URL for one of several endpoints.",
            valueName: "PROVIDER[.ENDPOINT]=URL"))
    var endpoint: [String] = []

    @Option(
        name: .long, help: ArgumentHelp("Point every provider at a running sandbox (URL/<provider>/<endpoint>). `--sandbox` alone starts one in this process.", valueName: "URL"))
    var sandbox: String?

    @Option(name: .long, help: "Where status.json, status.md and flags.json are written. Default: <state-dir>/report.")
    var reportDir: String?

    @Option(name: .long, help: "An age identity file to decrypt credentials (besides SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the default keys file).")
    var ageKeyFile: String?

    @Option(name: .long, help: "Requests in flight across all providers at once (each provider is also paced by its own published limits).")
    var maxInFlight: Int = 32

    @Flag(name: .long, help: "Apply even past the safety thresholds (the plan names what it overrides).")
    var force = false

    @Flag(
        name: .long,
        help:
            "Where several resources at a provider carry one resource's ownership key, keep one and retire (delete or archive) the others, as `prune: true` does.")
    var retireDuplicates = false

    @Option(
        name: .long,
        help: ArgumentHelp("With a bare --sandbox: what an emulator knows as the real provider does (repeatable), as for `sandbox serve`.", valueName: "PROVIDER.KEY=VALUE"))
    var emulatorOption: [String] = []

    /// `--endpoint stripe=URL` pairs, checked against the registry.
    func endpointOverrides() throws -> [String: String] {
        var map: [String: String] = [:]
        for given in endpoint {
            let entry = EndpointPolicy.redactingUserInfo(given)
            let parts = given.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, URL(string: parts[1])?.scheme != nil else {
                throw EndpointOptionError("--endpoint '\(entry)': write PROVIDER=URL, e.g. stripe=http://127.0.0.1:12111")
            }
            let names = parts[0].split(separator: ".", maxSplits: 1).map(String.init)
            guard let module = Registry.providers.module(names[0]) else {
                throw EndpointOptionError("--endpoint '\(entry)': no provider '\(names[0])' with an adapter (\(Registry.modules.map { $0.spec.id }.joined(separator: ", ")))")
            }
            if names.count == 2, module.traits.endpoint(names[1]) == nil {
                throw EndpointOptionError("--endpoint '\(entry)': \(names[0]) has no endpoint '\(names[1])' (\(module.traits.endpoints.map(\.name).joined(separator: ", ")))")
            }
            if let problem = EndpointPolicy.problem(parts[1], officialHosts: module.traits.officialHosts) {
                throw EndpointOptionError("--endpoint \(names[0]): \(problem.message); \(problem.hint)")
            }
            map[parts[0]] = parts[1]
        }
        if let sandbox, sandbox != EngineRun.embeddedSandbox, let problem = EndpointPolicy.problem(sandbox) {
            throw EndpointOptionError("--sandbox: \(problem.message); \(problem.hint)")
        }
        return map
    }
}

/// A bad `--endpoint` or `--sandbox`: exit 1 (bad input), not a usage error.
struct EndpointOptionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What the commands print through: standard output and standard error.
let terminalOutput = EngineOutput(out: { print($0, terminator: $0.hasSuffix("\n") ? "" : "\n") }, err: { printError($0) })

/// An engine run started for a command, with the sandbox it may have started in-process.
struct EngineRun {
    let engine: Engine
    let sandbox: SandboxServer?

    static let embeddedSandbox = "embedded"

    /// Loads and validates the config (exit 1 when invalid), decrypts credentials, connects providers.
    /// `retireDuplicates`: what a saved plan was made with, when it retires duplicates.
    static func start(source: SourceOptions, engine options: EngineOptions, command: String, ref: String? = nil, retireDuplicates: Bool = false) async throws
        -> EngineRun
    {
        let (configuration, sandbox) = try await Self.configuration(source: source, engine: options, command: command, ref: ref, retireDuplicates: retireDuplicates)
        do {
            return EngineRun(engine: try await Engine.start(configuration), sandbox: sandbox)
        } catch let error as EngineStartError {
            await sandbox?.stop()
            if case .untrusted = error { throw refusal(error) }
            if case .invalid(let report) = error { print(report.renderText(), terminator: "") }
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// What a run is told, from the flags (a bad flag: exit 1), and the sandbox a bare
    /// `--sandbox` started in this process.
    static func configuration(source: SourceOptions, engine options: EngineOptions, command: String, ref: String? = nil, retireDuplicates: Bool = false)
        async throws -> (EngineConfiguration, SandboxServer?)
    {
        var git = source.gitOptions
        if let ref { git.ref = ref }
        let overrides: [String: String]
        do { overrides = try options.endpointOverrides() } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let trust = try source.trustPolicy()
        var sandbox: SandboxServer?
        var sandboxURL = options.sandbox
        if options.sandbox == embeddedSandbox {
            sandbox = try await SandboxServer.start(SandboxConfiguration(emulatorOptions: try EmulatorOptions.parse(options.emulatorOption)))
            sandboxURL = sandbox!.baseURL
            printError("note: started an in-process sandbox at \(sandbox!.baseURL) (its state ends with this command)")
        }
        let configuration = EngineConfiguration(
            source: git, trust: trust, stateDirectory: source.stateDirectory, reportDirectory: options.reportDir, ageKeyFile: options.ageKeyFile,
            endpoints: Endpoints(overrides: overrides, sandbox: sandboxURL), providers: Registry.providers,
            limits: EngineLimits(maxInFlight: max(1, options.maxInFlight)), retireDuplicates: options.retireDuplicates || retireDuplicates, command: command,
            logger: source.makeLogger())
        return (configuration, sandbox)
    }

    func shutdown() async {
        await engine.shutdown()
        await sandbox?.stop()
    }

    var renderer: PlanRenderer {
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let names = Dictionary(engine.report.state.establishments.map { ($0.metadata.name, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        return PlanRenderer(kinds: Registry.providers.kinds, establishmentNames: names, colour: colour)
    }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

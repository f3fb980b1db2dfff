// salonops-bench: benchmarks that compare SalonOps with a peer measured in the same run.
// Not product code: it drives the real `git` CLI to build inputs and to time the peer.
//
//   salonops-bench load [--files N] [--runs R]
//
// Loads the desired state of a generated N-file repository at a ref (libgit2 read of the
// commit's tree + YAML parse + validation) and compares it with `git archive <ref> | tar -x`
// of the same repository, which only extracts the files.
import Foundation
import SalonOpsCore
import SalonOpsEngine
import SalonOpsProviders
import SalonOpsGit

struct Options {
    var files = 10_000
    var runs = 5
}

func parseOptions() -> (String, Options) {
    var args = Array(CommandLine.arguments.dropFirst())
    guard !args.isEmpty else { usage() }
    let command = args.removeFirst()
    var options = Options()
    while !args.isEmpty {
        let flag = args.removeFirst()
        guard let value = args.first.flatMap(Int.init), value > 0 else { usage() }
        args.removeFirst()
        switch flag {
        case "--files": options.files = value
        case "--runs": options.runs = value
        default: usage()
        }
    }
    return (command, options)
}

func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            """
            usage: salonops-bench load [--files N] [--runs R]
                   salonops-bench reconcile [--establishments N] [--services S] [--latency-ms L] [--venues V]
                   salonops-bench scoped [--establishments N] [--services S] [--venues V] [--latency-ms L] [--salon I]
                   salonops-bench secrets [--values N] [--runs R] [--inprocess-values M] [--inprocess-runs K]

            """.utf8))
    exit(2)
}

@discardableResult
func shell(_ script: String, in directory: URL, input: Data? = nil) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = "/dev/null"
    process.environment = env
    let stdin = Pipe()
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "bench", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "failed: \(script)"])
    }
    return process.terminationStatus
}

/// A repository of `count` files: one Organization, establishments, and services spread over
/// nested folders, committed in one go with `git fast-import`.
func generateRepository(files count: Int, at root: URL) throws {
    try shell("git init -q -b main .", in: root)
    var stream = Data()
    func blob(_ path: String, _ text: String) {
        let bytes = Data(text.utf8)
        stream.append(Data("M 100644 inline \(path)\ndata \(bytes.count)\n".utf8))
        stream.append(bytes)
        stream.append(0x0A)
    }
    stream.append(Data("commit refs/heads/main\ncommitter Bench <bench@salonops.invalid> 1764000000 +0000\ndata 5\nbench\n".utf8))
    blob(
        "config/organization.yaml",
        """
        apiVersion: salonops.io/v1
        kind: Organization
        metadata:
          name: bench-chain
        spec:
          displayName: Bench Chain
          defaults: {currency: EUR, timezone: Europe/Paris, locale: fr-FR}
        """)
    for i in 1..<count {
        let folder = "config/catalogue/category-\(i % 50)/group-\(i % 7)"
        if i % 100 == 0 {
            blob(
                "config/establishments/site-\(i).yaml",
                """
                apiVersion: salonops.io/v1
                kind: Establishment
                metadata:
                  name: site-\(i)
                spec:
                  displayName: Institut \(i)
                  address: {street: "\(i) rue de la Paix", postalCode: "75002", city: Paris, country: FR}
                  hours:
                    tuesday: ["10:00-13:00", "14:00-19:00"]
                    wednesday: ["10:00-19:00"]
                    saturday: ["09:30-18:00"]
                  closures:
                    - {date: 2026-12-25, reason: Noël}
                  staff:
                    - {name: camille, displayName: Camille, services: [service-\(i - 1)]}
                """)
        } else {
            blob(
                "\(folder)/service-\(i).yaml",
                """
                apiVersion: salonops.io/v1
                kind: Service
                metadata:
                  name: service-\(i)
                  labels: {category: category-\(i % 50)}
                spec:
                  displayName: "Soin numéro \(i)"
                  category: category-\(i % 50)
                  description: Un soin du visage complet, avec nettoyage, gommage, masque et modelage.
                  duration: 1h\(i % 4 == 0 ? "" : "30")
                  price: "\(40 + i % 60).\(i % 10)0 EUR"
                  vatRate: "20%"
                  bufferAfter: 15m
                """)
        }
    }
    stream.append(Data("\n".utf8))
    try shell("git fast-import --quiet", in: root, input: stream)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func benchLoad(_ options: Options) async throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-bench-\(UUID().uuidString)")
    let repo = work.appendingPathComponent("repo")
    try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    print("generating a \(options.files)-file repository with git fast-import…")
    try generateRepository(files: options.files, at: repo)

    let clock = ContinuousClock()
    var ours: [Double] = [], fetchOnly: [Double] = [], peer: [Double] = []
    var loadedDocuments = 0, errors = 0
    let sourceOptions = GitSourceOptions(
        repository: repo.path, ref: "main", path: "config", worktree: false,
        cacheDirectory: work.appendingPathComponent("cache").path, credentials: GitCredentials(),
        include: { ConfigFile.isRelevant($0) })
    for run in 0...options.runs {  // run 0 warms caches and is not counted
        let start = clock.now
        let snapshot = try await GitSource.read(sourceOptions)
        let fetched = clock.now
        let report = DesiredStateSource.validate(snapshot, catalog: Registry.catalog)
        let end = clock.now
        loadedDocuments = report.state.documentCount
        errors = report.diagnostics.errorCount

        let out = work.appendingPathComponent("archive-\(run)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let peerStart = clock.now
        try shell("git -C '\(repo.path)' archive main config | tar -x -C '\(out.path)'", in: work)
        let peerEnd = clock.now
        try FileManager.default.removeItem(at: out)
        if run > 0 {
            ours.append(seconds(end - start))
            fetchOnly.append(seconds(fetched - start))
            peer.append(seconds(peerEnd - peerStart))
        }
    }
    guard loadedDocuments == options.files, errors == 0 else {
        print("FAILED: loaded \(loadedDocuments) documents with \(errors) errors; expected \(options.files) and none")
        exit(1)
    }
    let oursMedian = median(ours), peerMedian = median(peer), fetchMedian = median(fetchOnly)
    print("files: \(options.files), runs: \(options.runs) (median), cores: \(ProcessInfo.processInfo.activeProcessorCount)")
    print(String(format: "salonops load (libgit2 read + parse + validate): %.3f s", oursMedian))
    print(String(format: "  of which libgit2 read of the tree:            %.3f s", fetchMedian))
    print(String(format: "git archive | tar -x (peer):                     %.3f s", peerMedian))
    print(String(format: "ratio salonops / peer: %.2fx (goal <= 1.00x)", oursMedian / peerMedian))
}

// `secrets` has its own flags (SecretsBenchmark.swift).
if CommandLine.arguments.dropFirst().first == "reconcile" { try await benchReconcile(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "scoped" { try await benchScoped(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
if CommandLine.arguments.dropFirst().first == "secrets" { try benchSecrets(Array(CommandLine.arguments.dropFirst(2))); exit(0) }
let (command, options) = parseOptions()
switch command {
case "load": try await benchLoad(options)
default: usage()
}

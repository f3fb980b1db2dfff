// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The providers with an adapter: each is a folder `Providers/<Name>/` with `Adapter/`
/// (target `SalonOps<Name>`), `Emulator/` (target `SalonOps<Name>Emulator`) and `Tests/`
/// (test target `SalonOps<Name>Tests`); `_Template` is the one to copy, compiled too so it never
/// rots (its `Tests/Peers` and `Tests/Fixtures`, when present, are data). Registering a provider
/// is its folder's name here and one line in Sources/SalonOpsProviders/Registry.swift (a test
/// checks folders, registry, catalogue and docs agree). The names are written here, not only
/// read from the disk: SwiftPM caches an evaluated manifest by its text, so a folder added
/// without a change to this file would stay invisible to a machine that built before.
let providerFolders = ["Brevo", "GoogleBusinessProfile", "GoogleCalendar", "Planity", "Stripe", "Treatwell", "_Template"]
let providersRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Providers").path
let foldersOnDisk = ((try? FileManager.default.contentsOfDirectory(atPath: providersRoot)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
if foldersOnDisk != providerFolders.sorted() {
    fatalError("Providers/ holds \(foldersOnDisk), Package.swift lists \(providerFolders): add the new folder's name to providerFolders")
}

func moduleName(_ folder: String) -> String { folder == "_Template" ? "Template" : folder }

let providerTargets: [Target] = providerFolders.flatMap { folder -> [Target] in
    let name = moduleName(folder)
    return [
        .target(name: "SalonOps\(name)", dependencies: [.target(name: "SalonOpsProviderKit")], path: "Providers/\(folder)/Adapter"),
        .target(name: "SalonOps\(name)Emulator", dependencies: [.target(name: "SalonOpsEmulatorKit")], path: "Providers/\(folder)/Emulator"),
        .testTarget(
            name: "SalonOps\(name)Tests",
            dependencies: [
                .target(name: "SalonOps\(name)"), .target(name: "SalonOps\(name)Emulator"), .target(name: "SalonOpsProviderTesting"),
                .target(name: "SalonOpsProviders"), .target(name: "SalonOpsTestSupport"), .target(name: "SalonOpsEmulatorKit"),
                .target(name: "SalonOpsSandbox"), .target(name: "SalonOpsEngine"), .target(name: "SalonOpsJWT"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Providers/\(folder)/Tests",
            exclude: ["Peers", "Fixtures"].filter { FileManager.default.fileExists(atPath: "\(providersRoot)/\(folder)/Tests/\($0)") }
        ),
    ]
}

let package = Package(
    name: "SalonOps",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "salonops", targets: ["salonops"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // libgit2, as Debian ships it: the only place its C API is imported.
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // OpenSSL 3 (libcrypto), as Debian ships it: the only place its C API is imported.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // sops files and age, over OpenSSL's EVP primitives; pure functions over bytes.
        .target(name: "SalonOpsSecrets", dependencies: ["COpenSSL", "SalonOpsYAML", .product(name: "Yams", package: "Yams")]),
        // JWT-bearer assertions (RFC 7523) for service-account auth: jwt-kit for the token's structure,
        // signed through SalonOpsSecrets' OpenSSL RS256; jwt-kit's own RSA verifies, for the emulators' side.
        .target(name: "SalonOpsJWT", dependencies: ["SalonOpsSecrets", .product(name: "JWTKit", package: "jwt-kit")]),
        // Reads a commit's tree into memory through libgit2; value types out.
        .target(name: "SalonOpsGit", dependencies: ["CLibGit2"]),
        // Bounds on every YAML read (size, depth, alias expansion), over libyaml's event stream: the
        // libyaml that Yams builds (CYaml), so there is one copy of it; the only place it is imported.
        .target(name: "SalonOpsYAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The one JSON value of adapters and emulators.
        .target(name: "SalonOpsJSON"),
        // The pure core: model, YAML loading, validation, diff, plan, rendering. No C, no HTTP.
        .target(name: "SalonOpsCore", dependencies: ["SalonOpsYAML", .product(name: "Yams", package: "Yams")]),
        // What an adapter is written against: the provider contract, traits, pagination, settings.
        .target(name: "SalonOpsProviderKit", dependencies: ["SalonOpsCore", "SalonOpsJSON"]),
        // What an emulator is written against: requests, responses, seeded ids, idempotency, faults.
        .target(name: "SalonOpsEmulatorKit", dependencies: ["SalonOpsJSON", "SalonOpsJWT"]),
        // The one place providers are listed: modules, emulators, planned catalogue entries.
        .target(
            name: "SalonOpsProviders",
            dependencies: ["SalonOpsProviderKit", "SalonOpsEmulatorKit"]
                + providerFolders.filter { $0 != "_Template" }.flatMap { [Target.Dependency.target(name: "SalonOps\($0)"), .target(name: "SalonOps\($0)Emulator")] }
        ),
        // The engine: fetch, load, decrypt, transport (auth, pacing, retries), reconcile, state.
        .target(
            name: "SalonOpsEngine",
            dependencies: [
                "SalonOpsCore", "SalonOpsGit", "SalonOpsSecrets", "SalonOpsJWT", "SalonOpsProviderKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The run history (SQLite, the system's libsqlite3: apt libsqlite3-dev).
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Provider emulators over real HTTP (Hummingbird), in memory, with seeded fault injection:
        // `salonops sandbox serve`, `--sandbox`, and the tests' peer where no public fake exists.
        .target(
            name: "SalonOpsSandbox",
            dependencies: [
                "SalonOpsEmulatorKit", "SalonOpsProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `salonops run`: the reconcile loop (interval, drift scans, change-scoped runs) and its
        // HTTP endpoints (probes, status, push webhooks), over the engine the CLI uses.
        .target(
            name: "SalonOpsDaemon",
            dependencies: [
                "SalonOpsEngine", "SalonOpsCore", "SalonOpsGit", "SalonOpsSecrets", "SalonOpsProviderKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            // The status page's templates, compiled into the binary (one file to deploy).
            resources: [.embedInCode("StatusPage/status.mustache")]
        ),
        .executableTarget(
            name: "salonops",
            dependencies: [
                "SalonOpsCore", "SalonOpsGit", "SalonOpsEngine", "SalonOpsSecrets", "SalonOpsSandbox", "SalonOpsProviders", "SalonOpsEmulatorKit",
                "SalonOpsDaemon",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "salonops-bench",
            dependencies: [
                "SalonOpsCore", "SalonOpsGit", "SalonOpsEngine", "SalonOpsSecrets", "SalonOpsSandbox", "SalonOpsProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/salonops-bench"
        ),
        // Test helpers shared by the test targets: running programs with bounded waits, git fixtures.
        .target(name: "SalonOpsTestSupport", path: "Tests/SalonOpsTestSupport"),
        // The provider test kit: the contract suite every provider runs against its peers, a
        // sandbox harness, a fake session, spec validators.
        .target(
            name: "SalonOpsProviderTesting",
            dependencies: [
                "SalonOpsEngine", "SalonOpsSandbox", "SalonOpsProviders", "SalonOpsTestSupport", "SalonOpsSecrets",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The OpenAPI validator reads YAML specs.
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/SalonOpsProviderTesting"
        ),
        .testTarget(name: "SalonOpsCoreTests", dependencies: ["SalonOpsCore", "SalonOpsYAML", "SalonOpsProviders", "SalonOpsEmulatorKit"]),
        .testTarget(
            name: "SalonOpsJWTTests",
            dependencies: ["SalonOpsJWT", "SalonOpsSecrets", "SalonOpsTestSupport", .product(name: "JWTKit", package: "jwt-kit")]
        ),
        .testTarget(name: "SalonOpsGitTests", dependencies: ["SalonOpsGit", "SalonOpsTestSupport"]),
        .testTarget(name: "SalonOpsSecretsTests", dependencies: ["SalonOpsSecrets", "SalonOpsTestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "SalonOpsSandboxTests",
            dependencies: [
                "SalonOpsSandbox", "SalonOpsEmulatorKit", "SalonOpsTestSupport", "SalonOpsProviderTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SalonOpsEngineTests",
            dependencies: [
                "SalonOpsEngine", "SalonOpsCore", "SalonOpsSecrets", "SalonOpsSandbox", "SalonOpsTestSupport", "SalonOpsProviderTesting",
                // The auth tests' OAuth2 peer is a ProviderEmulator served by the sandbox.
                "SalonOpsProviders", "SalonOpsEmulatorKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "SalonOpsDaemonTests",
            dependencies: ["SalonOpsDaemon", "SalonOpsEngine", "SalonOpsSecrets", "SalonOpsTestSupport", "SalonOpsCore", "SalonOpsProviders"]
        ),
        .testTarget(
            name: "SalonOpsCLITests",
            dependencies: [
                "SalonOpsTestSupport", "SalonOpsSandbox", "SalonOpsProviderTesting", "SalonOpsEmulatorKit", "SalonOpsJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ] + providerTargets
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SalonOps",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "salonops", targets: ["salonops"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // libgit2, as Debian ships it: the only place its C API is imported.
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // OpenSSL 3 (libcrypto), as Debian ships it: the only place its C API is imported.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // sops files and age, over OpenSSL's EVP primitives; pure functions over bytes.
        .target(
            name: "SalonOpsSecrets",
            dependencies: ["COpenSSL", .product(name: "Yams", package: "Yams")]
        ),
        // Reads a commit's tree into memory through libgit2; value types out.
        .target(
            name: "SalonOpsGit",
            dependencies: ["CLibGit2"]
        ),
        // The pure core: model, YAML loading, validation, rendering. No C, no HTTP.
        .target(
            name: "SalonOpsCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // Wires the git source to the core (and, later, providers to the plan).
        .target(
            name: "SalonOpsEngine",
            dependencies: [
                "SalonOpsCore", "SalonOpsGit", "SalonOpsSecrets",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Provider emulators over real HTTP (Hummingbird), in-memory, with seeded fault injection:
        // `salonops sandbox serve`, `--sandbox`, and the tests' peer where no public fake exists.
        .target(
            name: "SalonOpsSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "salonops",
            dependencies: [
                "SalonOpsCore", "SalonOpsGit", "SalonOpsEngine", "SalonOpsSecrets", "SalonOpsSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "salonops-bench",
            dependencies: ["SalonOpsCore", "SalonOpsGit", "SalonOpsEngine", "SalonOpsSecrets", "SalonOpsSandbox",
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Benchmarks/salonops-bench"
        ),
        // Test helpers shared by the test targets: running programs with bounded waits, git fixtures.
        .target(name: "SalonOpsTestSupport", path: "Tests/SalonOpsTestSupport"),
        .testTarget(name: "SalonOpsCoreTests", dependencies: ["SalonOpsCore"]),
        .testTarget(name: "SalonOpsGitTests", dependencies: ["SalonOpsGit", "SalonOpsTestSupport"]),
        .testTarget(name: "SalonOpsSecretsTests", dependencies: ["SalonOpsSecrets", "SalonOpsTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SalonOpsSandboxTests", dependencies: [
            "SalonOpsSandbox", "SalonOpsTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "SalonOpsEngineTests", dependencies: [
            "SalonOpsEngine", "SalonOpsCore", "SalonOpsSecrets", "SalonOpsSandbox", "SalonOpsTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "SalonOpsCLITests", dependencies: [
            "SalonOpsTestSupport", "SalonOpsSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ]
)

import Foundation
import NIOHTTP1
import SalonOpsTestSupport
import Testing

/// examples/deploy/ checked as far as this machine can: systemd's own analyzer on the units,
/// PyYAML on the manifests and workflows, apt's cache on the container's packages, the real
/// binary's argument spec on every `salonops` command line, and the command lines of the units,
/// the CronJob and the Deployment run for real (against a copy of examples/salon-chain and the
/// sandbox), as is the CI script. No container engine, cluster or CI host is used: what that
/// leaves unchecked is in docs/deploy.md.
@Suite(.serialized) struct DeployRecipesTests {
    static let deploy = Paths.packageRoot.appendingPathComponent("examples/deploy")
    static let units = ["salonops-reconcile.service", "salonops-reconcile.timer", "salonops-run.service"]
    static let installedBinary = "/usr/local/bin/salonops"
    static let python = "/usr/bin/python3"
    static let systemdAnalyze = "/usr/bin/systemd-analyze"
    static let demoKey = Paths.packageRoot.appendingPathComponent("examples/demo-keys/ci-demo.txt")
    static let ciScript = deploy.appendingPathComponent("ci/salonops-ci.sh")

    static func read(_ relative: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(relative), encoding: .utf8)
    }

    // MARK: - systemd

    @Test func theSystemdUnitsPassSystemdAnalyzeVerifyAndSecurity() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.systemdAnalyze),
            "systemd-analyze is missing: `make test-deps` installs Debian's systemd (it installs and analyzes without a running init)")
        // verify insists that ExecStart's program exists: the copies name the binary under test.
        let folder = try TempFolder("deploy-units")
        for name in Self.units {
            let text = try Self.read("systemd/\(name)")
            try text.replacingOccurrences(of: "ExecStart=\(Self.installedBinary) ", with: "ExecStart=\(Paths.salonops) ")
                .write(to: folder.url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let verify = try await CommandRunner.run(Self.systemdAnalyze, ["verify", "--man=no"] + Self.units.map { folder.path + "/" + $0 }, timeout: 120)
        // A warning (an unknown key, a bad value) is printed and ignored by systemd: none is allowed.
        #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")

        for service in Self.units where service.hasSuffix(".service") {
            let security = try await CommandRunner.run(Self.systemdAnalyze, ["security", "--offline=yes", folder.path + "/" + service], timeout: 120)
            #expect(security.status == 0, "\(security.stderr)")
            let line = security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level for \(service):") }
            let score = line.flatMap { $0.split(separator: ":").last?.split(separator: " ").first }.flatMap { Double($0) }
            #expect(score != nil && score! <= 1.5, "\(service): \(line ?? "no exposure level")\n\(security.stdout.suffix(3000))")
        }

        // The dedicated user, as systemd-sysusers would create it (dry run, in a scratch root).
        let sysusers = try await CommandRunner.run(
            "/usr/bin/systemd-sysusers", ["--dry-run", "--root=\(folder.path)", Self.deploy.appendingPathComponent("systemd/salonops.sysusers").path],
            timeout: 60)
        #expect(sysusers.status == 0 && sysusers.stderr.contains("Creating user 'salonops'"), "\(sysusers.stdout)\(sysusers.stderr)")
    }

    @Test func theSystemdUnitsSayWhatTheDeploymentNeeds() async throws {
        let reconcile = try UnitFile(Self.read("systemd/salonops-reconcile.service"))
        let timer = try UnitFile(Self.read("systemd/salonops-reconcile.timer"))
        let daemon = try UnitFile(Self.read("systemd/salonops-run.service"))
        let environmentFile = try Self.environmentFile(Self.read("systemd/salonops.env.example"))

        #expect(reconcile.value("Service", "Type") == "oneshot")
        #expect(timer.value("Timer", "Unit") == "salonops-reconcile.service")
        #expect(timer.value("Timer", "OnCalendar") != nil && timer.value("Install", "WantedBy") == "timers.target")
        #expect(["exec", "simple"].contains(daemon.value("Service", "Type") ?? ""))
        #expect(daemon.value("Service", "Restart") == "on-failure")
        #expect(daemon.value("Service", "KillSignal") == "SIGTERM")
        // Long enough for a run in flight to finish, and the same as the pod's grace period.
        let stop = try await Self.timespanSeconds(try #require(daemon.value("Service", "TimeoutStopSec")))
        #expect(stop >= 600, "TimeoutStopSec is \(stop) s")
        let pod = try await Self.podSpec("kubernetes/deployment.yaml", kind: "Deployment")
        #expect(pod["terminationGracePeriodSeconds"] as? Int == stop, "systemd waits \(stop) s, Kubernetes \(pod["terminationGracePeriodSeconds"] ?? "?")")

        for (name, unit, subcommand) in [("salonops-reconcile.service", reconcile, "reconcile"), ("salonops-run.service", daemon, "run")] {
            let argv = try #require(unit.execStart, "\(name) has no ExecStart")
            #expect(argv.first == Self.installedBinary && argv.dropFirst().first == subcommand, "\(name): \(argv)")
            #expect(unit.value("Service", "User") == "salonops" && unit.value("Service", "Group") == "salonops", "\(name)")
            #expect(unit.value("Service", "StateDirectory") == "salonops" && unit.value("Service", "CacheDirectory") == "salonops", "\(name)")
            #expect(Self.option("--state-dir", argv) == "${STATE_DIRECTORY}" && Self.option("--cache-dir", argv) == "${CACHE_DIRECTORY}", "\(name)")
            for (key, value) in [
                ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("UMask", "0077"),
            ] {
                #expect(unit.value("Service", key) == value, "\(name): \(key)=\(unit.value("Service", key) ?? "(unset)")")
            }
            // The age identity comes by LoadCredential, as a file the service alone can read;
            // never in the unit or its environment.
            let credential = try #require(unit.values("Service", "LoadCredential").first, "\(name): no LoadCredential")
            let id = String(credential.prefix { $0 != ":" })
            #expect(Self.option("--age-key-file", argv) == "${CREDENTIALS_DIRECTORY}/\(id)", "\(name): \(argv)")
            let environment = unit.values("Service", "Environment").joined(separator: " ")
            #expect(!environment.contains("SOPS_AGE_KEY"), "\(name) sets the key in its environment")
            // Every variable ExecStart names is systemd's or the environment file's.
            for variable in Self.variables(in: argv.joined(separator: " "), open: "${", close: "}") {
                #expect(
                    ["STATE_DIRECTORY", "CACHE_DIRECTORY", "CREDENTIALS_DIRECTORY"].contains(variable) || environmentFile[variable] != nil,
                    "\(name): ${\(variable)} is set by neither systemd nor salonops.env.example")
            }
        }
        // The daemon may bind the port it listens on, and no other.
        let daemonArgv = try #require(daemon.execStart)
        let listen = try #require(Self.option("--listen", daemonArgv))
        #expect(daemon.value("Service", "SocketBindAllow") == "tcp:\(listen.split(separator: ":").last ?? "")")
        #expect(daemon.value("Service", "SocketBindDeny") == "any")
        #expect(try Self.read("systemd/salonops.sysusers").contains("u salonops "))
    }

    // MARK: - Kubernetes

    @Test func theKubernetesManifestsProbeTheListenPortAndMountTheKeyWhereSopsLooks() async throws {
        var kinds: [String: [String: Any]] = [:]
        for file in ["configmap.yaml", "state-pvc.yaml", "cronjob.yaml", "deployment.yaml"] {
            let documents = try await Self.yaml("kubernetes/\(file)")
            for case let document as [String: Any] in documents {
                let kind = try #require(document["kind"] as? String, "\(file): a document without kind")
                #expect(document["apiVersion"] is String && Self.dig(document, "metadata", "name") is String, "\(file): \(kind)")
                kinds[kind] = document
            }
        }
        #expect(Set(kinds.keys) == ["ConfigMap", "PersistentVolumeClaim", "CronJob", "Deployment", "Service"])
        let deployment = try #require(kinds["Deployment"]), service = try #require(kinds["Service"]), cronJob = try #require(kinds["CronJob"])
        let claim = try #require(Self.dig(kinds["PersistentVolumeClaim"], "metadata", "name") as? String)
        #expect(Self.dig(deployment, "spec", "replicas") as? Int == 1 && Self.dig(deployment, "spec", "strategy", "type") as? String == "Recreate")
        #expect(Self.dig(cronJob, "spec", "concurrencyPolicy") as? String == "Forbid")
        #expect(Self.dig(cronJob, "spec", "jobTemplate", "spec", "activeDeadlineSeconds") is Int)
        let image = try Self.containerfile().image

        for (kind, pod, subcommand) in [
            ("CronJob", try #require(Self.dig(cronJob, "spec", "jobTemplate", "spec", "template", "spec") as? [String: Any]), "reconcile"),
            ("Deployment", try #require(Self.dig(deployment, "spec", "template", "spec") as? [String: Any]), "run"),
        ] {
            let container = try #require((pod["containers"] as? [[String: Any]])?.first, "\(kind)")
            let args = container["args"] as? [String] ?? []
            #expect(container["command"] == nil, "\(kind): the image's entrypoint (salonops) is the command")
            #expect(args.first == subcommand, "\(kind): \(args)")
            #expect((container["image"] as? String)?.hasPrefix("ghcr.io/") == true, "\(kind): \(container["image"] ?? "")")
            #expect(pod["automountServiceAccountToken"] as? Bool == false && pod["enableServiceLinks"] as? Bool == false, "\(kind)")
            // securityContext: non-root as the image's numeric user, a read-only root filesystem.
            #expect(Self.dig(pod, "securityContext", "runAsNonRoot") as? Bool == true, "\(kind)")
            #expect(Self.dig(pod, "securityContext", "runAsUser") as? Int == image.uid && Self.dig(pod, "securityContext", "runAsGroup") as? Int == image.gid, "\(kind)")
            #expect(Self.dig(container, "securityContext", "readOnlyRootFilesystem") as? Bool == true, "\(kind)")
            #expect(Self.dig(container, "securityContext", "allowPrivilegeEscalation") as? Bool == false, "\(kind)")
            #expect(Self.dig(container, "securityContext", "capabilities", "drop") as? [String] == ["ALL"], "\(kind)")
            // Every $(VAR) of the arguments is in the container's env (Kubernetes leaves an
            // unknown one as it is, which salonops would take literally).
            let environment = Dictionary(uniqueKeysWithValues: (container["env"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
            for variable in Self.variables(in: args.joined(separator: " "), open: "$(", close: ")") {
                #expect(environment[variable] != nil, "\(kind): $(\(variable)) is not in env")
            }
            // The age identity: a Secret's file, where SOPS_AGE_KEY_FILE points; never a value.
            let volumes = Dictionary(uniqueKeysWithValues: (pod["volumes"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
            let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
            let keyFile = try #require(environment["SOPS_AGE_KEY_FILE"]?["value"] as? String, "\(kind): SOPS_AGE_KEY_FILE")
            let keyMount = try #require(mounts.first { keyFile.hasPrefix(($0["mountPath"] as? String ?? "?") + "/") }, "\(kind): nothing mounted at \(keyFile)")
            let secret = try #require(volumes[keyMount["name"] as? String ?? ""]?["secret"] as? [String: Any], "\(kind): \(keyFile) is not a Secret's")
            let items = (secret["items"] as? [[String: Any]] ?? []).map { $0["path"] as? String ?? "" }
            #expect(items.contains(String(keyFile.dropFirst((keyMount["mountPath"] as? String ?? "").count + 1))), "\(kind): \(keyFile) not among \(items)")
            #expect(keyMount["readOnly"] as? Bool == true && secret["defaultMode"] as? Int == 0o440, "\(kind)")
            #expect(environment["SOPS_AGE_KEY"] == nil, "\(kind): the key itself in env")
            // The state directory on the PersistentVolumeClaim, the cache on an emptyDir.
            for (flag, expected) in [("--state-dir", "persistentVolumeClaim"), ("--cache-dir", "emptyDir")] {
                let path = try #require(Self.option(flag, args), "\(kind): no \(flag)")
                let mount = try #require(mounts.first { $0["mountPath"] as? String == path }, "\(kind): nothing mounted at \(flag) \(path)")
                let volume = volumes[mount["name"] as? String ?? ""] ?? [:]
                #expect(volume[expected] != nil, "\(kind): \(flag) \(path) is on \(volume.keys.sorted())")
            }
            #expect(Self.dig(volumes["state"], "persistentVolumeClaim", "claimName") as? String == claim, "\(kind)")
            #expect(mounts.contains { $0["mountPath"] as? String == "/tmp" }, "\(kind): no writable /tmp")
        }

        // Probes on the port --listen binds; the Service in front of it; a run's time to finish.
        let pod = try #require(Self.dig(deployment, "spec", "template", "spec") as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let listen = try #require(Self.option("--listen", container["args"] as? [String] ?? []))
        #expect(listen.hasPrefix("0.0.0.0:"), "the probes come from the kubelet, not from inside the pod: \(listen)")
        let port = try #require(Int(listen.split(separator: ":").last ?? ""))
        let ports = container["ports"] as? [[String: Any]] ?? []
        func resolve(_ value: Any?) -> Int? {
            if let number = value as? Int { return number }
            return ports.first { $0["name"] as? String == value as? String }?["containerPort"] as? Int
        }
        #expect(ports.contains { $0["containerPort"] as? Int == port }, "no containerPort \(port)")
        #expect(Self.dig(container, "livenessProbe", "httpGet", "path") as? String == "/healthz")
        #expect(Self.dig(container, "readinessProbe", "httpGet", "path") as? String == "/readyz")
        #expect(resolve(Self.dig(container, "livenessProbe", "httpGet", "port")) == port && resolve(Self.dig(container, "readinessProbe", "httpGet", "port")) == port)
        let servicePort = try #require((Self.dig(service, "spec", "ports") as? [[String: Any]])?.first)
        #expect(resolve(servicePort["targetPort"]) == port)
        #expect(Self.dig(service, "spec", "selector") as? [String: String] == Self.podLabels(deployment))
        #expect(Self.dig(deployment, "spec", "selector", "matchLabels") as? [String: String] == Self.podLabels(deployment))
        #expect((pod["terminationGracePeriodSeconds"] as? Int ?? 0) >= 600)
        #expect(image.exposed == port, "the image exposes \(image.exposed ?? 0), the daemon listens on \(port)")
    }

    // MARK: - Container build file

    @Test func theContainerfileBuildsAsTheMakefileReleasesAndInstallsPackagesBookwormHas() async throws {
        let file = try Self.containerfile()
        #expect(file.stages.count == 2, "\(file.stages.map(\.from))")
        let build = try #require(file.stages.first), runtime = try #require(file.stages.last)
        // The toolchain this package is tested with, on Debian bookworm, as the runtime image.
        let swift = try await CommandRunner.run("/usr/bin/env", ["swift", "--version"], timeout: 60)
        let version = try #require(swift.stdout.firstMatch(of: /Swift version (\d+)\.(\d+)/), "\(swift.stdout)\(swift.stderr)")
        #expect(build.from == "swift:\(version.1).\(version.2)-bookworm AS build", "\(build.from)")
        #expect(runtime.from == "debian:bookworm-slim")
        let osRelease = try String(contentsOfFile: "/etc/os-release", encoding: .utf8)
        try #require(osRelease.contains("VERSION_CODENAME=bookworm"), "this machine's apt is not bookworm's: checking package names here would prove nothing")

        // Every package either stage installs exists in bookworm (this machine's apt cache).
        for package in build.packages + runtime.packages {
            let show = try await CommandRunner.run("/usr/bin/apt-cache", ["show", "--no-all-versions", package], timeout: 60)
            #expect(show.status == 0 && show.stdout.contains("Package: \(package)\n"), "apt-cache show \(package): \(show.stderr)")
        }
        // The build stage has the system libraries Package.swift links.
        let manifest = try String(contentsOf: Paths.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let linked = manifest.matches(of: /\.apt\(\["([^"]+)"\]\)/).map { String($0.1) }
        #expect(!linked.isEmpty && Set(linked).isSubset(of: build.packages), "\(linked) not all in \(build.packages)")
        // Built as `make release` builds: the Makefile's RELEASE_FLAGS, in order.
        let makefile = try String(contentsOf: Paths.packageRoot.appendingPathComponent("Makefile"), encoding: .utf8)
        let flags = try #require(makefile.firstMatch(of: /\nRELEASE_FLAGS := ([^\n]+)\n/)).1.split(separator: " ").map(String.init)
        let swiftBuild = try #require(build.runs.first { $0.contains("swift build ") }, "no swift build")
        #expect(swiftBuild.contains("swift build " + flags.joined(separator: " ")), "\(swiftBuild) is not `swift build \(flags.joined(separator: " "))`")
        #expect(swiftBuild.contains("/out/salonops") && runtime.instructions.contains("COPY --from=build /out/salonops \(Self.installedBinary)"))
        #expect(runtime.instructions.contains("COPY examples/deploy/ci/salonops-ci.sh /usr/local/bin/salonops-ci"))
        #expect(file.entrypoint == [Self.installedBinary], "\(file.entrypoint)")
        #expect(file.image.uid != 0 && file.image.uid == file.image.gid)
        let ignored = try Self.read("container/Containerfile.dockerignore").split(separator: "\n")
        #expect(ignored.contains(".build") && ignored.contains(".venv"))

        // What the binary links besides the Swift runtime (static in the release build) comes
        // from a package the runtime stage installs, or libc6.
        let needed = try await CommandRunner.run("/usr/bin/readelf", ["-d", Paths.salonops], timeout: 60)
        let libraries = needed.stdout.matches(of: /\(NEEDED\)\s+Shared library: \[([^\]]+)\]/).map { String($0.1) }
        let swiftRuntime = /^(libswift.*|libFoundation.*|lib_Foundation.*|libdispatch\.so|libBlocksRuntime\.so)$/
        let system = libraries.filter { $0.wholeMatch(of: swiftRuntime) == nil }
        #expect(system.contains("libgit2.so.1.5") && system.contains("libssl.so.3"), "\(libraries)")
        var paths: [String: String] = [:]
        for line in try await CommandRunner.run("/usr/bin/ldd", [Paths.salonops], timeout: 60).stdout.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).components(separatedBy: " => ")
            let path = String((parts.count == 2 ? parts[1] : parts[0]).split(separator: " ").first ?? "")
            if path.hasPrefix("/") { paths[parts.count == 2 ? parts[0] : (path as NSString).lastPathComponent] = path }
        }
        for library in system {
            let path = paths[library] ?? ""
            var owner: String?
            for candidate in [path, path.hasPrefix("/usr/") ? String(path.dropFirst(4)) : "/usr" + path] where owner == nil && !candidate.isEmpty {
                let dpkg = try await CommandRunner.run("/usr/bin/dpkg", ["-S", candidate], timeout: 60)
                if dpkg.status == 0 { owner = dpkg.stdout.split(separator: ":").first.map(String.init) }
            }
            let package = try #require(owner, "\(library) (\(path)) belongs to no Debian package")
            #expect(package == "libc6" || runtime.packages.contains(package), "\(library) comes from \(package), which the runtime stage does not install")
        }
    }

    // MARK: - CI workflows

    @Test func theWorkflowsCallTheCIScriptAndTolerateOnlyExitTwoFromPlan() async throws {
        let subcommands = try await Self.ciSubcommands()
        #expect(subcommands == ["validate", "plan", "apply", "comment"])
        let image = "ghcr.io/example/salonops:0.1.0"
        var lines: [String] = []

        let github = try #require(try await Self.yaml("github-actions/salonops.yml").first as? [String: Any])
        // PyYAML reads YAML 1.1, where a bare `on` is true: GitHub reads it as the key "on".
        let triggers = try #require((github["on"] ?? github["true"]) as? [String: Any])
        #expect(Set(triggers.keys) == ["push", "pull_request"])
        let jobs = try #require(github["jobs"] as? [String: [String: Any]])
        #expect(Set(jobs.keys) == ["validate", "plan", "apply"])
        for (name, job) in jobs {
            #expect((Self.dig(job, "container", "image") as? String)?.contains(image) == true, "\(name): \(job["container"] ?? "")")
            for step in job["steps"] as? [[String: Any]] ?? [] {
                if let run = step["run"] as? String {
                    lines.append(run)
                } else {
                    #expect((step["uses"] as? String)?.hasPrefix("actions/cache/") == true, "\(name): a step that is not salonops-ci: \(step)")
                }
            }
        }
        let plan = try #require(jobs["plan"]), apply = try #require(jobs["apply"]), validate = try #require(jobs["validate"])
        #expect((validate["if"] as? String)?.contains("github.event_name == 'push'") == true)
        #expect((plan["if"] as? String)?.contains("github.event_name == 'pull_request'") == true)
        #expect(Self.dig(plan, "permissions", "pull-requests") as? String == "write")
        #expect((plan["steps"] as? [[String: Any]] ?? []).compactMap { $0["run"] as? String } == ["salonops-ci plan || [ $? -eq 2 ]", "salonops-ci comment"])
        #expect((apply["if"] as? String)?.contains("github.ref == 'refs/heads/main'") == true)
        #expect(Self.dig(apply, "concurrency", "cancel-in-progress") as? Bool == false)
        #expect((apply["steps"] as? [[String: Any]] ?? []).contains { $0["run"] as? String == "salonops-ci apply" })
        #expect((apply["steps"] as? [[String: Any]] ?? []).contains { ($0["uses"] as? String)?.hasPrefix("actions/cache/save") == true && $0["if"] as? String == "always()" })
        for job in [plan, apply] {
            #expect((Self.dig(job, "env", "SOPS_AGE_KEY") as? String)?.hasPrefix("${{ secrets.") == true)
        }

        let gitlab = try #require(try await Self.yaml("gitlab-ci/.gitlab-ci.yml").first as? [String: Any])
        #expect(gitlab["stages"] as? [String] == ["validate", "plan", "apply"])
        #expect(Self.dig(gitlab, "variables", "GIT_STRATEGY") as? String == "none")
        #expect((Self.dig(gitlab, "variables", "SALONOPS_IMAGE") as? String)?.hasSuffix("/salonops:0.1.0") == true)
        for name in ["validate", "plan", "apply"] {
            let job = try #require(gitlab[name] as? [String: Any], "\(name)")
            lines += job["script"] as? [String] ?? []
        }
        let mergeRequests = Self.dig(gitlab, "plan", "rules") as? [[String: Any]]
        #expect(mergeRequests?.first?["if"] as? String == "$CI_PIPELINE_SOURCE == \"merge_request_event\"")
        #expect((Self.dig(gitlab, "apply", "rules") as? [[String: Any]])?.first?["if"] as? String == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
        #expect(Self.dig(gitlab, "apply", "resource_group") is String)
        #expect(Self.dig(gitlab, "plan", "script") as? [String] == ["salonops-ci plan || [ $? -eq 2 ]", "salonops-ci comment"])

        // Every step is one call to salonops-ci, with a subcommand it has (and nothing for salonops).
        for line in lines {
            let words = line.split(separator: " ").map(String.init)
            #expect(words.first == "salonops-ci" && subcommands.contains(words.dropFirst().first ?? ""), "\(line)")
            #expect(words.count == 2 || line.hasSuffix(" || [ $? -eq 2 ]"), "\(line)")
        }
        // The variables the workflows set are the script's or salonops's.
        let script = try String(contentsOf: Self.ciScript, encoding: .utf8)
        let sources = try Self.allSources()
        var assigned = Set((github["env"] as? [String: Any] ?? [:]).keys).union((gitlab["variables"] as? [String: Any] ?? [:]).keys)
        for job in jobs.values { assigned.formUnion((job["env"] as? [String: Any] ?? [:]).keys) }
        for name in ["plan", "apply"] { assigned.formUnion((Self.dig(gitlab, name, "variables") as? [String: Any] ?? [:]).keys) }
        for variable in assigned.sorted() where variable.hasPrefix("SALONOPS_") && variable != "SALONOPS_IMAGE" {
            #expect(script.contains("${\(variable)") || sources.contains("\"\(variable)\""), "\(variable) is read by neither salonops-ci nor salonops")
        }

        // The plan steps' shell line, as the runners' `sh -e` runs it, with a salonops-ci that
        // exits 0, 1, 2 or 3: only 0 and 2 pass.
        let folder = try TempFolder("deploy-step")
        let stub = folder.url.appendingPathComponent("salonops-ci")
        try "#!/bin/sh\nexit \"$STUB_EXIT\"\n".write(to: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub.path)
        for (code, passes) in [(0, true), (1, false), (2, true), (3, false)] {
            let step = try await CommandRunner.run(
                "/bin/sh", ["-e", "-c", "salonops-ci plan || [ $? -eq 2 ]"],
                environment: ["PATH": folder.path + ":/usr/bin:/bin", "STUB_EXIT": "\(code)"], timeout: 30)
            #expect((step.status == 0) == passes, "exit \(code) gave \(step.status)")
        }
    }

    // MARK: - Every salonops command line, against the binary's own spec

    @Test func everySalonopsCommandLineParsesAgainstTheBinary() async throws {
        let spec = try await Self.cliSpec()
        var lines: [(String, [String])] = []
        for name in Self.units where name.hasSuffix(".service") {
            lines.append((name, try #require(try UnitFile(Self.read("systemd/\(name)")).execStart)))
        }
        let image = try Self.containerfile()
        lines.append(("Containerfile ENTRYPOINT + CMD", image.entrypoint + image.command))
        for (file, kind) in [("kubernetes/cronjob.yaml", "CronJob"), ("kubernetes/deployment.yaml", "Deployment")] {
            let container = try #require((try await Self.podSpec(file, kind: kind)["containers"] as? [[String: Any]])?.first)
            lines.append((file, image.entrypoint + (container["args"] as? [String] ?? [])))
        }
        for (what, argv) in lines {
            #expect(spec.problems(argv).isEmpty, "\(what): \(spec.problems(argv)) in \(argv.joined(separator: " "))")
        }
        // The checker itself finds what it must.
        #expect(!spec.problems(["salonops", "run", "--lisen", "0.0.0.0:9400"]).isEmpty)
        #expect(!spec.problems(["salonops", "plan", "--format", "yaml"]).isEmpty)
        #expect(!spec.problems(["salonops", "reconcile", "--state-dir"]).isEmpty)
        #expect(!spec.problems(["salonops", "apply", "--auto-approve=yes"]).isEmpty)
        #expect(!spec.problems(["salonops", "reconcile", "plan.json"]).isEmpty)
        #expect(spec.problems(["salonops", "apply", "plan.json", "--auto-approve"]).isEmpty)
    }

    // MARK: - The recipes' command lines, run for real

    /// The timer's reconcile, the CronJob's, then the systemd daemon and the Deployment's, each
    /// as its recipe runs it (variables and container paths replaced by this machine's, the
    /// sandbox appended, `--listen` on a free loopback port): a reconcile exits 0; a daemon
    /// listens, is ready, answers /healthz, refuses an unsigned webhook (so it decrypted the
    /// webhook secret with the key it was given), and exits 0 on SIGTERM.
    @Test func theRecipesCommandLinesRunAgainstTheSandbox() async throws {
        let setup = try await ReconcileCommandTests.Setup.make()
        defer { Task { await setup.cleanUp() } }
        try await Self.commitWebhookSecret(in: setup.repo)
        let host = try TempFolder("deploy-host")
        let state = host.url.appendingPathComponent("state"), cache = host.url.appendingPathComponent("cache")
        // A URL, as the recipes say: cloned into the cache directory, fetched every run.
        let values = ["SALONOPS_REPO": "file://" + setup.repo.path, "SALONOPS_REF": "main", "SALONOPS_PATH": "examples/salon-chain"]
        // The key reaches salonops only as the recipe hands it over.
        let base = ["HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "SOPS_AGE_KEY": "", "SOPS_AGE_KEY_FILE": ""]

        // systemd: the environment file's variables, StateDirectory/CacheDirectory, LoadCredential.
        let credentials = host.url.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        let environmentFile = try Self.environmentFile(Self.read("systemd/salonops.env.example"))
        var systemd: [String: [String]] = [:], systemdEnvironment: [String: [String: String]] = [:]
        for name in ["salonops-reconcile.service", "salonops-run.service"] {
            let unit = try UnitFile(Self.read("systemd/\(name)"))
            for credential in unit.values("Service", "LoadCredential") {
                let id = String(credential.prefix { $0 != ":" })
                try #require(id == "age-key", "\(name): a credential this test cannot provide: \(credential)")
                try? FileManager.default.copyItem(at: Self.demoKey, to: credentials.appendingPathComponent(id))
            }
            var environment = environmentFile.merging(values) { $1 }
            for assignment in unit.values("Service", "Environment") {
                for word in UnitFile.words(assignment) {
                    let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { environment[parts[0]] = parts[1] }
                }
            }
            environment["STATE_DIRECTORY"] = state.path
            environment["CACHE_DIRECTORY"] = cache.path
            environment["CREDENTIALS_DIRECTORY"] = credentials.path
            let argv = try #require(unit.execStart).map { Self.expand($0, open: "${", close: "}", environment) }
            systemd[name] = [Paths.salonops] + argv.dropFirst()
            systemdEnvironment[name] = base.merging(environment) { $1 }
        }

        // Kubernetes: the container's env and mounts, each volume a folder of this machine.
        let configMap = try #require(try await Self.yaml("kubernetes/configmap.yaml").first as? [String: Any])
        let configured = Set((configMap["data"] as? [String: String] ?? [:]).keys)
        #expect(configured == Set(values.keys), "the ConfigMap has \(configured.sorted())")
        func pod(_ file: String, _ kind: String) async throws -> ([String], [String: String]) {
            let spec = try await Self.podSpec(file, kind: kind)
            return try Self.runnable(pod: spec, values: values, state: state, scratch: host.url.appendingPathComponent(kind))
        }
        let (cronArgs, cronEnvironment) = try await pod("kubernetes/cronjob.yaml", "CronJob")
        let (daemonArgs, daemonEnvironment) = try await pod("kubernetes/deployment.yaml", "Deployment")

        let sandbox = ["--sandbox", setup.sandbox.baseURL]
        for (what, argv, environment) in [
            ("salonops-reconcile.service", try #require(systemd["salonops-reconcile.service"]), try #require(systemdEnvironment["salonops-reconcile.service"])),
            ("the CronJob", [Paths.salonops] + cronArgs, base.merging(cronEnvironment) { $1 }),
        ] {
            let result = try await CommandRunner.run(argv[0], Array(argv.dropFirst()) + sandbox, environment: environment, timeout: 300)
            #expect(result.status == 0, "\(what): exit \(result.status)\n\(result.stdout.suffix(2000))\(result.stderr.suffix(2000))")
            #expect(!result.stdout.contains("AGE-SECRET-KEY-") && !result.stderr.contains("AGE-SECRET-KEY-"))
        }
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: cache.path)).isEmpty, "nothing in the systemd cache directory")
        try await Self.expectDaemonServes(
            "salonops-run.service", try #require(systemd["salonops-run.service"]) + sandbox, try #require(systemdEnvironment["salonops-run.service"]))
        try await Self.expectDaemonServes("the Deployment", [Paths.salonops] + daemonArgs + sandbox, base.merging(daemonEnvironment) { $1 })
    }

    // MARK: - The CI script, run for real

    /// salonops-ci against a repository of examples/ and the sandbox, with the key as CI hands
    /// it over (SOPS_AGE_KEY): validate 0 (credentials decrypted), plan 2 with the Markdown plan
    /// in its file and in $GITHUB_STEP_SUMMARY, apply 0, plan 0. Then `comment`, with a curl that
    /// records what it was given, for GitHub and GitLab: the right URL, the plan as the body,
    /// the token in a header file that is gone afterwards and never an argument or output.
    @Test func theCIScriptValidatesPlansAppliesAndPostsThePlan() async throws {
        let setup = try await ReconcileCommandTests.Setup.make()
        defer { Task { await setup.cleanUp() } }
        let folder = try TempFolder("deploy-ci")
        let calls = folder.url.appendingPathComponent("calls")
        try FileManager.default.createDirectory(at: calls, withIntermediateDirectories: true)
        // A salonops that records its arguments, then is the real one.
        let recorder = folder.url.appendingPathComponent("salonops")
        try """
        #!/bin/sh
        printf '%s\\n' "$@" > "\(calls.path)/$(date +%s%N)-$$"
        exec "\(Paths.salonops)" "$@"

        """.write(to: recorder, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: recorder.path)
        let markdown = folder.url.appendingPathComponent("salonops-plan.md"), summary = folder.url.appendingPathComponent("step-summary.md")
        try Data().write(to: summary)
        let key = try String(contentsOf: Self.demoKey, encoding: .utf8)
        let secretLine = try #require(key.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-") }).description
        var environment = [
            "SALONOPS_BIN": recorder.path, "SALONOPS_REPO": setup.repo.path, "SALONOPS_REF": "main", "SALONOPS_PATH": "examples/salon-chain",
            "SALONOPS_STATE_DIR": folder.url.appendingPathComponent("state").path, "SALONOPS_CACHE_DIR": folder.url.appendingPathComponent("cache").path,
            "SALONOPS_PLAN_MARKDOWN": markdown.path, "GITHUB_STEP_SUMMARY": summary.path, "SOPS_AGE_KEY": key, "SOPS_AGE_KEY_FILE": "",
            "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "NO_COLOR": "1", "GITHUB_ACTIONS": "", "GITLAB_CI": "",
        ]
        var outputs: [String] = []
        func ci(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> CommandResult {
            let result = try await CommandRunner.run(
                "/bin/sh", [Self.ciScript.path] + arguments, in: folder.url, environment: environment.merging(extra) { $1 }, timeout: 300)
            outputs += [result.stdout, result.stderr]
            return result
        }
        let engine = ["--sandbox", setup.sandbox.baseURL]
        let validate = try await ci(["validate"])
        #expect(validate.status == 0, "\(validate.stdout.suffix(2000))\(validate.stderr)")
        #expect(validate.stdout.contains("valid: 0 errors"), "\(validate.stdout.suffix(1000))")
        let plan = try await ci(["plan"] + engine)
        #expect(plan.status == 2, "\(plan.stdout.suffix(2000))\(plan.stderr)")
        let planned = try String(contentsOf: markdown, encoding: .utf8)
        #expect(planned.hasPrefix("### SalonOps plan for `") && planned.contains("```diff"), "\(planned.prefix(500))")
        #expect(plan.stdout.contains(planned))
        #expect(try String(contentsOf: summary, encoding: .utf8).contains(planned), "salonops did not append the plan to $GITHUB_STEP_SUMMARY")
        let firstPlan = folder.url.appendingPathComponent("first-plan.md")
        try FileManager.default.copyItem(at: markdown, to: firstPlan)
        let apply = try await ci(["apply"] + engine)
        #expect(apply.status == 0, "\(apply.stdout.suffix(2000))\(apply.stderr)")
        let again = try await ci(["plan"] + engine)
        #expect(again.status == 0, "\(again.stdout.suffix(2000))\(again.stderr)")
        #expect(try String(contentsOf: markdown, encoding: .utf8).contains("Rien à changer"))

        // What the script ran: the real binary's spec accepts each command line.
        let spec = try await Self.cliSpec()
        let recorded = try FileManager.default.contentsOfDirectory(atPath: calls.path).sorted().map {
            ["salonops"] + (try String(contentsOf: calls.appendingPathComponent($0), encoding: .utf8)).split(separator: "\n").map(String.init)
        }
        try #require(recorded.map { $0.dropFirst().first ?? "" } == ["validate", "plan", "apply", "plan"], "\(recorded)")
        #expect(recorded[0].contains("--credentials") && recorded[1].contains("markdown") && recorded[2].contains("--auto-approve"))
        for argv in recorded { #expect(spec.problems(argv).isEmpty, "\(spec.problems(argv)) in \(argv)") }

        // comment: a curl that records its arguments and the files it was pointed at.
        let stubs = folder.url.appendingPathComponent("bin"), seen = folder.url.appendingPathComponent("curl-seen")
        try FileManager.default.createDirectory(at: stubs, withIntermediateDirectories: true)
        try """
        #!/bin/sh
        printf '%s\\n' "$@" > "$CURL_SEEN/argv"
        prev=
        for a do
            case $prev in
                -H) case $a in @*) cat "${a#@}" >> "$CURL_SEEN/headers" ;; esac ;;
                --data-binary) case $a in @*) cat "${a#@}" > "$CURL_SEEN/body" ;; esac ;;
                --data-urlencode) case $a in body@*) cat "${a#body@}" > "$CURL_SEEN/body" ;; esac ;;
            esac
            prev=$a
        done

        """.write(to: stubs.appendingPathComponent("curl"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stubs.appendingPathComponent("curl").path)
        environment["PATH"] = stubs.path + ":/usr/bin:/bin"
        environment["CURL_SEEN"] = seen.path
        environment["SALONOPS_PLAN_MARKDOWN"] = firstPlan.path
        let token = "test-token-\(UUID().uuidString)"
        func posted(_ host: [String: String]) async throws -> (argv: [String], headers: String, body: String) {
            try? FileManager.default.removeItem(at: seen)
            try FileManager.default.createDirectory(at: seen, withIntermediateDirectories: true)
            let result = try await ci(["comment"], host)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let argv = (try? String(contentsOf: seen.appendingPathComponent("argv"), encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            #expect(!argv.joined(separator: " ").contains(token), "the token is an argument of curl")
            if let index = argv.firstIndex(of: "-H"), index + 1 < argv.count {
                #expect(!FileManager.default.fileExists(atPath: String(argv[index + 1].dropFirst())), "the header file outlived the script")
            }
            return (
                argv, (try? String(contentsOf: seen.appendingPathComponent("headers"), encoding: .utf8)) ?? "",
                (try? String(contentsOf: seen.appendingPathComponent("body"), encoding: .utf8)) ?? ""
            )
        }
        let plannedFirst = try String(contentsOf: firstPlan, encoding: .utf8)
        let github = try await posted([
            "GITHUB_ACTIONS": "true", "GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "belle-epoque/salon-config", "SALONOPS_PR_NUMBER": "7",
            "GITHUB_API_URL": "https://api.github.invalid",
        ])
        #expect(github.argv.last == "https://api.github.invalid/repos/belle-epoque/salon-config/issues/7/comments", "\(github.argv)")
        #expect(github.headers.contains("Authorization: Bearer \(token)\n"))
        let object = try JSONSerialization.jsonObject(with: Data(github.body.utf8)) as? [String: Any]
        // The whole plan, or its first lines under GitHub's limit and a note (the example
        // chain's first plan is past it).
        var kept = "", cut = false
        for line in plannedFirst.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard kept.utf8.count + line.utf8.count + 1 <= 60_000 else {
                cut = true
                break
            }
            kept += line + "\n"
        }
        let expected = kept + (cut ? "\n_(plan cut at 60000 bytes: the whole plan is in the job log)_\n" : "")
        #expect(object?["body"] as? String == expected, "the comment's body is not the plan (\(plannedFirst.utf8.count) bytes): \(github.body.prefix(300))")
        let gitlab = try await posted([
            "GITLAB_CI": "true", "SALONOPS_GITLAB_TOKEN": token, "CI_API_V4_URL": "https://gitlab.invalid/api/v4", "CI_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_IID": "5",
        ])
        #expect(gitlab.argv.last == "https://gitlab.invalid/api/v4/projects/42/merge_requests/5/notes", "\(gitlab.argv)")
        #expect(gitlab.headers == "PRIVATE-TOKEN: \(token)\n" && gitlab.body == plannedFirst)
        // A plan past GitHub's comment size is cut at a line, and says so.
        let longPlan = folder.url.appendingPathComponent("long-plan.md")
        try String(repeating: String(repeating: "é", count: 49) + "\n", count: 1000).write(to: longPlan, atomically: true, encoding: .utf8)
        let long = try await posted([
            "GITHUB_ACTIONS": "true", "GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "o/r", "SALONOPS_PR_NUMBER": "1", "SALONOPS_PLAN_MARKDOWN": longPlan.path,
        ])
        let cutBody = try #require((try JSONSerialization.jsonObject(with: Data(long.body.utf8)) as? [String: Any])?["body"] as? String)
        #expect(cutBody.utf8.count < 60_200 && cutBody.contains("_(plan cut at 60000 bytes") && cutBody.hasPrefix(String(repeating: "é", count: 49) + "\n"))

        // Usage errors, and the script as shellcheck reads it.
        #expect(try await ci([]).status == 64)
        #expect(try await ci(["destroy"]).status == 64)
        #expect(try await ci(["comment", "extra"], ["GITHUB_ACTIONS": "true"]).status == 1)
        let shellcheck = "/usr/bin/shellcheck"
        try #require(FileManager.default.isExecutableFile(atPath: shellcheck), "shellcheck is missing: `make test-deps` installs Debian's shellcheck")
        let lint = try await CommandRunner.run(shellcheck, ["-s", "sh", Self.ciScript.path], timeout: 60)
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")

        // Never the key, never the token.
        for output in outputs {
            #expect(!output.contains(secretLine) && !output.contains(token))
        }
    }

    @Test func noRecipeHoldsAKey() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.deploy.path)
        #expect(files.count >= 12)
        for file in files {
            guard let text = try? String(contentsOf: Self.deploy.appendingPathComponent(file), encoding: .utf8) else { continue }
            #expect(!text.contains("AGE-SECRET-KEY-") && !text.contains("BEGIN OPENSSH PRIVATE KEY") && !text.contains("BEGIN PRIVATE KEY"), "\(file)")
        }
    }

    // MARK: - Helpers: running a recipe here

    /// A daemon as a recipe starts it, `--listen` moved to a free loopback port.
    static func expectDaemonServes(_ what: String, _ recipe: [String], _ environment: [String: String]) async throws {
        var argv = recipe
        let listen = try #require(argv.firstIndex(of: "--listen"), "\(what) does not say --listen")
        argv[listen + 1] = "127.0.0.1:0"
        let process = try RunningProcess(argv[0], Array(argv.dropFirst()), environment: environment)
        defer { process.kill() }
        var base: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while base == nil && ContinuousClock.now < deadline && !process.hasExited {
            base = process.stderr.split(separator: "\n").first { $0.hasPrefix("listening on ") }.map { String($0.dropFirst("listening on ".count)) }
            if base == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let url = try #require(base, "\(what) never listened: \(process.stderr.suffix(3000))")
        // As the probes ask: ready once the commit is served, alive all along.
        var ready = false
        let readyBy = ContinuousClock.now + .seconds(180)
        while !ready && ContinuousClock.now < readyBy && !process.hasExited {
            ready = (try? await DaemonCommandTests.request(.GET, url + "/readyz").0) == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready, "\(what): /readyz never answered 200: \(process.stderr.suffix(3000))")
        #expect(try await DaemonCommandTests.request(.GET, url + "/healthz").0 == 200, "\(what)")
        let status = try await DaemonCommandTests.waitForStatus(url, seconds: 240) {
            guard let outcome = DaemonCommandTests.lastRun($0)["outcome"] as? String else { return false }
            return outcome != "running"
        }
        let outcome = DaemonCommandTests.lastRun(status)["outcome"] as? String ?? ""
        #expect(["ok", "up-to-date"].contains(outcome), "\(what): \(status)")
        let (code, answer) = try await DaemonCommandTests.request(.POST, url + "/hooks/git", headers: [("X-GitHub-Event", "push")], body: Array("{}".utf8))
        #expect(code == 401, "\(what): an unsigned webhook got \(code) \(answer)")
        process.signal(SIGTERM)
        #expect(try await process.exitStatus(within: 120) == 0, "\(what): \(process.stderr.suffix(3000))")
        #expect(!process.stdout.contains("AGE-SECRET-KEY-") && !process.stderr.contains("AGE-SECRET-KEY-"), "\(what)")
    }

    /// The webhooks' shared secret the daemon recipes name, encrypted by the repository's rules.
    static func commitWebhookSecret(in repo: URL) async throws {
        let config = repo.appendingPathComponent("examples/salon-chain")
        try "secret: deploy-test-hook-\(UUID().uuidString)\n".write(
            to: config.appendingPathComponent("secrets/git-webhook.sops.yaml"), atomically: true, encoding: .utf8)
        let encrypted = try await CommandRunner.run(
            Paths.salonops, ["secrets", "encrypt", "secrets/git-webhook.sops.yaml"], in: config,
            environment: ["SOPS_AGE_KEY_FILE": demoKey.path, "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"])
        try #require(encrypted.status == 0, "\(encrypted.stderr)")
        try await CommandRunner.git(["add", "-A"], in: repo)
        try await CommandRunner.git(["commit", "-q", "-m", "webhook secret"], in: repo)
    }

    /// A pod's first container as it would run here: its env (ConfigMap keys from `values`, the
    /// age-key Secret's file the demo key), each volume a folder (the claim: `state`), `$(VAR)`
    /// expanded and every mount path mapped to its folder. Returns (arguments, environment).
    static func runnable(pod: [String: Any], values: [String: String], state: URL, scratch: URL) throws -> ([String], [String: String]) {
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        var folders: [String: URL] = [:]
        for volume in pod["volumes"] as? [[String: Any]] ?? [] {
            let name = try #require(volume["name"] as? String)
            if volume["persistentVolumeClaim"] != nil {
                folders[name] = state
            } else {
                let folder = scratch.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                if let secret = volume["secret"] as? [String: Any] {
                    try #require(secret["secretName"] as? String == "salonops-age-key", "a Secret this test cannot provide: \(secret)")
                    for item in secret["items"] as? [[String: Any]] ?? [] {
                        try FileManager.default.copyItem(at: demoKey, to: folder.appendingPathComponent(try #require(item["path"] as? String)))
                    }
                }
                folders[name] = folder
            }
        }
        let mounts: [(String, URL)] = try (container["volumeMounts"] as? [[String: Any]] ?? []).map {
            (try #require($0["mountPath"] as? String), try #require(folders[$0["name"] as? String ?? ""]))
        }
        func mapped(_ text: String) -> String {
            for (path, folder) in mounts where text == path || text.hasPrefix(path + "/") { return folder.path + text.dropFirst(path.count) }
            return text
        }
        var environment: [String: String] = [:]
        for variable in container["env"] as? [[String: Any]] ?? [] {
            let name = try #require(variable["name"] as? String)
            if let value = variable["value"] as? String {
                environment[name] = mapped(value)
            } else if let key = dig(variable, "valueFrom", "configMapKeyRef", "key") as? String {
                let value: String = try #require(values[key], "\(name): the ConfigMap key \(key) has no test value")
                environment[name] = value
            } else {
                try #require(dig(variable, "valueFrom", "secretKeyRef", "optional") as? Bool == true, "\(name): a required Secret this test cannot provide")
            }
        }
        let arguments = (container["args"] as? [String] ?? []).map { mapped(expand($0, open: "$(", close: ")", environment)) }
        return (arguments, environment)
    }

    // MARK: - Helpers: reading the recipes

    /// YAML documents as JSON values, read by Debian's python3 with PyYAML (a parser that is not
    /// the one salonops uses).
    static func yaml(_ relative: String) async throws -> [Any] {
        let script = "import json, sys, yaml\nwith open(sys.argv[1], encoding='utf-8') as f:\n    json.dump(list(yaml.safe_load_all(f)), sys.stdout, default=str)\n"
        try #require(FileManager.default.isExecutableFile(atPath: python), "\(python) is missing")
        let result = try await CommandRunner.run(python, ["-c", script, deploy.appendingPathComponent(relative).path], timeout: 60)
        try #require(result.status == 0, "PyYAML (Debian's python3-yaml, `make test-deps`) could not read \(relative): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any])
    }

    static func podSpec(_ file: String, kind: String) async throws -> [String: Any] {
        let documents = try await yaml(file).compactMap { $0 as? [String: Any] }
        let document = try #require(documents.first { $0["kind"] as? String == kind }, "\(file): no \(kind)")
        let path = kind == "CronJob" ? ["spec", "jobTemplate", "spec", "template", "spec"] : ["spec", "template", "spec"]
        return try #require(path.reduce(document as Any?) { ($0 as? [String: Any])?[$1] } as? [String: Any], "\(file): no pod spec")
    }

    static func podLabels(_ deployment: [String: Any]) -> [String: String]? {
        dig(deployment, "spec", "template", "metadata", "labels") as? [String: String]
    }

    static func dig(_ root: Any?, _ path: String...) -> Any? {
        path.reduce(root) { ($0 as? [String: Any])?[$1] }
    }

    /// The value after `flag` in an argument list (`--flag value` or `--flag=value`).
    static func option(_ flag: String, _ argv: [String]) -> String? {
        if let index = argv.firstIndex(of: flag), index + 1 < argv.count { return argv[index + 1] }
        return argv.first { $0.hasPrefix(flag + "=") }.map { String($0.dropFirst(flag.count + 1)) }
    }

    /// The names between `open` and `close` in `text` (`${NAME}`, `$(NAME)`).
    static func variables(in text: String, open: String, close: String) -> Set<String> {
        var names: Set<String> = []
        var rest = text[...]
        while let start = rest.range(of: open), let end = rest[start.upperBound...].range(of: close) {
            names.insert(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return names
    }

    static func expand(_ text: String, open: String, close: String, _ environment: [String: String]) -> String {
        var text = text
        for name in variables(in: text, open: open, close: close) {
            if let value = environment[name] { text = text.replacingOccurrences(of: open + name + close, with: value) }
        }
        return text
    }

    /// `KEY=VALUE` lines of an environment file (comments and blank lines skipped).
    static func environmentFile(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1] }
        }
        return values
    }

    /// A systemd time span in seconds, as systemd itself reads it.
    static func timespanSeconds(_ span: String) async throws -> Int {
        let result = try await CommandRunner.run(systemdAnalyze, ["timespan", span], timeout: 60)
        let micros = try #require(result.stdout.firstMatch(of: /μs: (\d+)/), "systemd-analyze timespan \(span): \(result.stdout)\(result.stderr)")
        return Int(micros.1)! / 1_000_000
    }

    /// The subcommands salonops-ci's usage lists.
    static func ciSubcommands() async throws -> [String] {
        let help = try await CommandRunner.run("/bin/sh", [ciScript.path, "--help"], timeout: 30)
        #expect(help.status == 0, "\(help.stderr)")
        return help.stdout.matches(of: /(?m)^  salonops-ci ([a-z]+)/).map { String($0.1) }
    }

    static func allSources() throws -> String {
        let root = Paths.packageRoot.appendingPathComponent("Sources")
        return try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
    }

    /// The binary's own argument spec (ArgumentParser's `--experimental-dump-help`).
    static func cliSpec() async throws -> CLISpec {
        let dump = try await CommandRunner.run(Paths.salonops, ["--experimental-dump-help"], timeout: 60)
        try #require(dump.status == 0, "\(dump.stderr)")
        return try CLISpec(dump: Data(dump.stdout.utf8))
    }

    static func containerfile() throws -> Containerfile {
        try Containerfile(try read("container/Containerfile"))
    }
}

/// A systemd unit file: sections of `Key=Value` entries, continuation lines joined.
struct UnitFile {
    var entries: [(section: String, key: String, value: String)] = []

    init(_ text: String) {
        var section = "", pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = pending + raw.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = line + " "
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if let equals = line.firstIndex(of: "=") {
                entries.append((section, line[..<equals].trimmingCharacters(in: .whitespaces), line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)))
            }
        }
    }

    func values(_ section: String, _ key: String) -> [String] { entries.filter { $0.section == section && $0.key == key }.map(\.value) }
    func value(_ section: String, _ key: String) -> String? { values(section, key).last }

    /// ExecStart's words, its prefixes (`-`, `@`, `+`, …) dropped.
    var execStart: [String]? {
        value("Service", "ExecStart").map { Self.words(String($0.drop { "-@:+!".contains($0) })) }
    }

    /// Words as systemd splits a command line: blanks between, quotes group, backslash escapes.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, escaped = false, inWord = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

/// The instructions of a Containerfile, by stage.
struct Containerfile {
    struct Stage {
        var from: String
        var instructions: [String] = []
        var runs: [String] { instructions.filter { $0.hasPrefix("RUN ") } }
        /// What `apt-get install` installs in this stage.
        var packages: [String] {
            runs.flatMap { run -> [String] in
                run.components(separatedBy: "&&").compactMap { command -> [String]? in
                    let words = command.split(separator: " ").map(String.init)
                    guard let install = words.firstIndex(of: "install"), words[..<install].contains("apt-get") else { return nil }
                    return words[(install + 1)...].filter { !$0.hasPrefix("-") }
                }.flatMap { $0 }
            }
        }
    }

    var stages: [Stage] = []

    init(_ text: String) throws {
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast().trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            let instruction = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            guard !instruction.isEmpty else { continue }
            if instruction.hasPrefix("FROM ") {
                stages.append(Stage(from: String(instruction.dropFirst(5))))
            } else {
                try #require(!stages.isEmpty, "an instruction before FROM: \(instruction)")
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
    }

    private func json(_ instruction: String) -> [String] {
        let last = stages.last?.instructions.last { $0.hasPrefix(instruction + " ") } ?? ""
        let value = Data(last.dropFirst(instruction.count + 1).utf8)
        return (try? JSONSerialization.jsonObject(with: value)) as? [String] ?? []
    }

    var entrypoint: [String] { json("ENTRYPOINT") }
    var command: [String] { json("CMD") }

    /// The runtime image's user and group (numeric) and exposed port.
    var image: (uid: Int, gid: Int, exposed: Int?) {
        let user = stages.last?.instructions.last { $0.hasPrefix("USER ") }?.dropFirst(5).split(separator: ":").compactMap { Int($0) } ?? []
        let exposed = stages.last?.instructions.last { $0.hasPrefix("EXPOSE ") }.flatMap { Int($0.dropFirst(7)) }
        return (user.first ?? 0, user.dropFirst().first ?? user.first ?? 0, exposed)
    }
}

/// The argument spec a salonops binary reports (`--experimental-dump-help`), and a check of a
/// command line against it, as ArgumentParser parses: known options for the subcommand, a value
/// for each option and none for a flag, allowed values, no repeat of what does not repeat,
/// positionals no more than declared, required options present.
struct CLISpec {
    struct Argument {
        let takesValue: Bool
        let repeating: Bool
        let required: Bool
        let values: [String]?
    }

    struct Command {
        var options: [String: Argument] = [:]
        var positionals = 0
        var subcommands: [String: Command] = [:]
    }

    let root: Command

    init(dump: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: dump) as? [String: Any])
        root = Self.command(try #require(object["command"] as? [String: Any]))
    }

    static func command(_ object: [String: Any]) -> Command {
        var command = Command()
        for argument in object["arguments"] as? [[String: Any]] ?? [] {
            let kind = argument["kind"] as? String
            if kind == "positional" {
                command.positionals += (argument["isRepeating"] as? Bool == true) ? 1000 : 1
                continue
            }
            let spec = Argument(
                takesValue: kind == "option", repeating: argument["isRepeating"] as? Bool == true,
                required: argument["isOptional"] as? Bool == false, values: argument["allValues"] as? [String])
            for name in argument["names"] as? [[String: Any]] ?? [] {
                guard let text = name["name"] as? String else { continue }
                command.options[(name["kind"] as? String == "short" ? "-" : "--") + text] = spec
            }
        }
        for sub in object["subcommands"] as? [[String: Any]] ?? [] {
            if let name = sub["commandName"] as? String { command.subcommands[name] = Self.command(sub) }
        }
        return command
    }

    func problems(_ argv: [String]) -> [String] {
        guard let program = argv.first, (program as NSString).lastPathComponent == "salonops" else { return ["not salonops: \(argv)"] }
        var command = root, path = ["salonops"], index = 1
        while index < argv.count, let sub = command.subcommands[argv[index]] {
            command = sub
            path.append(argv[index])
            index += 1
        }
        let name = path.joined(separator: " ")
        var problems: [String] = [], seen: Set<String> = [], positionals = 0
        while index < argv.count {
            let token = argv[index]
            index += 1
            if token == "--" {
                positionals += argv.count - index
                break
            }
            guard token.hasPrefix("-") && token.count > 1 else {
                positionals += 1
                continue
            }
            var option = token, inline: String?
            if let equals = token.firstIndex(of: "="), token.hasPrefix("--") {
                option = String(token[..<equals])
                inline = String(token[token.index(after: equals)...])
            }
            guard let argument = command.options[option] else {
                problems.append("\(name): unknown option \(option)")
                continue
            }
            if !argument.repeating && !seen.insert(option).inserted { problems.append("\(name): \(option) given twice") }
            guard argument.takesValue else {
                if inline != nil { problems.append("\(name): \(option) takes no value") }
                continue
            }
            var value = inline
            if value == nil, index < argv.count, !argv[index].hasPrefix("-") {
                value = argv[index]
                index += 1
            }
            guard let value else {
                problems.append("\(name): \(option) needs a value")
                continue
            }
            if let values = argument.values, !values.contains(value) { problems.append("\(name): \(option) \(value) is not one of \(values)") }
        }
        if positionals > command.positionals { problems.append("\(name): \(positionals) positional argument(s), at most \(command.positionals)") }
        for (option, argument) in command.options where option.hasPrefix("--") && argument.required && !seen.contains(option) {
            problems.append("\(name): \(option) is required")
        }
        return problems
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsProviderTesting
import Testing
import SalonOpsEngine
import SalonOpsSandbox
import SalonOpsTestSupport

/// A Stripe peer a test reconciles against: localstripe (PyPI, a stateful fake nobody here
/// wrote) or the sandbox's Stripe emulator. Both on loopback, on ports the test picks.
enum StripePeerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case localstripe, sandbox
    var testDescription: String { rawValue }

    /// localstripe has no prices and no webhook endpoints.
    var kinds: Set<String>? {
        self == .localstripe ? ["product", "coupon", "tax_rate", "plan"] : nil
    }
}

/// One localstripe process for the whole test run (it shares a state file between instances),
/// cleared before each test with `DELETE /_config/data`.
final class LocalstripeProcess: @unchecked Sendable {
    // @unchecked: the process handle is set once, before any test uses it.
    let port: Int
    let process: RunningProcess

    static let shared: Result<LocalstripeProcess, Error> = Result { try LocalstripeProcess() }

    static var executable: String {
        let venv = Paths.packageRoot.appendingPathComponent(".venv/bin/localstripe").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/localstripe") {
            return "\(directory)/localstripe"
        }
        return venv
    }

    private init() throws {
        port = try freePort()
        process = try RunningProcess(Self.executable, ["--port", String(port), "--from-scratch"])
        atexit { LocalstripeProcess.stopShared() }
        // Ready when it answers (bounded: 150 × 100 ms).
        for _ in 0..<150 {
            if canConnect(port) { return }
            guard !process.hasExited else { throw PeerError("localstripe exited at start (is it installed in .venv? `make test-deps`)") }
            usleep(100_000)
        }
        process.kill()
        throw PeerError("localstripe did not answer on port \(port) within 15 s")
    }

    static func stopShared() {
        if case .success(let peer) = shared { peer.process.kill() }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A port the kernel says is free now (bound, read, closed).
func freePort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw PeerError("socket() failed") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw PeerError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A running peer for one test, and raw access to it (to make drift behind the tool's back).
struct StripePeer: Sendable {
    let kind: StripePeerKind
    let baseURL: String
    let sandbox: SandboxServer?
    let client: HTTPClient

    /// The one localstripe process holds one account: one test at a time uses it, whichever
    /// suite it is in (suites run in parallel).
    static let localstripeTurn = AsyncSemaphore(1)

    static func start(_ kind: StripePeerKind, faults: FaultPlan = .none, seed: UInt64 = 7) async throws -> StripePeer {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        switch kind {
        case .localstripe:
            await localstripeTurn.acquire()
            let process: LocalstripeProcess
            do { process = try LocalstripeProcess.shared.get() } catch {
                await localstripeTurn.release()
                throw error
            }
            var reset = HTTPClientRequest(url: process.baseURL + "/_config/data")
            reset.method = .DELETE
            do { _ = try await client.execute(reset, timeout: .seconds(10)) } catch {
                try? await client.shutdown()
                await localstripeTurn.release()
                throw error
            }
            return StripePeer(kind: kind, baseURL: process.baseURL, sandbox: nil, client: client)
        case .sandbox:
            var configuration = SandboxConfiguration()
            configuration.faults = faults
            configuration.seed = seed
            configuration.retryAfterSeconds = 0
            let server = try await SandboxServer.start(configuration)
            return StripePeer(kind: kind, baseURL: server.baseURL + "/stripe/api", sandbox: server, client: client)
        }
    }

    func stop() async {
        await sandbox?.stop()
        try? await client.shutdown()
        if kind == .localstripe { await Self.localstripeTurn.release() }
    }

    /// A raw Stripe call, as someone in the dashboard would make it; retried (bounded) through
    /// the faults a sandbox may be injecting.
    func call(_ method: HTTPMethod, _ path: String, form: String = "") async throws -> [String: Any] {
        var lastError: Error = PeerError("no attempt")
        for _ in 0..<30 {
            do { return try await callOnce(method, path, form: form) } catch let error as TransientPeerError {
                lastError = error
            } catch  where !(error is PeerError) {
                lastError = error  // a connection reset by the fault injector
            }
        }
        throw lastError
    }

    struct TransientPeerError: Error {}

    private func callOnce(_ method: HTTPMethod, _ path: String, form: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(EngineFixtures.apiKey)")
        if method != .GET {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        if response.status.code == 429 || response.status.code == 503 { throw TransientPeerError() }
        guard (200..<300).contains(Int(response.status.code)) else { throw PeerError("\(method) \(path): \(response.status.code) \(object)") }
        return object
    }

    /// The sandbox's request counters (`/_sandbox/stats`).
    func sandboxStats() async throws -> [String: Any] {
        guard let sandbox else { return [:] }
        let response = try await client.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/stats"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }

    /// Every object of a list (all pages).
    func list(_ path: String) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var after = ""
        for _ in 0..<100 {
            let page = try await call(.GET, "\(path)?limit=100\(after)")
            let data = page["data"] as? [[String: Any]] ?? []
            all += data
            guard page["has_more"] as? Bool == true, let last = data.last?["id"] as? String else { break }
            after = "&starting_after=\(last)"
        }
        return all
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:port.
func canConnect(_ port: Int) -> Bool {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { return false }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

import SalonOpsEmulatorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, which the `reset` fault
/// closes without answering.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// Shared state of one server: providers, fault stream, counters.
final class SandboxCore: Sendable {
    let configuration: SandboxConfiguration
    let providers: [String: any ProviderEmulator]
    private struct Mutable {
        var faults: FaultInjector
        var stats = RequestStats()
    }
    private let mutable: Locked<Mutable>

    init(configuration: SandboxConfiguration, providers: [any ProviderEmulator]) {
        self.configuration = configuration
        self.providers = Dictionary(uniqueKeysWithValues: providers.map { ($0.id, $0) })
        self.mutable = Locked(Mutable(faults: FaultInjector(plan: configuration.faults, seed: configuration.seed)))
    }

    /// Draws this request's fault and records it in the counters, in one step so that the
    /// order of draws is the order of arrival.
    func admit(provider: String, method: String, path: String, write: Bool) -> (fault: InjectedFault?, delay: Duration, churn: UInt64?, slowBody: Bool) {
        mutable.withLock { state in
            let decision = state.faults.draw()
            state.stats.record(provider: provider, method: method, path: path, faulted: decision.fault != nil, write: write)
            return (decision.fault, decision.delay, method == "GET" ? state.faults.drawChurn() : nil, state.faults.drawSlowBody())
        }
    }

    var statsJSON: JSONValue { mutable.withLock { $0.stats.json } }

    /// Clears all providers' state and counters and restarts every seeded stream.
    func reset() {
        mutable.withLock { state in
            state = Mutable(faults: FaultInjector(plan: configuration.faults, seed: configuration.seed))
            for provider in providers.values { provider.reset() }
        }
    }
}

struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext
    let core: SandboxCore
    static let maximumBody = 4 << 20

    func respond(to request: Request, context: SandboxRequestContext) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        if path == "/_sandbox" || path.hasPrefix("/_sandbox/") {
            return Self.response(control(method: method, path: path))
        }
        let trimmed = path.drop { $0 == "/" }
        let providerName = String(trimmed.prefix { $0 != "/" })
        guard let provider = core.providers[providerName] else {
            return Self.response(
                .json(
                    404,
                    .object([
                        (
                            "error",
                            .object([
                                ("message", .string("No sandbox provider serves \(path). Providers: \(core.providers.keys.sorted().map { "/" + $0 }.joined(separator: ", "))")),
                                ("type", .string("invalid_request_error")),
                            ])
                        )
                    ])))
        }
        var providerPath = String(trimmed.dropFirst(providerName.count))
        if providerPath.isEmpty { providerPath = "/" }

        let (fault, delay, churn, slowBody) = core.admit(
            provider: providerName, method: method,
            path: provider.statsPath(method: method, path: providerPath),
            write: provider.isWrite(method: method, path: providerPath))
        if delay > .zero { try? await Task.sleep(for: delay) }
        if let fault, fault != .connectionReset {
            return Self.response(provider.faultResponse(fault, retryAfterSeconds: core.configuration.retryAfterSeconds, path: providerPath), slowBody: slowBody)
        }

        var request = request
        let body: String
        do {
            let buffer = try await request.collectBody(upTo: Self.maximumBody)
            body = String(buffer: buffer)
        } catch {
            return Self.response(
                .json(
                    413,
                    .object([
                        (
                            "error",
                            .object([
                                ("message", .string("The request body is larger than the sandbox accepts (\(Self.maximumBody) bytes).")),
                                ("type", .string("invalid_request_error")),
                            ])
                        )
                    ])))
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let providerRequest = EmulatorRequest(
            method: method, path: providerPath, query: request.uri.query ?? "",
            headers: headers, body: body)
        if let churn, fault == nil { await provider.churn(churn, like: providerRequest) }
        let answer = await provider.respond(to: providerRequest)
        if fault == .connectionReset {
            // The handler ran (its state change stands); the client gets no answer at all.
            try? await context.channel.close()
        }
        return Self.response(answer, slowBody: slowBody)
    }

    private func control(method: String, path: String) -> EmulatorResponse {
        switch (method, path) {
        case ("GET", "/_sandbox/health"):
            return .json(
                200,
                .object([
                    ("status", .string("ok")), ("providers", .array(core.providers.keys.sorted().map { .string($0) })),
                    ("faults", .string(core.configuration.faults.description)),
                    ("seed", .string(String(core.configuration.seed))),
                ]))
        case ("POST", "/_sandbox/reset"):
            core.reset()
            return .json(200, .object([("reset", .bool(true))]))
        case ("GET", "/_sandbox/stats"):
            return .json(200, core.statsJSON)
        default:
            return .json(
                404,
                .object([
                    (
                        "error",
                        .object([
                            ("message", .string("Unknown sandbox control endpoint \(method) \(path): GET /_sandbox/health, POST /_sandbox/reset, GET /_sandbox/stats.")),
                            ("type", .string("invalid_request_error")),
                        ])
                    )
                ]))
        }
    }

    /// `slowBody`: the body in four pieces, a pause between them (the `slow` fault).
    static func response(_ answer: EmulatorResponse, slowBody: Bool = false) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let bytes = Array(answer.body.utf8)
        guard slowBody, bytes.count >= 4 else {
            return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let size = (bytes.count + 3) / 4
        let pieces = stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<min($0 + size, bytes.count)]) }
        let body = ResponseBody(contentLength: bytes.count) { writer in
            for (index, piece) in pieces.enumerated() {
                if index > 0 { try await Task.sleep(for: FaultPlan.slowPause) }
                try await writer.write(piece)
            }
            try await writer.finish(nil)
        }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: body)
    }
}

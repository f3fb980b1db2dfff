import SalonOpsEmulatorKit

/// The template's emulator: an independent reading of the provider's published API (never
/// import the adapter). Served by the sandbox under `/<provider id>/<endpoint>/…`.
public final class TemplateEmulator: ProviderEmulator {
    public let id = "template"
    private let items = Locked<[String: JSONValue]>([:])

    public init(settings: EmulatorSettings) {}

    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        guard request.header("authorization")?.hasPrefix("Bearer ") == true else {
            return .json(401, .object([("error", .string("unauthorized"))]))
        }
        switch request.method {
        case "GET":
            let stored = items.withLock { all in all.keys.sorted().compactMap { all[$0] } }
            return .json(200, .object([("items", .array(stored))]))
        default: return .json(405, .object([("error", .string("method not allowed"))]))
        }
    }

    public func faultResponse(_ fault: InjectedFault, retryAfterSeconds: Int) -> EmulatorResponse {
        fault == .rateLimited
            ? .json(429, .object([("error", .string("throttled"))]), headers: [("Retry-After", String(retryAfterSeconds))])
            : .json(503, .object([("error", .string("unavailable"))]))
    }

    public func reset() { items.withLock { $0 = [:] } }
}

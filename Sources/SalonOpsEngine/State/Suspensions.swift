import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsSecrets

/// An integration that nothing plans or applies until it is resumed: `suspended: true` in its
/// document, or `salonops suspend NAME` (kept in the state directory, per repository).
public struct Suspension: Codable, Sendable, Equatable {
    public var integration: String
    /// RFC 3339; nil for a suspension from the config.
    public var since: String?
    /// When it is meant to end. It does not end by itself (resuming applies what piled up, which
    /// someone should decide): past this date every run warns, and the daemon alerts.
    public var until: String?
    /// Who suspended it (user@host), or the file:line:col of `suspended: true`.
    public var by: String
    public var reason: String?

    public init(integration: String, since: String?, until: String?, by: String, reason: String?) {
        self.integration = integration
        self.since = since
        self.until = until
        self.by = by
        self.reason = reason
    }

    public var fromConfig: Bool { since == nil }

    /// Past its `until` at `now`.
    public func isOverdue(at now: Date) -> Bool {
        guard let until, let end = ISO8601DateFormatter().date(from: until) else { return false }
        return end < now
    }

    /// One line for plans and logs.
    public var summary: String {
        var text = fromConfig ? "suspended: true at \(by)" : "suspended by \(by) since \(since ?? "?")"
        if let until { text += ", until \(until)" }
        if let reason { text += ": \(reason)" }
        return text
    }
}

/// `salonops suspend` and `resume`'s store: `<state-dir>/suspensions/<scope digest>.json`.
public struct Suspensions: Sendable {
    public let path: String

    public init(stateDirectory: String, scope: String) {
        path = (stateDirectory as NSString).appendingPathComponent("suspensions/\(StableDigest.of(scope)).json")
    }

    public func read() -> [String: Suspension] {
        guard let data = FileManager.default.contents(atPath: path), let map = try? JSONDecoder().decode([String: Suspension].self, from: data) else {
            return [:]
        }
        return map
    }

    public func suspend(_ suspension: Suspension) throws {
        var map = read()
        map[suspension.integration] = suspension
        try write(map)
    }

    /// Whether it was suspended here.
    @discardableResult
    public func resume(_ integration: String) throws -> Bool {
        var map = read()
        guard map.removeValue(forKey: integration) != nil else { return false }
        try write(map)
        return true
    }

    private func write(_ map: [String: Suspension]) throws {
        try StateDirectory.prepare((path as NSString).deletingLastPathComponent)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(String(decoding: try encoder.encode(map), as: UTF8.self), to: path, mode: 0o600)
    }

    /// Every suspension in force for `state`: the config's, then the state directory's (the
    /// config's wins: resuming in the state directory cannot lift it).
    public static func effective(_ state: DesiredState, stored: [String: Suspension]) -> [String: Suspension] {
        var out = stored.filter { name, _ in state.integrations.contains { $0.metadata.name == name } }
        for integration in state.integrations {
            if let location = integration.suspended {
                out[integration.metadata.name] = Suspension(integration: integration.metadata.name, since: nil, until: nil, by: location.description, reason: nil)
            }
        }
        return out
    }
}

extension RunScope {
    /// This scope without the suspended integrations, over the integrations it would plan.
    public func excluding(_ suspended: Set<String>, among managed: [String]) -> RunScope {
        guard !suspended.isEmpty else { return self }
        switch self {
        case .all:
            return .only(Dictionary(uniqueKeysWithValues: managed.filter { !suspended.contains($0) }.map { ($0, Scope.all) }))
        case .only(let scopes):
            return .only(scopes.filter { !suspended.contains($0.key) })
        }
    }
}

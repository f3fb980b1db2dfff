import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// A plan saved with `salonops plan --out`: the plan and what was observed (no secret in
/// either), for `salonops apply PLAN` (docs/plan-json.md).
public struct SavedPlan: Codable, Sendable {
    public var plan: Plan
    public var observed: [String: [ObservedResource]]

    public init(plan: Plan, observed: [String: [ObservedResource]]) {
        self.plan = plan
        self.observed = observed
    }

    /// Far above a plan of every resource of a large chain (a few megabytes), far below what
    /// would exhaust memory.
    public static let maxBytes = 64 << 20

    public static func read(_ path: String) throws -> SavedPlan {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            throw SavedPlanError(description: "\(path) is \(size >> 20) MiB, over the \(maxBytes >> 20) MiB a saved plan may be; it is not a plan saved by `salonops plan --out`")
        }
        let saved = try JSONDecoder().decode(SavedPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        guard saved.plan.schema == Plan.schema else {
            throw SavedPlanError(description: "\(path) has schema \(saved.plan.schema); this salonops reads \(Plan.schema)")
        }
        return saved
    }

    public func write(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A plan names resources and ids: its reader's alone, as the report is.
        try AtomicFile.write(String(decoding: try encoder.encode(self), as: UTF8.self), to: path, mode: 0o600)
    }
}

public struct SavedPlanError: Error, CustomStringConvertible {
    public let description: String
}

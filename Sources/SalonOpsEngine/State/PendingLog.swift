import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// Records each create before it is sent, so a run that dies mid-apply leaves a trace the next
/// run reports (what it finds again through the ownership markers).
public struct PendingLog: Sendable {
    public let path: String

    public init(stateDirectory: String, scope: String) {
        path = (stateDirectory as NSString).appendingPathComponent("pending/\(StableDigest.of(scope)).jsonl")
    }

    enum State: String, Codable { case started, done, failed }

    struct Entry: Codable { let time: String; let plan: String; let change: String; let state: State }

    func write(_ plan: String, _ change: String, _ state: State) {
        // Best effort: a record that cannot be written must not stop the apply it describes.
        try? JSONLines.append(Entry(time: SopsFile.rfc3339(Date()), plan: plan, change: change, state: state), to: path, sync: true)
    }

    /// Changes started by an earlier run and never finished.
    public func unfinished() -> [String] {
        let entries = JSONLines.read(Entry.self, from: path)
        let finished = Set(entries.filter { $0.state != .started }.map(\.change))
        return entries.filter { $0.state == .started && !finished.contains($0.change) }.map(\.change)
    }

    public func clear() { try? FileManager.default.removeItem(atPath: path) }
}

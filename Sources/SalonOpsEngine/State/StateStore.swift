import Foundation
import SalonOpsProviderKit
import SalonOpsSecrets

/// What a config repository keeps between runs: the apply lock, pending creates, applied
/// commits, the ledger, rotated tokens, the history of runs (SQLite). Files in the state directory today (one scope per
/// repository and root); a database can follow behind the same shape.
public protocol StateStore: Sendable {
    func lock(target: String) -> RunLock
    var pending: PendingLog { get }
    var applied: AppliedCommits { get }
    var ledger: Ledger { get }
    var history: any RunHistory { get }
}

public struct FileStateStore: StateStore {
    public let directory: String
    public let scope: String
    public let pending: PendingLog
    public let applied: AppliedCommits
    public let ledger: Ledger
    public let history: any RunHistory
    public let suspensions: Suspensions
    let tokens: EncryptedTokenStore

    public init(directory: String, scope: String, secrets: SecretsContext) {
        self.directory = directory
        self.scope = scope
        pending = PendingLog(stateDirectory: directory, scope: scope)
        applied = AppliedCommits(stateDirectory: directory, scope: scope)
        ledger = Ledger(stateDirectory: directory, scope: scope)
        history = SQLiteRunHistory(stateDirectory: directory)
        suspensions = Suspensions(stateDirectory: directory, scope: scope)
        tokens = EncryptedTokenStore(store: WriteOnlyStore(stateDirectory: directory, context: secrets))
    }

    /// Without credentials, for `lock status` and `lock break` (which decrypt nothing).
    public static func lock(directory: String, repository: String, target: String) -> RunLock {
        RunLock(stateDirectory: directory, repository: repository, target: target)
    }

    public func lock(target: String) -> RunLock { RunLock(stateDirectory: directory, repository: scope, target: target) }
}

/// Rotated refresh tokens, in the state directory's encrypted store (the config repository is
/// read at a commit, so nothing can be written back there).
struct EncryptedTokenStore: TokenStore {
    let store: WriteOnlyStore

    func refreshToken(integration: String) async -> String? {
        (try? store.read(integration: integration, key: "oauth", field: "refresh_token")).map { String(decoding: $0, as: UTF8.self) }
    }

    func keep(refreshToken: String, integration: String) async throws {
        _ = try store.store(Array(refreshToken.utf8), integration: integration, key: "oauth", field: "refresh_token")
    }
}

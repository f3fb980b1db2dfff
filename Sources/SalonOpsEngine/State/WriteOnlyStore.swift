import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// Keeps write-only values (a webhook signing secret) in a sops file in the state directory,
/// encrypted to the age identities at hand, and reports them by fingerprint.
public struct WriteOnlyStore: Sendable {
    public let path: String
    public let context: SecretsContext

    public init(stateDirectory: String, context: SecretsContext) {
        path = (stateDirectory as NSString).appendingPathComponent("secrets/provider-secrets.sops.yaml")
        self.context = context
    }

    /// A stored value, or nil when there is none.
    func read(integration: String, key: String, field: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let keyPath = [SopsPathComponent.key(integration), .key(key), .key(field)]
        let opened = try SecretsOperations.open(try SecretsOperations.readFile(path), file: path, context: context, keyPaths: [])
        guard case .scalar(let scalar)? = opened.2.documents.first?.value(at: keyPath), scalar != .null else { return nil }
        return scalar.plaintextBytes
    }

    /// Stores the value and returns its fingerprint.
    func store(_ value: [UInt8], integration: String, key: String, field: String) throws -> String {
        let identities = try context.keys.identities()
        guard !identities.isEmpty else {
            throw SopsError.badRule(
                "no age identity at hand to encrypt the \(field) the provider returned; set SOPS_AGE_KEY_FILE (the value is shown once: rotate it at the provider)")
        }
        try StateDirectory.prepare((path as NSString).deletingLastPathComponent)
        let keyPath = [SopsPathComponent.key(integration), .key(key), .key(field)]
        let text = String(decoding: value, as: UTF8.self)
        if FileManager.default.fileExists(atPath: path) {
            let opened = try SecretsOperations.open(try SecretsOperations.readFile(path), file: path, context: context, keyPaths: [])
            var documents = opened.2.documents
            try documents[0].setValue(.scalar(.string(text)), at: keyPath)
            try SecretsOperations.reencrypt(file: path, original: opened, plaintext: documents, now: Date())
            return Secret(value, fingerprintKey: try Secret.fingerprintKey(dataKey: opened.1.bytes)).fingerprint
        }
        var document = SopsNode.mapping([])
        try document.setValue(.scalar(.string(text)), at: keyPath)
        let settings = SopsFile.Settings(groups: [Array(Set(identities.map(\.recipient))).sorted { $0.description < $1.description }])
        let file = try SopsFile.encrypt([document], settings: settings)
        try AtomicFile.write(file.render(), to: path, mode: 0o600)
        let dataKey = try file.dataKey(using: identities)
        return Secret(value, fingerprintKey: try Secret.fingerprintKey(dataKey: dataKey.bytes)).fingerprint
    }
}

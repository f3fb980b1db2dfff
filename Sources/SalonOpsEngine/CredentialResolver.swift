import Foundation
import SalonOpsCore
import SalonOpsSecrets

/// Resolves every `secret: file#key.path` of the desired state by decrypting the encrypted files
/// of the same commit in memory (never on disk), one decryption (and one audit line) per file.
public enum CredentialResolver {
    public struct Resolved: Sendable {
        public let integration: String
        public let name: String
        public let reference: SecretReference
        /// The secret, or why it could not be had (a message without any value).
        public let result: Result<Secret, ResolutionError>
    }

    public struct ResolutionError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `files`: encrypted files' contents by path relative to the config root.
    public static func resolve(_ state: DesiredState, files: [String: [UInt8]], context: SecretsContext) -> [Resolved] {
        resolve(state.integrations.flatMap { integration in integration.credentials.map { (integration.metadata.name, $0.name, $0.reference) } }, files: files, context: context)
    }

    /// Any `file#key.path` references, each with its user (an integration, or the daemon) and name.
    public static func resolve(_ references: [(user: String, name: String, reference: SecretReference)], files: [String: [UInt8]], context: SecretsContext) -> [Resolved] {
        var wanted: [String: [(integration: String, credential: (name: String, reference: SecretReference))]] = [:]
        for (user, name, reference) in references {
            wanted[reference.file, default: []].append((user, (name, reference)))
        }
        var resolved: [Resolved] = []
        for file in wanted.keys.sorted() {
            let uses = wanted[file]!
            func fail(_ message: String) {
                for use in uses {
                    resolved.append(
                        Resolved(
                            integration: use.integration, name: use.credential.name, reference: use.credential.reference,
                            result: .failure(ResolutionError(description: message))))
                }
            }
            guard let bytes = files[file] else { fail("\(file) is not in the commit"); continue }
            let keyPaths = uses.map { $0.credential.reference.keyPath.joined(separator: ".") }
            let opened: (SopsFile, SopsFile.DataKey, SopsFile.Decrypted)
            do {
                opened = try SecretsOperations.open(String(decoding: bytes, as: UTF8.self), file: file, context: context, keyPaths: keyPaths)
            } catch { fail("\(error)"); continue }
            let fingerprintKey = (try? Secret.fingerprintKey(dataKey: opened.1.bytes)) ?? []
            for use in uses {
                let path = use.credential.reference.keyPath.map(SopsPathComponent.key)
                let result: Result<Secret, ResolutionError>
                if case .scalar(let scalar)? = opened.2.documents.first?.value(at: path), scalar != .null {
                    result = .success(Secret(scalar.plaintextBytes, fingerprintKey: fingerprintKey))
                } else {
                    result = .failure(ResolutionError(description: "\(file): key path \(path.map(\.description).joined()) is not a value in the file"))
                }
                resolved.append(Resolved(integration: use.integration, name: use.credential.name, reference: use.credential.reference, result: result))
            }
        }
        return resolved.sorted { ($0.integration, $0.name) < ($1.integration, $1.name) }
    }
}

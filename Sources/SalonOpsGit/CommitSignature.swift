import CLibGit2
import Foundation

/// A commit's signature as git stores it: the `gpgsig` header, and the bytes it signs. Nothing
/// here says whether it verifies; that is the reader's to decide (the engine's commit trust).
public struct CommitSignature: Sendable, Equatable {
    /// The header's value, continuation lines joined back (`-----BEGIN SSH SIGNATURE-----` …, or
    /// an OpenPGP or X.509 armor).
    public let armored: String
    /// Exactly what the signer signed: the raw commit object without its `gpgsig` header.
    public let signedPayload: [UInt8]

    public init(armored: String, signedPayload: [UInt8]) {
        self.armored = armored
        self.signedPayload = signedPayload
    }
}

/// Owns the two buffers `git_commit_extract_signature` fills, freed with `git_buf_dispose`
/// (libgit2 allocates their memory; the struct itself is ours).
final class SignatureBuffers {
    var signature = git_buf()
    var signedData = git_buf()

    deinit {
        git_buf_dispose(&signature)
        git_buf_dispose(&signedData)
    }

    static func bytes(_ buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size))
    }
}

extension CommitReader {
    /// The commit's `gpgsig` signature and signed payload, or nil when it carries none. On the
    /// reading thread, with the error read in the same call.
    func signature(of commit: Commit) throws -> CommitSignature? {
        // libgit2 takes a mutable oid; it only reads it.
        guard var id = git_commit_id(commit.handle)?.pointee else { return nil }
        let buffers = SignatureBuffers()
        let code = git_commit_extract_signature(&buffers.signature, &buffers.signedData, repository.handle, &id, "gpgsig")
        guard code == 0 else {
            let error = LastError.read(code: code, repository: repository)
            if error.is(GIT_ENOTFOUND) { return nil }
            throw error.error("reading the signature of commit \(commit.id)", objectId: commit.id)
        }
        return CommitSignature(
            armored: String(decoding: SignatureBuffers.bytes(buffers.signature), as: UTF8.self),
            signedPayload: SignatureBuffers.bytes(buffers.signedData))
    }
}

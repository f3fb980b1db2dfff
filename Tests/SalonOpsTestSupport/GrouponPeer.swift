import Foundation

/// Groupon's server-to-server signing as an independent peer: a Python script written from the
/// documented algorithm (booking.md §5.2, docs/providers/groupon.md) with the standard library
/// only, never from the Swift. Shared by the signature's unit tests and the daemon's.
public enum GrouponPeer {
    /// One request as Groupon would sign it.
    public struct Request: Codable, Sendable {
        public var method = "GET"
        public var url = "https://salon.example:8443/salonops/groupon/v1/feed/services/merchants"
        public var query = "ids=fr-88213"
        public var body = ""
        public var nonce = "5f0c8a1e-2b7d-4c55-9d1a-0e6b3f4a7c21"
        public var key = "gr0up0n-signing-key/with+base64=chars"
        public var version = "1.1"

        public init(
            method: String = "GET", url: String = "https://salon.example:8443/salonops/groupon/v1/feed/services/merchants", query: String = "ids=fr-88213",
            body: String = "", nonce: String = "5f0c8a1e-2b7d-4c55-9d1a-0e6b3f4a7c21", key: String = "gr0up0n-signing-key/with+base64=chars",
            version: String = "1.1"
        ) {
            self.method = method
            self.url = url
            self.query = query
            self.body = body
            self.nonce = nonce
            self.key = key
            self.version = version
        }
    }

    /// The peer: for each request, the Authorization header. Form decoding of the query, RFC 3986
    /// encoding (`quote(safe="")` leaves only ALPHA DIGIT - . _ ~), sort by encoded name then
    /// value, SHA-256 hex of the stripped body, HMAC-SHA1 with the key's bytes, base64, encoded.
    public static let peer = #"""
        import base64, hashlib, hmac, json, sys, urllib.parse

        def enc(text):
            return urllib.parse.quote(text, safe="")

        out = []
        for r in json.load(open(sys.argv[1])):
            pairs = urllib.parse.parse_qsl(r["query"], keep_blank_values=True)
            params = "&".join(n + "=" + v for n, v in sorted((enc(n), enc(v)) for n, v in pairs))
            digest = hashlib.sha256(r["body"].encode().strip(b" \t\r\n")).hexdigest()
            base = "&".join([r["method"].upper(), enc(r["nonce"]), enc(r["url"]), enc(params), digest])
            mac = hmac.new(r["key"].encode(), base.encode(), hashlib.sha1).digest()
            signature = enc(base64.b64encode(mac).decode())
            out.append('groupon-third-party version="%s",digest="HMAC-SHA1",nonce="%s",signature="%s"' % (r["version"], r["nonce"], signature))
        print(json.dumps(out))
        """#

    public static func sign(_ requests: [Request]) async throws -> [String] {
        let folder = try Paths.temporaryDirectory("groupon-peer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("sign.py")
        let input = folder.appendingPathComponent("requests.json")
        try Data(peer.utf8).write(to: script)
        try JSONEncoder().encode(requests).write(to: input)
        let result = try await CommandRunner.run("/usr/bin/env", ["python3", script.path, input.path], timeout: 60)
        guard result.status == 0 else { throw PeerFailed(description: "the Groupon signing peer failed: \(result.stderr)") }
        return try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
    }

    public struct PeerFailed: Error, CustomStringConvertible {
        public let description: String
    }
}

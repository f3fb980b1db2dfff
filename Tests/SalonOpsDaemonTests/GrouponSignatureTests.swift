import Foundation
import SalonOpsSecrets
import SalonOpsTestSupport
import Testing

@testable import SalonOpsDaemon

/// Groupon's server-to-server signature, the signing done by an independent peer: a Python script
/// written from the documented algorithm (booking.md §5.2, docs/providers/groupon.md) with the
/// standard library only, never from the Swift.
@Suite struct GrouponSignatureTests {
    static let key = "gr0up0n-signing-key/with+base64=chars"
    static let secret = Secret(Array(key.utf8), fingerprintKey: [])
    static let publicURL = "https://Salon.Example:8443/salonops/"
    static let feed = "/groupon/v1/feed/services/merchants"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    typealias Request = GrouponPeer.Request

    static func sign(_ requests: [Request]) async throws -> [String] { try await GrouponPeer.sign(requests) }

    /// What the daemon received: a path, a raw query, a body.
    struct Received {
        var method = "GET"
        var path = GrouponSignatureTests.feed
        var query = "ids=fr-88213"
        var body = ""
        var header: String?
    }

    static func verify(_ received: Received, nonces: GrouponNonces = GrouponNonces(), at now: Date = now) throws(GrouponSignature.Refusal) {
        try GrouponSignature.verify(
            method: received.method, path: received.path, query: received.query, headers: received.header.map { ["authorization": $0] } ?? [:],
            body: Array(received.body.utf8), publicBaseURL: try! GrouponSignature.PublicBaseURL(publicURL), key: secret, nonces: nonces, now: now)
    }

    static func refusal(_ received: Received, nonces: GrouponNonces = GrouponNonces()) -> String? {
        do {
            try verify(received, nonces: nonces)
            return nil
        } catch { return "\(error)" }
    }

    @Test func thePeersSignaturesAreAccepted() async throws {
        let body = "\n  {\"merchantId\":\"fr-88213\",\"bookings\":[{\"grouponBookingId\":\"g-1\"}]} \r\n"
        let query = "ids=fr-88213%2Cfr-00001&note=caf%C3%A9+cr%C3%A8me&a=1&a=0&empty=&z~=%2A"
        let headers = try await Self.sign([
            Request(),
            Request(method: "post", url: "https://salon.example:8443/salonops/groupon/v1/bookings", query: "", body: body, nonce: "n-2"),
            Request(query: query, nonce: "n3/+=&%"),
        ])
        try Self.verify(Received(header: headers[0]))
        try Self.verify(Received(method: "POST", path: "/groupon/v1/bookings", query: "", body: body, header: headers[1]))
        try Self.verify(Received(query: query, header: headers[2]))
        // Parameters are signed sorted: the order they come in does not matter.
        try Self.verify(Received(query: "z~=%2a&empty&a=0&note=caf%c3%a9%20cr%c3%a8me&a=1&ids=fr-88213,fr-00001", header: headers[2]))
    }

    @Test func whatIsRefusedAndWhy() async throws {
        let signed = try await Self.sign([
            Request(), Request(key: "gr0up0n-signing-key/with+base64=chars!"), Request(version: "1.0"),
            Request(query: "ids=fr-88213&ids=fr-00001"), Request(version: "2.0"), Request(query: "ids=fr-88213,fr-00001"),
            // As the request reached the process behind the proxy, not as Groupon calls it.
            Request(url: "http://127.0.0.1:9400/groupon/v1/feed/services/merchants"),
        ])
        let header = signed[0]
        let mismatch = "the signature does not match this request (method, URL, parameters, body) and the Groupon signing key"
        let cases: [(String, Received, String)] = [
            ("tampered body", Received(body: "{}", header: header), mismatch),
            ("wrong key", Received(header: signed[1]), mismatch),
            ("wrong verb", Received(method: "POST", header: header), mismatch),
            ("wrong URL", Received(path: "/groupon/v1/feed/services/merchants/", header: header), mismatch),
            ("signed for the process's own address", Received(header: signed[6]), mismatch),
            ("ids changed", Received(query: "ids=fr-88213%2Cfr-0", header: header), mismatch),
            ("ids reordered", Received(query: "ids=fr-00001,fr-88213", header: signed[5]), mismatch),
            ("extra parameter", Received(query: "ids=fr-88213&page=2", header: header), mismatch),
            ("parameter dropped", Received(query: "", header: header), mismatch),
            ("version 1.0", Received(header: signed[2]), "signature version 1.0 is deprecated by Groupon: only version 1.1 is accepted"),
            ("version 2.0", Received(header: signed[4]), "signature version '2.0' is not supported: only version 1.1 is accepted"),
            (
                "missing header", Received(header: nil),
                "no Authorization header: Groupon signs every request with 'groupon-third-party version=\"1.1\",digest=\"HMAC-SHA1\",nonce=…,signature=…'"
            ),
            ("another scheme", Received(header: "Bearer abc"), "the Authorization header is not a 'groupon-third-party' signature"),
            (
                "other digest", Received(header: header.replacingOccurrences(of: "HMAC-SHA1", with: "HMAC-SHA256")),
                "digest 'HMAC-SHA256' is not supported: version 1.1 signs with HMAC-SHA1"
            ),
            ("no nonce", Received(header: header.replacingOccurrences(of: #"nonce="5f0c8a1e-2b7d-4c55-9d1a-0e6b3f4a7c21","#, with: "")), "the Authorization header has no nonce"),
            (
                "unquoted", Received(header: header.replacingOccurrences(of: #"version="1.1""#, with: "version=1.1")),
                "the Authorization header is malformed: expected groupon-third-party name=\"value\",name=\"value\",…"
            ),
            ("twice", Received(header: header + #",version="1.1""#), "the Authorization header gives 'version' twice"),
            ("bad encoding", Received(query: "ids=%zz", header: header), "the query string is not valid percent-encoding, so its parameters cannot be signed"),
        ]
        for (what, received, expected) in cases {
            #expect(Self.refusal(received) == expected, "\(what)")
        }
        // ids=a&ids=b and ids=b&ids=a are the same sorted parameters: both pass the signature.
        #expect(Self.refusal(Received(query: "ids=fr-00001&ids=fr-88213", header: signed[3])) == nil)
        // No refusal quotes the key or the signature.
        let signature = String(header.split(separator: "\"").last ?? "")
        for (_, received, _) in cases {
            let text = Self.refusal(received) ?? ""
            #expect(!text.contains(Self.key) && !text.contains(signature) && !text.contains(signature.removingPercentEncoding ?? signature))
        }
    }

    @Test func aNonceIsAcceptedOnceWithinTheWindow() async throws {
        let header = try await Self.sign([Request()])[0]
        let nonces = GrouponNonces(window: 600, capacity: 100)
        try Self.verify(Received(header: header), nonces: nonces)
        #expect(throws: GrouponSignature.Refusal("nonce already used within the last 10 minutes: a replayed request is refused")) {
            try Self.verify(Received(header: header), nonces: nonces, at: Self.now.addingTimeInterval(599))
        }
        // A request refused for its signature does not spend a nonce.
        let fresh = GrouponNonces()
        #expect(Self.refusal(Received(body: "x", header: header), nonces: fresh) != nil)
        try Self.verify(Received(header: header), nonces: fresh)
        // Past the window the nonce is forgotten (the signature covers no time: documented).
        try Self.verify(Received(header: header), nonces: nonces, at: Self.now.addingTimeInterval(600))
    }

    @Test func theNonceSetIsBounded() {
        let nonces = GrouponNonces(window: 60, capacity: 3)
        let start = Self.now
        for (index, nonce) in ["a", "b", "c"].enumerated() { #expect(nonces.admit(nonce, at: start.addingTimeInterval(Double(index)))) }
        #expect(!nonces.admit("b", at: start.addingTimeInterval(3)))
        #expect(nonces.admit("d", at: start.addingTimeInterval(4)))  // "a" is forgotten to make room
        #expect(nonces.count == 3)
        #expect(nonces.admit("a", at: start.addingTimeInterval(5)))
        #expect(!nonces.admit("d", at: start.addingTimeInterval(6)))
        #expect(nonces.admit("x", at: start.addingTimeInterval(200)))
        #expect(nonces.count == 1)
        for index in 0..<5000 { #expect(nonces.admit("n\(index)", at: start.addingTimeInterval(300 + Double(index) / 100))) }
        #expect(nonces.count == 3)
    }

    @Test func thePublicURLIsNormalised() throws {
        let url = try GrouponSignature.PublicBaseURL("HTTPS://Salon.Example:443/Prefix/")
        #expect(url.url(path: "/groupon/v1/feed/services/merchants") == "https://salon.example/Prefix/groupon/v1/feed/services/merchants")
        #expect(try GrouponSignature.PublicBaseURL("http://salon.example:80").description == "http://salon.example")
        #expect(try GrouponSignature.PublicBaseURL("http://127.0.0.1:9400").description == "http://127.0.0.1:9400")
        for bad in ["salon.example", "ftp://salon.example", "https://salon.example/?a=1", "https://user:pw@salon.example", "https://salon.example/#x"] {
            #expect(throws: GrouponSignature.PublicBaseURL.Invalid.self, "\(bad)") { try GrouponSignature.PublicBaseURL(bad) }
        }
    }

    /// The primitives against values computed by hand from RFC 3986 and the OAuth 1.0a rules.
    @Test func encodingAndParameterString() {
        #expect(GrouponSignature.encode("a b+c/é~-._*") == "a%20b%2Bc%2F%C3%A9~-._%2A")
        #expect(GrouponSignature.parameterString([("b", "2"), ("a", "z"), ("a", "1"), ("a b", "")]) == "a=1&a=z&a%20b=&b=2")
        #expect(GrouponSignature.trimmed(Array(" \t{}\r\n".utf8)) == Array("{}".utf8))
        #expect(GrouponSignature.trimmed(Array("  ".utf8)).isEmpty)
    }

    /// Through the endpoint: Groupon's envelope with INVALID_REQUEST_SIGNATURE, whatever the path.
    @Test func aRefusalIsGrouponsEnvelope() throws {
        let response = GrouponEndpoint.respond(
            method: "GET", path: "/groupon/v1/bookings", query: "",
            headers: ["authorization": "groupon-third-party version=\"1.0\",digest=\"HMAC-SHA1\",nonce=\"n\",signature=\"x\""],
            body: [], publicBaseURL: try GrouponSignature.PublicBaseURL(Self.publicURL), state: nil, secret: Self.secret, nonces: GrouponNonces(), now: Self.now)
        #expect(response.status == 401)
        #expect(response.headers["www-authenticate"] == #"groupon-third-party version="1.1""#)
        #expect(response.headers["content-type"] == "application/json; charset=utf-8")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"errors":[{"code":"INVALID_REQUEST_SIGNATURE","message":"signature version 1.0 is deprecated by Groupon: only version 1.1 is accepted"}],"httpCode":401}"#)
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SalonOpsSandbox
import SalonOpsSecrets
import SalonOpsEmulatorKit
import SalonOpsGoogleCalendarEmulator
import SalonOpsProviderTesting
import SalonOpsTestSupport
import Testing

/// An RSA key pair made once per test process by the real openssl CLI (`OpenSSLTestKeys`), and
/// JWTs signed with it through OpenSSL's EVP (`RSASignature`, itself checked byte for byte
/// against `openssl dgst -sign` in the JWT tests): the sandbox verifies them with jwt-kit's own
/// RSA, an independent implementation. (Signing with the CLI for every token spawned hundreds
/// of programs, and Foundation's `Process.run` crashed under that load.)
struct TestRSAKey: Sendable {
    let directory: URL
    let privateKeyPath: String
    let privateKeyPEM: String
    let publicKeyPEM: String

    /// `other`: the second key of the set (a stranger's).
    static func generate(other: Bool = false) async throws -> TestRSAKey {
        let keys = try await OpenSSLTestKeys.shared.value
        let (privatePEM, publicPEM) = other ? (keys.other, keys.otherPublic) : (keys.rsa, keys.rsaPublic)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("salonops-gcal-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let privatePath = directory.appendingPathComponent("key.pem").path
        try privatePEM.write(toFile: privatePath, atomically: true, encoding: .utf8)
        return TestRSAKey(directory: directory, privateKeyPath: privatePath, privateKeyPEM: privatePEM, publicKeyPEM: publicPEM)
    }

    /// A compact JWT: header and claims as given (key order sorted), RS256-signed.
    func sign(header: [String: Any], claims: [String: Any]) async throws -> String {
        let signingInput = try Self.part(header) + "." + Self.part(claims)
        let signature = try RSASignature.PrivateKey(pem: privateKeyPEM).sign(Array(signingInput.utf8))
        return signingInput + "." + Self.base64URL(Data(signature))
    }

    static func part(_ object: [String: Any]) throws -> String {
        base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Keys are slow to make: one pair (and a stranger's) per test process.
enum TestKeys {
    static let main = Task { try await TestRSAKey.generate() }
    static let stranger = Task { try await TestRSAKey.generate(other: true) }
}

enum GoogleFixture {
    static let serviceAccount = "sync@salonops-test.iam.gserviceaccount.com"
    static let keyID = "k1"
    static let audience = "https://oauth2.googleapis.com/token"
    static let fullScope = "https://www.googleapis.com/auth/calendar"
    static let admin = "admin@salon.example"
    static let stylist = "stylist@salon.example"
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30
}

/// A sandbox whose Google Calendar emulator knows the test service account, on a manual clock.
struct GoogleSandbox {
    let sandbox: Sandbox
    let clock: SandboxClock
    let key: TestRSAKey
    let discovery: DiscoveryDocument?

    var server: SandboxServer { sandbox.server }
    var tokenURL: String { server.baseURL + "/google-calendar/oauth/token" }
    var apiRoot: String { server.baseURL + "/google-calendar/api/" }

    /// Claims as google-auth writes them (aud fixed, exp = iat + 3600), with overrides.
    func claims(
        subject: String? = GoogleFixture.admin, scope: String? = GoogleFixture.fullScope,
        issuedAt: Date? = nil, lifetime: TimeInterval = 3600, extra: [String: Any] = [:]
    ) -> [String: Any] {
        let iat = Int((issuedAt ?? clock.now).timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": GoogleFixture.serviceAccount, "aud": GoogleFixture.audience, "iat": iat,
            "exp": iat + Int(lifetime),
        ]
        if let scope { claims["scope"] = scope }
        if let subject { claims["sub"] = subject }
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    func assertion(
        header: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": GoogleFixture.keyID],
        claims: [String: Any], signer: TestRSAKey? = nil
    ) async throws -> String {
        try await (signer ?? key).sign(header: header, claims: claims)
    }

    /// POSTs a token request; the reply is the token endpoint's JSON.
    func tokenRequest(form: [(String, String)]) async throws -> Reply {
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Sandbox.encode(form)))
        let response = try await sandbox.client.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    func tokenRequest(assertion: String) async throws -> Reply {
        try await tokenRequest(form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)])
    }

    /// An access token acting as `subject` (nil: the service account itself).
    func token(subject: String? = GoogleFixture.admin, scope: String = GoogleFixture.fullScope) async throws -> String {
        let reply = try await tokenRequest(assertion: try await assertion(claims: claims(subject: subject, scope: scope)))
        guard reply.status == 200, let token = reply.string("access_token") else {
            throw HarnessError("no token: \(reply.status) \(reply.body)")
        }
        return token
    }

    /// A client acting as one user.
    func client(as subject: String? = GoogleFixture.admin, scope: String = GoogleFixture.fullScope) async throws -> GoogleClient {
        GoogleClient(google: self, token: try await token(subject: subject, scope: scope))
    }
}

/// Whether a request is meant to match the discovery document (the default) or to break it on
/// purpose (then the validator must say so, and the emulator refuse it).
enum RequestShape {
    case valid
    case invalid
}

/// Calendar API calls with a bearer token; every request is checked against the discovery
/// document, every answer against the method's response schema or Google's error envelope.
struct GoogleClient {
    let google: GoogleSandbox
    let token: String?

    func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Any? = nil,
        headers: [(String, String)] = [], shape: RequestShape = .valid,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Reply {
        let encodedPath = path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? String($0)
        }.joined(separator: "/")
        var url = google.apiRoot + encodedPath
        if !query.isEmpty { url += "?" + Sandbox.encode(query) }
        var bodyText: String?
        if let body { bodyText = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self) }
        var checked: DiscoveryDocument.Method?
        if let discovery = google.discovery {
            let (matched, problems) = discovery.validateRequest(httpMethod: method.rawValue, path: path, query: query, body: bodyText)
            checked = matched
            switch shape {
            case .valid: #expect(problems.isEmpty, "request \(method) \(path) \(query): \(problems)", sourceLocation: sourceLocation)
            case .invalid: #expect(!problems.isEmpty, "the validator accepts \(method) \(path) \(query)", sourceLocation: sourceLocation)
            }
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bodyText {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: bodyText))
        }
        let response = try await google.sandbox.client.execute(request, timeout: .seconds(20))
        let collected = try await response.body.collect(upTo: 16 << 20)
        let reply = Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
        if let discovery = google.discovery {
            let fields = query.last { $0.0 == "fields" }?.1
            let problems = discovery.validateResponse(status: reply.status, body: reply.body, method: checked, partial: fields != nil)
            #expect(problems.isEmpty, "answer to \(method) \(path): \(problems)\n\(reply.body)", sourceLocation: sourceLocation)
        }
        return reply
    }

    private static let segmentCharacters: CharacterSet = {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}

extension Reply {
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var itemIDs: [String] { items.compactMap { $0["id"] as? String } }
    /// The first item of Google's error envelope.
    var googleError: [String: Any] { (error["errors"] as? [[String: Any]])?.first ?? [:] }
    var reason: String? { googleError["reason"] as? String }
    var errorMessage: String? { googleError["message"] as? String }
}

/// The discovery document beside the package (`../shared/specs`), or the shared copy.
func calendarDiscovery() -> DiscoveryDocument? {
    SharedSpecs.locate("google-calendar.v3.json").flatMap { try? DiscoveryDocument(contentsOf: $0) }
}

/// A sandbox with the test service account registered, a manual clock, and the discovery
/// document loaded (the tests require it: without it, they stop with a clear message).
func withGoogleSandbox<T>(
    perUser: Int = 600, perProject: Int = 10_000, faults: FaultPlan = .none, seed: UInt64 = 7,
    clock: SandboxClock? = nil, _ body: (GoogleSandbox) async throws -> T
) async throws -> T {
    guard let discovery = calendarDiscovery() else {
        throw HarnessError("google-calendar.v3.json not found in ../shared/specs or /work/shared/specs: the Calendar tests need it")
    }
    let key = try await TestKeys.main.value
    let clock = clock ?? SandboxClock.manual(startingAt: GoogleFixture.start)
    let options = GoogleCalendarOptions(perUserRequestsPerMinute: perUser, perProjectRequestsPerMinute: perProject, clock: clock)
    let configuration = SandboxConfiguration(faults: faults, seed: seed, emulators: [GoogleCalendarEmulator(seed: seed, options: options)])
    return try await withSandbox(configuration) { sandbox in
        googleCalendar(sandbox.server).registerServiceAccount(
            clientEmail: GoogleFixture.serviceAccount, publicKeyPEM: key.publicKeyPEM,
            keyID: GoogleFixture.keyID)
        return try await body(GoogleSandbox(sandbox: sandbox, clock: clock, key: key, discovery: discovery))
    }
}

/// The sandbox's Google Calendar emulator, for what only a test does with it.
func googleCalendar(_ server: SandboxServer) -> GoogleCalendarEmulator {
    server.emulator("google-calendar") as! GoogleCalendarEmulator
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SalonOpsCore
import SalonOpsEngine
import SalonOpsSecrets

/// The daemon's HTTP side: probes, status, the push webhook.
struct DaemonServer {
    let daemon: Daemon

    func application(onListening: @escaping @Sendable (Int) -> Void) throws -> some ApplicationProtocol {
        let router = Router()
        let daemon = self.daemon
        // Alive: the process answers (the loop may be mid-run).
        router.get("healthz") { _, _ in Self.json(["status": "ok"]) }
        // Ready: the last fetch succeeded and a valid commit is served.
        router.get("readyz") { _, _ in
            let status = await daemon.status
            return Self.json(["ready": status.ready, "reason": status.readiness], status: status.ready ? .ok : .serviceUnavailable)
        }
        router.get("status.json") { _, _ in
            let status = await daemon.status
            // The last run's report as it wrote it (status.json).
            let report = try? Data(contentsOf: URL(fileURLWithPath: daemon.configuration.engine.reportDirectory).appendingPathComponent("status.json"))
            var body = Data("{\"daemon\":".utf8)
            body += try JSONEncoder.sorted.encode(status)
            body += Data(",\"report\":".utf8) + (report ?? Data("null".utf8)) + Data("}".utf8)
            return Self.response(body, type: "application/json")
        }
        let providerNames = Dictionary(
            daemon.configuration.engine.providers.catalog.all.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        router.get("/") { request, _ in
            let language = StatusPage.Language(rawValue: request.uri.queryParameters.get("lang") ?? "fr") ?? .fr
            let report = try? StatusReport.read(from: daemon.configuration.engine.reportDirectory)
            let html = StatusPage.render(status: await daemon.status, report: report, providerNames: providerNames, language: language)
            return Self.response(Data(html.utf8), type: "text/html; charset=utf-8")
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: daemon.metrics.text())))
        }
        router.post("hooks/git") { request, _ in try await Self.hook(request, daemon: daemon) }
        // Groupon's pull contract (docs/providers/groupon.md): every method and path under /groupon.
        let groupon: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in try await Self.groupon(request, daemon: daemon) }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("groupon", method: method, use: groupon)
            router.on("groupon/**", method: method, use: groupon)
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(daemon.configuration.host, port: daemon.configuration.port), serverName: nil),
            onServerRunning: { channel in if let port = channel.localAddress?.port { onListening(port) } },
            logger: daemon.configuration.engine.logger)
    }

    /// `POST /hooks/git`: 401 and nothing triggered unless the signature holds; 202 for a push
    /// to the followed branch (a run follows, debounced); 200 for what is verified and ignored.
    static func hook(_ request: Request, daemon: Daemon) async throws -> Response {
        guard daemon.configuration.webhookSecret != nil else {
            return json(["error": "push webhooks are off: start `salonops run` with --webhook-secret FILE#KEY"], status: .notFound)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > GitWebhook.maximumBody {
            return json(["error": "the body is over \(GitWebhook.maximumBody) bytes"], status: .contentTooLarge)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: GitWebhook.maximumBody) } catch {
            return json(["error": "the body is over \(GitWebhook.maximumBody) bytes"], status: .contentTooLarge)
        }
        switch daemon.secrets.value {
        case nil:
            return json(["error": "not ready: the webhook secret is decrypted by the first run, which has not finished"], status: .serviceUnavailable)
        case .failure(let error)?:
            return json(["error": "the webhook secret could not be decrypted: \(error)"], status: .serviceUnavailable)
        case .success(let secret)?:
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let verified: (GitWebhook.Sender, GitWebhook.Event)
            do { verified = try GitWebhook.verify(headers: headers, body: Array(buffer: body), secret: secret) } catch {
                daemon.configuration.output.err("warning: /hooks/git refused a delivery: \(error)")
                return json(["error": "\(error)"], status: .unauthorized)
            }
            switch verified.1 {
            case .push(let ref) where GitWebhook.concerns(ref, following: daemon.configuration.engine.source.ref):
                await daemon.pushed()
                return json(["accepted": true, "sender": verified.0.rawValue], status: .accepted)
            case .push(let ref):
                return json(["accepted": false, "reason": "a push to \(ref ?? "?"), not to the followed ref"])
            case .ping:
                return json(["accepted": false, "reason": "ping"])
            case .other(let name):
                return json(["accepted": false, "reason": "event \(name) triggers nothing"])
            }
        }
    }

    /// Groupon's requests: the signature, then the feed of the last applied commit
    /// (`GrouponEndpoint`); its base URL is `--public-url` (where Groupon reaches the daemon).
    static func groupon(_ request: Request, daemon: Daemon) async throws -> Response {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: GrouponEndpoint.maximumBody) } catch {
            return json(
                ["errors": [["code": "MALFORMED_REQUEST", "message": "the body is over \(GrouponEndpoint.maximumBody) bytes"]], "httpCode": 413], status: .contentTooLarge)
        }
        let base: GrouponSignature.PublicBaseURL
        do { base = try GrouponSignature.PublicBaseURL(daemon.statusPage) } catch {
            return json(["errors": [["code": "UNKNOWN_ERROR", "message": "--public-url: \(error)"]], "httpCode": 500], status: .internalServerError)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let secret: Secret? = if case .success(let key)? = daemon.grouponKey.value { key } else { nil }
        let answer = GrouponEndpoint.respond(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: Array(buffer: body),
            publicBaseURL: base, state: await daemon.state.applied, secret: secret, nonces: daemon.grouponNonces, now: Date())
        var fields = HTTPFields()
        for (name, value) in answer.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func json(_ object: [String: any Sendable], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return response(data, type: "application/json", status: status)
    }

    static func response(_ data: Data, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: type, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

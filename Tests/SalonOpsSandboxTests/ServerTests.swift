import AsyncHTTPClient
import Foundation
import SalonOpsSandbox
import SalonOpsProviderTesting
import Testing

@Suite struct ServerTests {
    @Test func controlEndpointsAndStats() async throws {
        try await withSandbox { s in
            #expect(s.server.port > 0)
            #expect(s.server.baseURL == "http://127.0.0.1:\(s.server.port)")
            let health = try await s.request(.GET, "/_sandbox/health")
            #expect(health.status == 200)
            #expect(health.string("status") == "ok")

            for _ in 0..<3 { _ = try await s.stripe(.GET, "/v1/products") }
            let created = try await s.stripe(.POST, "/v1/products", [("name", "x")])
            let id = try #require(created.string("id"))
            _ = try await s.stripe(.DELETE, "/v1/products/\(id)")

            let stats = try await s.request(.GET, "/_sandbox/stats")
            #expect(stats.json["total"] as? Int == 5)
            #expect(stats.json["writes"] as? Int == 2)
            let rows = try #require(stats.json["requests"] as? [[String: Any]])
            let list = rows.first { $0["method"] as? String == "GET" && $0["path"] as? String == "/api/v1/products" }
            #expect(list?["count"] as? Int == 3)
            #expect(list?["provider"] as? String == "stripe")
            #expect(list?["faulted"] as? Int == 0)

            #expect(try await s.request(.POST, "/_sandbox/reset").status == 200)
            let after = try await s.request(.GET, "/_sandbox/stats")
            #expect(after.json["total"] as? Int == 0)
            #expect(after.json["writes"] as? Int == 0)
            #expect(try await s.stripe(.GET, "/v1/products").ids.isEmpty)
            #expect(try await s.request(.GET, "/nowhere").status == 404)
        }
    }

    @Test func resetRestartsTheSeededIDs() async throws {
        try await withSandbox { s in
            let first = try await s.stripe(.POST, "/v1/products", [("name", "x")]).string("id")
            _ = try await s.request(.POST, "/_sandbox/reset")
            let again = try await s.stripe(.POST, "/v1/products", [("name", "x")]).string("id")
            #expect(first != nil && first == again)
        }
    }

    @Test func fiftyConcurrentCreates() async throws {
        try await withSandbox { s in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<50 {
                    group.addTask { try await s.stripe(.POST, "/v1/products", [("name", "Concurrent \(i)")]).string("id") }
                }
                var ids: [String] = []
                for try await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(Set(ids).count == 50)
            let listed = try await s.stripe(.GET, "/v1/products", [("limit", "100")])
            #expect(Set(listed.ids) == Set(ids))
            #expect(listed.json["has_more"] as? Bool == false)
        }
    }

    @Test func stopIsIdempotentAndFreesThePort() async throws {
        // A port outside the kernel's ephemeral range (32768-60999), so no other test's server
        // on port 0 can take it between the stop and the second start.
        var server: SandboxServer?
        for candidate in stride(from: 21_000 + Int(getpid() % 500) * 7, to: 32_000, by: 7) {
            if let started = try? await SandboxServer.start(SandboxConfiguration(port: candidate)) { server = started; break }
        }
        let first = try #require(server)
        let port = first.port
        await first.stop()
        await first.stop()
        // The port can be bound again. Under the whole suite's load the listening socket is
        // occasionally closed a little after stop() returns: retry, bounded.
        var again: SandboxServer?
        for _ in 0..<100 where again == nil {
            again = try? await SandboxServer.start(SandboxConfiguration(port: port))
            if again == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let started = try #require(again, "port \(port) was not freed within 10 s of stop()")
        #expect(started.port == port)
        // A second server on a port in use fails to start rather than hanging.
        await #expect(throws: (any Error).self) { _ = try await SandboxServer.start(SandboxConfiguration(port: port)) }
        await started.stop()
    }
}

@Suite struct WireFormatTests {
    @Test func rawAndEncodedBracketsDecodeAlike() async throws {
        try await withSandbox { s in
            let raw = try await s.request(
                .POST, "/stripe/api/v1/webhook_endpoints", apiKey: Sandbox.apiKey,
                rawBody: "url=https%3A%2F%2Fa.example%2Fh&enabled_events[]=invoice.paid&enabled_events[]=charge.failed&metadata[salonops_owner]=x+y")
            #expect(raw.status == 200)
            #expect(raw.json["enabled_events"] as? [String] == ["invoice.paid", "charge.failed"])
            #expect(raw.json["metadata"] as? [String: String] == ["salonops_owner": "x y"])
            #expect(raw.string("url") == "https://a.example/h")
            #expect(raw.headers.first(name: "Content-Type") == "application/json")

            let json = try await s.request(
                .POST, "/stripe/api/v1/products", apiKey: Sandbox.apiKey,
                headers: [("Content-Type", "application/json")], rawBody: #"{"name":"x"}"#)
            #expect(json.status == 400)  // Stripe takes form bodies only
            #expect((json.error["message"] as? String)?.contains("unsupported Content-Type") == true)
            var request = [("name", "x")]
            request.append(("expand[]", "default_price"))
            #expect(try await s.stripe(.POST, "/v1/products", request).status == 200)
        }
    }

    @Test func stopIsBoundedWithAnOpenKeepAliveConnection() async throws {
        let server = try await SandboxServer.start(SandboxConfiguration())
        let sandbox = Sandbox(server: server, client: HTTPClient(eventLoopGroupProvider: .singleton))
        #expect(try await sandbox.stripe(.GET, "/v1/balance").status == 200)
        let clock = ContinuousClock(), start = clock.now
        await server.stop()  // the client's pooled connection is still open
        let stopped = clock.now - start
        // stop() cuts a graceful shutdown short after 5 s (without the cut it would wait for the
        // client to close, which it never does here); on an idle machine it takes well under a
        // second. The bound proves the cut, not a speed: a loaded 2-core CI once took 8 s.
        #expect(stopped < .seconds(30), "stop took \(stopped)")
        // Nothing listens any more (AsyncHTTPClient retries a refused connection until the
        // request's deadline, so this takes the whole 1 s timeout).
        await #expect(throws: (any Error).self) { _ = try await sandbox.stripe(.GET, "/v1/balance", timeout: 1) }
        try await sandbox.client.shutdown()
    }
}

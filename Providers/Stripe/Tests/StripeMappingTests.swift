import Foundation
import SalonOpsCore
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsStripe
import Testing

/// The Stripe projection of the repository's own examples/salon-chain, number by number, and
/// the adapter's wire requests over a FakeSession (no socket): observe's paging, and the form
/// bodies of a create and an update.
@Suite struct StripeMappingTests {
    func harness(responder: FakeSession.Responder? = nil) throws -> AdapterHarness {
        try AdapterHarness(Stripe.self, integration: "stripe", in: ExampleConfig.state(), responder: responder)
    }

    func resources() throws -> [DesiredResource] { try harness().projection().resources }

    func resource(_ kind: String, _ key: String, in resources: [DesiredResource]) throws -> DesiredResource {
        try #require(resources.first { $0.kind == kind && $0.key == key }, "no \(kind) \(key)")
    }

    // MARK: projection

    /// 22 services, 6 retail products and 3 priced offers; a price per (item, establishment that
    /// sells it): services 22 + 22 + 16 (Lyon lists 16), products 6 + 6 + 4, and the 2 one-off
    /// offers; the membership as a plan; the 2 discount offers as coupons; one VAT rate (20 %).
    @Test func everyKindIsCountedFromTheExample() throws {
        let projection = try harness().projection()
        let counts = Dictionary(grouping: projection.resources, by: \.kind).mapValues(\.count)
        #expect(counts == ["product": 31, "price": 78, "plan": 1, "coupon": 2, "tax_rate": 1, "webhook_endpoint": 1])
        #expect(projection.notes.isEmpty)
        // (kind, key) is the identity: unique, even where a key is shared across kinds.
        #expect(Set(projection.resources.map(\.ref)).count == projection.resources.count)
        let prices = projection.resources.filter { $0.kind == "price" }
        #expect(prices.filter { $0.key.hasPrefix("service:") }.count == 60)
        #expect(prices.filter { $0.key.hasPrefix("product:") }.count == 16)
        #expect(prices.filter { $0.key.hasPrefix("offer:") }.count == 2)
        let perEstablishment = Dictionary(grouping: prices.compactMap(\.establishment), by: { $0 }).mapValues(\.count)
        #expect(perEstablishment == ["paris-11": 28, "bordeaux-chartrons": 28, "lyon-2": 20])
    }

    /// Each establishment's price is its override where it has one, the list price otherwise;
    /// an item the establishment does not sell has no price there.
    @Test func pricesAreTheEstablishmentsOwn() throws {
        let all = try resources()
        func amount(_ key: String) throws -> FieldValue? { try resource("price", key, in: all).fields["unit_amount"] }
        #expect(try amount("service:soin-visage-hydratant@bordeaux-chartrons") == .int(5900))
        #expect(try amount("service:soin-visage-hydratant@paris-11") == .int(6500))
        #expect(try amount("service:soin-visage-hydratant@lyon-2") == .int(6500))
        #expect(try amount("service:massage-californien@bordeaux-chartrons") == .int(7200))
        #expect(try amount("service:massage-californien@paris-11") == .int(7900))
        #expect(try amount("service:massage-pierres-chaudes@bordeaux-chartrons") == .int(9900))
        #expect(try amount("service:massage-pierres-chaudes@paris-11") == .int(9500))
        #expect(try amount("product:huile-seche-corps-100ml@bordeaux-chartrons") == .int(2750))
        #expect(try amount("product:huile-seche-corps-100ml@paris-11") == .int(2950))
        #expect(try amount("product:creme-hydratante-50ml@lyon-2") == .int(3490))
        // Lyon has no massage room and does not sell the body oil nor the foot care.
        for key in ["service:massage-californien@lyon-2", "service:beaute-des-pieds@lyon-2", "product:huile-seche-corps-100ml@lyon-2"] {
            #expect(!all.contains { $0.kind == "price" && $0.key == key }, "\(key)")
        }

        let price = try resource("price", "service:soin-visage-hydratant@bordeaux-chartrons", in: all)
        #expect(price.establishment == "bordeaux-chartrons")
        #expect(
            price.fields == [
                "unit_amount": .int(5900), "currency": .string("eur"), "tax_behavior": .string("inclusive"),
                "lookup_key": .string("salonops:service:soin-visage-hydratant@bordeaux-chartrons"), "active": .bool(true),
            ])
        #expect(price.references == ["product": ResourceRef("product", "service:soin-visage-hydratant")])
        #expect(price.naturalKey == "salonops:service:soin-visage-hydratant@bordeaux-chartrons")

        let product = try resource("product", "service:soin-visage-hydratant", in: all)
        #expect(product.establishment == nil)
        #expect(product.fields["name"] == .string("Soin visage hydratant"))
        #expect(product.fields["metadata.category"] == .string("soins-visage"))
        #expect(product.fields["metadata.duration"] == .string("1h"))
        #expect(
            product.fields["description"]
                == .string("Démaquillage, gommage, masque hydratant à l'acide hyaluronique et modelage du visage."))
        // A service without a description sends none (not an empty one).
        #expect(try resource("product", "service:epilation-sourcils", in: all).fields["description"] == nil)
        let retail = try resource("product", "product:creme-hydratante-50ml", in: all)
        #expect(retail.fields["metadata.sku"] == .string("BE-VIS-CRH-050"))
        #expect(retail.fields["metadata.brand"] == .string("Belle Époque"))
    }

    /// A one-off offer is a product and a price under the same key; a membership a product and
    /// a plan; a discount a coupon alone. Every reference names its kind and points at a
    /// resource of the projection.
    @Test func offersAndReferencesByKind() throws {
        let all = try resources()
        let packageKey = "offer:forfait-5-soins-visage"
        let sameKey = all.filter { $0.key == packageKey }
        #expect(Set(sameKey.map(\.kind)) == ["product", "price"])
        let packagePrice = try resource("price", packageKey, in: all)
        #expect(packagePrice.fields["unit_amount"] == .int(29500))
        #expect(packagePrice.establishment == nil)
        #expect(packagePrice.references == ["product": ResourceRef("product", packageKey)])
        #expect(try resource("product", packageKey, in: all).fields["metadata.offer_type"] == .string("package"))
        #expect(try resource("price", "offer:bon-cadeau-100", in: all).fields["unit_amount"] == .int(10000))

        let plan = try resource("plan", "offer:abonnement-eclat-mensuel:plan", in: all)
        #expect(
            plan.fields == [
                "amount": .int(4900), "currency": .string("eur"), "interval": .string("month"),
                "nickname": .string("Abonnement Éclat"), "active": .bool(true),
            ])
        #expect(plan.references == ["product": ResourceRef("product", "offer:abonnement-eclat-mensuel")])
        #expect(!all.contains { $0.kind == "price" && $0.key.hasPrefix("offer:abonnement-eclat-mensuel") })

        let welcome = try resource("coupon", "offer:bienvenue-massages-semaine:coupon", in: all)
        #expect(
            welcome.fields == [
                "name": .string("Bienvenue : -20 % sur les massages en se"), "duration": .string("once"),
                "percent_off": .string("20"), "redeem_by": .int(1_814_399_999),
            ])  // 2027-06-30T23:59:59Z
        let mothers = try resource("coupon", "offer:fete-des-meres-2027:coupon", in: all)
        #expect(mothers.fields["amount_off"] == .int(1000))
        #expect(mothers.fields["currency"] == .string("eur"))
        #expect(mothers.fields["redeem_by"] == .int(1_811_721_599))  // 2027-05-30T23:59:59Z
        // A promotion sells nothing by itself: no product for it.
        #expect(!all.contains { $0.kind == "product" && $0.key == "offer:bienvenue-massages-semaine" })

        let refs = Set(all.map(\.ref))
        for resource in all {
            for (field, target) in resource.references {
                #expect(field == "product" && target.kind == "product", "\(resource.ref): \(field) → \(target)")
                #expect(refs.contains(target), "\(resource.ref) points at \(target), which is not projected")
            }
        }
        #expect(all.filter { $0.kind == "price" || $0.kind == "plan" }.allSatisfy { !$0.references.isEmpty })
    }

    @Test func oneTaxRatePerVATRateInUseAndTheWebhook() throws {
        let all = try resources()
        let rates = all.filter { $0.kind == "tax_rate" }
        #expect(rates.map(\.key) == ["vat:20"])
        #expect(
            rates.first?.fields == [
                "display_name": .string("TVA"), "description": .string("TVA 20 %"), "percentage": .string("20"),
                "inclusive": .bool(true), "active": .bool(true),
            ])
        let webhook = try resource("webhook_endpoint", "webhook", in: all)
        #expect(webhook.fields["url"] == .string("https://app.belle-epoque.example/webhooks/stripe"))
        let events = [
            "charge.refunded", "checkout.session.completed", "customer.subscription.deleted", "customer.subscription.updated",
            "payment_intent.payment_failed",
        ]
        #expect(webhook.fields["enabled_events"] == .list(events.map(FieldValue.string)))
    }

    // MARK: wire, over a FakeSession

    static let emptyList = FakeSession.json(#"{"object": "list", "data": [], "has_more": false}"#)

    static func list(_ objects: [String], more: Bool) -> ProviderResponse {
        FakeSession.json(#"{"object": "list", "has_more": \#(more), "data": [\#(objects.joined(separator: ","))]}"#)
    }

    static func product(_ id: String, key: String, owner: String = "belle-epoque") -> String {
        #"""
        {"id": "\#(id)", "object": "product", "name": "N \#(id)", "active": true,
         "metadata": {"salonops_owner": "\#(owner)", "salonops_id": "\#(key)", "salonops_digest": "d"}}
        """#
    }

    /// Every list of every kind, 100 a page, the next page after the last id while `has_more`;
    /// prices twice (active, then `active=false`, which Stripe lists only when asked).
    @Test func observePagesEveryListWithLimitAndStartingAfter() async throws {
        let harness = try harness { request in
            guard request.method == .GET else { throw FakeSession.Unanswered(route: .init(request.method, request.path)) }
            return Self.emptyList
        }
        let session = harness.session
        await session.answer(
            .GET, "/v1/products?limit=100",
            Self.list(
                [
                    Self.product("prod_a", key: "service:manucure"),
                    Self.product("prod_b", key: "service:massage-dos"),
                ], more: true))
        await session.answer(
            .GET, "/v1/products?limit=100&starting_after=prod_b",
            Self.list([Self.product("prod_c", key: "other", owner: "someone-else")], more: false))
        await session.answer(
            .GET, "/v1/prices?limit=100",
            Self.list(
                [
                    #"""
                    {"id": "price_1", "object": "price", "active": true, "product": "prod_a", "unit_amount": 3500, "currency": "eur",
                     "lookup_key": "salonops:service:manucure@paris-11",
                     "metadata": {"salonops_owner": "belle-epoque", "salonops_id": "service:manucure@paris-11"}}
                    """#
                ], more: false))
        await session.answer(
            .GET, "/v1/prices?active=false&limit=100",
            Self.list(
                [
                    #"""
                    {"id": "price_0", "object": "price", "active": false, "product": {"id": "prod_a", "object": "product"},
                     "unit_amount": 3000, "currency": "eur", "metadata": {}}
                    """#
                ], more: true))
        await session.answer(.GET, "/v1/prices?active=false&limit=100&starting_after=price_0", Self.emptyList)

        let observed = try await harness.observe()

        #expect(
            await session.readPaths == [
                "/v1/coupons?limit=100", "/v1/plans?limit=100",
                "/v1/prices?active=false&limit=100", "/v1/prices?active=false&limit=100&starting_after=price_0", "/v1/prices?limit=100",
                "/v1/products?limit=100", "/v1/products?limit=100&starting_after=prod_b",
                "/v1/tax_rates?limit=100", "/v1/webhook_endpoints?limit=100",
            ])
        let sent = await session.sent
        #expect(sent.allSatisfy { $0.header("Stripe-Version") == "2024-06-20" && $0.retryable && $0.endpoint == "api" })
        #expect(await session.writes.isEmpty)

        let products = observed.filter { $0.kind == "product" }
        #expect(products.map(\.remoteID) == ["prod_a", "prod_b", "prod_c"])
        #expect(products.map(\.key) == ["service:manucure", "service:massage-dos", "other"])
        #expect(products.map(\.owner) == ["belle-epoque", "belle-epoque", "someone-else"])
        let prices = observed.filter { $0.kind == "price" }.sorted { $0.remoteID < $1.remoteID }
        #expect(prices.map(\.remoteID) == ["price_0", "price_1"])
        #expect(prices.map(\.archived) == [true, false])
        // An expanded product reads as its id, like the plain one.
        #expect(prices.map { $0.references["product"] } == ["prod_a", "prod_a"])
        #expect(prices[1].fields["unit_amount"] == .int(3500))
    }

    /// A price create: every desired field in order, the product's remote id, the lookup key
    /// taken over, the three markers, the plan's idempotency key; the new id comes back.
    @Test func applyCreatesAPriceWithItsFormBody() async throws {
        let harness = try harness()
        let desired = try resource("price", "service:soin-visage-hydratant@bordeaux-chartrons", in: try harness.projection().resources)
        await harness.session.answer(.POST, "/v1/prices", json: .object([("id", .string("price_new")), ("object", .string("price"))]))
        let change = harness.change(.create, desired)
        let outcome = try await harness.apply(change, remoteIDs: [ResourceRef("product", "service:soin-visage-hydratant"): "prod_123"])

        #expect(outcome.remoteID == "price_new")
        let writes = await harness.session.writes
        try #require(writes.count == 1)
        let request = writes[0]
        #expect(request.method == .POST && request.path == "/v1/prices")
        #expect(request.header("Idempotency-Key") == "plan-test/stripe/price/service:soin-visage-hydratant@bordeaux-chartrons/create")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("Stripe-Version") == "2024-06-20")
        #expect(request.retryable, "an idempotency key makes a POST safe to send again")
        #expect(
            request.form.map { "\($0.name)=\($0.value)" } == [
                "active=true", "currency=eur", "lookup_key=salonops:service:soin-visage-hydratant@bordeaux-chartrons", "tax_behavior=inclusive",
                "unit_amount=5900", "product=prod_123", "transfer_lookup_key=true",
                "metadata[salonops_owner]=belle-epoque", "metadata[salonops_id]=service:soin-visage-hydratant@bordeaux-chartrons",
                "metadata[salonops_digest]=\(desired.digest)",
            ])
    }

    /// A product create takes SalonOps' deterministic id, so a create retried after a crash
    /// finds its product; a webhook create hands back its signing secret as write-only.
    @Test func applyCreatesAProductWithItsOwnIDAndAWebhookWithItsSecret() async throws {
        let harness = try harness()
        let all = try harness.projection().resources
        await harness.session.answer(.POST, "/v1/products", json: .object([("id", .string("so_belle_epoque_service_manucure"))]))
        _ = try await harness.apply(harness.change(.create, try resource("product", "service:manucure", in: all)))
        await harness.session.answer(
            .POST, "/v1/webhook_endpoints",
            json: .object([("id", .string("we_1")), ("secret", .string("whsec_test_1"))]))
        let webhook = try await harness.apply(harness.change(.create, try resource("webhook_endpoint", "webhook", in: all)))

        let writes = await harness.session.writes
        try #require(writes.count == 2)
        #expect(writes[0].form("id") == "so_belle_epoque_service_manucure")
        #expect(writes[0].form("name") == "Manucure")
        #expect(writes[0].form("metadata[category]") == "mains-et-pieds")
        #expect(writes[0].form("metadata[salonops_id]") == "service:manucure")
        #expect(writes[1].form.filter { $0.name.hasPrefix("enabled_events[") }.map(\.name) == (0..<5).map { "enabled_events[\($0)]" })
        #expect(webhook.remoteID == "we_1")
        #expect(webhook.writeOnly["secret"] == Array("whsec_test_1".utf8))
    }

    /// An update posts the changed fields only, with the markers (the digest moves) and an
    /// idempotency key, to the observed id.
    @Test func applyUpdatesOnlyTheChangedFields() async throws {
        let harness = try harness()
        let desired = try resource("product", "service:soin-visage-hydratant", in: try harness.projection().resources)
        var fields = desired.fields
        fields["name"] = .string("Soin hydratant (ancien nom)")
        let observed = ObservedResource(
            kind: "product", remoteID: "so_belle_epoque_service_soin_visage_hydratant", key: desired.key,
            owner: "belle-epoque", fields: fields, appliedDigest: "0000000000000000",
            title: "Soin hydratant (ancien nom)")
        await harness.session.answer(
            .POST, "/v1/products/so_belle_epoque_service_soin_visage_hydratant",
            json: .object([("id", .string(observed.remoteID))]))
        let change = harness.change(.update, desired, observed: observed)
        #expect(change.fieldChanges.map(\.field) == ["name"])
        let outcome = try await harness.apply(change, observed: observed, idempotencyKey: "plan-7/" + change.id)

        #expect(outcome.remoteID == observed.remoteID)
        let writes = await harness.session.writes
        try #require(writes.count == 1)
        #expect(writes[0].header("Idempotency-Key") == "plan-7/stripe/product/service:soin-visage-hydratant/update")
        #expect(writes[0].form.map(\.name) == ["name", "metadata[salonops_owner]", "metadata[salonops_id]", "metadata[salonops_digest]"])
        #expect(writes[0].form("name") == "Soin visage hydratant")
        #expect(writes[0].form("metadata[salonops_digest]") == desired.digest)
    }

    /// Stripe's classifier, applied by the fake as by the transport: a 503 on an idempotent
    /// create is tried again; a 400 is the typed refusal naming the parameter, tried once.
    @Test func answersAreClassifiedAsTheTransportDoes() async throws {
        let harness = try harness()
        let all = try harness.projection().resources
        let session = harness.session
        await session.answer(
            .POST, "/v1/tax_rates",
            FakeSession.json(
                #"{"error": {"type": "api_error", "message": "overloaded"}}"#, status: 503,
                headers: ["Retry-After": "2"]),
            FakeSession.json(#"{"id": "txr_1"}"#))
        let rate = try await harness.apply(harness.change(.create, try resource("tax_rate", "vat:20", in: all)))
        #expect(rate.remoteID == "txr_1")
        #expect(await session.sent.count == 2)
        let retries = await session.retries
        #expect(retries.map(\.after) == [Duration.seconds(2)])
        #expect(retries.first?.error.kind == .transient)

        await session.clearRecord()
        await session.answer(
            .POST, "/v1/coupons",
            FakeSession.json(
                #"""
                {"error": {"type": "invalid_request_error", "code": "parameter_invalid_integer", "param": "redeem_by",
                           "message": "Invalid timestamp"}}
                """#, status: 400))
        await #expect {
            _ = try await harness.apply(harness.change(.create, try resource("coupon", "offer:fete-des-meres-2027:coupon", in: all)))
        } throws: { error in
            (error as? ProviderError)?.kind == .invalid(field: "redeem_by") && (error as? ProviderError)?.status == 400
        }
        #expect(await session.sent.count == 1)
    }
}

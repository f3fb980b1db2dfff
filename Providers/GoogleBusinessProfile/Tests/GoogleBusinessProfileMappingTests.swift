import Foundation
import SalonOpsCore
@testable import SalonOpsGoogleBusinessProfile
import SalonOpsProviderKit
import SalonOpsProviderTesting
import SalonOpsProviders
import Testing

/// The Business Profile projection of examples/salon-chain, the provider's rules `validate`
/// checks, and the adapter's wire requests over a FakeSession (no socket): the listing with its
/// `readMask`, the PATCH with an `updateMask` naming the changed blocks, hours as GBP writes
/// them (00:00 as `{}`, midnight as 24), and holdings read back.
@Suite struct GoogleBusinessProfileMappingTests {
    static let paris = "locations/4215789963021547812"

    func harness(_ state: DesiredState? = nil) throws -> AdapterHarness {
        try AdapterHarness(GoogleBusinessProfile.self, integration: "google-business-profile", in: state ?? ExampleConfig.state())
    }

    func location(_ establishment: String, in harness: AdapterHarness) throws -> DesiredResource {
        try #require(harness.projection().resources.first { $0.key == establishment })
    }

    // MARK: projection

    @Test func oneLocationPerEstablishmentBoundByItsID() throws {
        let projection = try harness().projection()
        #expect(projection.resources.map(\.key).sorted() == ["bordeaux-chartrons", "lyon-2", "paris-11"])
        #expect(projection.resources.allSatisfy { $0.kind == "location" && $0.remoteID?.hasPrefix("locations/") == true })
        let paris = try #require(projection.resources.first { $0.key == "paris-11" })
        #expect(paris.remoteID == Self.paris)
        #expect(Set(paris.fields.keys) == ["regularHours", "specialHours", "phoneNumbers.primaryPhone", "websiteUri", "profile.description", "serviceItems"])
        #expect(paris.fields["phoneNumbers.primaryPhone"] == .string("+33199001142"))
        // Duration and VAT cannot be said in Business Profile: the plan says so.
        #expect(projection.notes.contains { $0.message.contains("no field for the duration or the VAT") })
    }

    /// Thursday's late opening and a Saturday that starts at 09:30, in the shared hours form.
    @Test func hoursAreTheEstablishmentsWeek() throws {
        let paris = try location("paris-11", in: harness())
        let periods = try #require(OpeningHoursField.periods(paris.fields["regularHours"]))
        #expect(periods.count == 5)
        #expect(periods.contains(OpeningHoursField.Period(day: .thursday, opens: "10:00", closes: "21:00")))
        #expect(periods.contains(OpeningHoursField.Period(day: .saturday, opens: "09:30", closes: "18:30")))
        let lyon = try location("lyon-2", in: harness())
        #expect(OpeningHoursField.periods(lyon.fields["regularHours"])?.filter { $0.day == .tuesday }.count == 2, "lunch break: two periods")
    }

    /// A special period is under 24 hours: the 14-day summer closure is 14 closed days.
    @Test func eachClosedDayIsOneClosedSpecialPeriod() throws {
        let paris = try location("paris-11", in: harness())
        guard case .list(let days)? = paris.fields["specialHours"] else {
            Issue.record("no specialHours")
            return
        }
        #expect(days.count == 3 + 14)
        #expect(days.first == .object([FieldEntry("date", .string("2026-12-25")), FieldEntry("closed", .bool(true))]))
        #expect(days.contains(.object([FieldEntry("date", .string("2027-08-22")), FieldEntry("closed", .bool(true))])))
    }

    /// Bordeaux's own prices (overrides), in minor units.
    @Test func servicesCarryTheEstablishmentsPrice() throws {
        let bordeaux = try location("bordeaux-chartrons", in: harness())
        guard case .list(let items)? = bordeaux.fields["serviceItems"] else {
            Issue.record("no serviceItems")
            return
        }
        #expect(
            items.contains(
                .object([FieldEntry("label", .string("Soin visage hydratant")), FieldEntry("price", .int(5900)), FieldEntry("currency", .string("EUR"))])))
    }

    // MARK: validate

    static func exampleFiles() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try ExampleConfig.files("examples/salon-chain").map { ($0.path, String(decoding: $0.contents, as: UTF8.self)) })
    }

    /// The example with `edit` made to its files, loaded and validated: GBP's rules only.
    func diagnostics(_ edit: (inout [String: String]) -> Void) throws -> [Diagnostic] {
        var files = try Self.exampleFiles()
        edit(&files)
        let config = files.map { ConfigFile(path: $0.key, repositoryPath: "examples/salon-chain/" + $0.key, contents: Array($0.value.utf8)) }
        let result = ConfigLoader.load(config.sorted { $0.path < $1.path }, catalog: Registry.catalog)
        return result.diagnostics.filter { $0.code == .providerRule && $0.message.contains("google-business-profile") }
    }

    @Test func anEstablishmentWithoutALocationIsAnErrorAtTheSetting() throws {
        let found = try diagnostics { files in
            files["integrations/google-business-profile.yaml"] = files["integrations/google-business-profile.yaml"]!.replacingOccurrences(
                of: "      lyon-2: \"locations/9012336741250987716\"\n", with: "")
        }
        let error = try #require(found.first { $0.message.contains("'lyon-2' has no location") })
        #expect(error.severity == .error && error.location.file.hasSuffix("integrations/google-business-profile.yaml"))
        #expect(error.hint?.contains("lyon-2: locations/<id>") == true)
    }

    @Test func aMalformedLocationNameIsLocatedOnItsLine() throws {
        let found = try diagnostics { files in
            files["integrations/google-business-profile.yaml"] = files["integrations/google-business-profile.yaml"]!.replacingOccurrences(
                of: "\"locations/9012336741250987716\"", with: "\"9012336741250987716\"")
        }
        let error = try #require(found.first { $0.message.contains("is not a Business Profile location name") })
        let lines = try Self.exampleFiles()["integrations/google-business-profile.yaml"]!.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[error.location.line - 1].contains("lyon-2:"))
    }

    /// Special hours need regular hours: closures of an establishment with no open day.
    @Test func closuresWithoutHoursAreRefusedBeforeAnyCall() throws {
        let found = try diagnostics { files in
            var text = files["establishments/lyon-2.yaml"]!
            for day in ["tuesday", "wednesday", "thursday", "friday", "saturday"] {
                text = text.replacingOccurrences(of: #"(?m)^    \#(day): .*$"#, with: "    \(day): []", options: .regularExpression)
            }
            files["establishments/lyon-2.yaml"] = text
        }
        let error = try #require(found.first { $0.message.contains("SPECIAL_HOURS_SET_WITHOUT_REGULAR_HOURS") })
        #expect(error.location.file.hasSuffix("establishments/lyon-2.yaml") && error.location.line > 1)
    }

    @Test func theExampleHasNoGBPProblem() throws {
        #expect(try diagnostics { _ in }.isEmpty)
    }

    // MARK: wire

    static let listed: JSONValue = .object([
        ("name", .string(paris)), ("title", .string("Belle Époque Paris 11")),
        ("categories", .object([("primaryCategory", .object([("name", .string("categories/gcid:beauty_salon"))]))])),
        (
            "regularHours",
            .object([
                (
                    "periods",
                    .array([
                        .object([
                            ("openDay", .string("THURSDAY")), ("openTime", .object([("hours", .int(10))])), ("closeDay", .string("THURSDAY")),
                            ("closeTime", .object([("hours", .int(19))])),
                        ]),
                        // Overnight, as someone might enter it by hand: two periods in the config's terms.
                        .object([
                            ("openDay", .string("SATURDAY")), ("openTime", .object([("hours", .int(22))])), ("closeDay", .string("SUNDAY")),
                            ("closeTime", .object([("hours", .int(2))])),
                        ]),
                    ])
                )
            ])
        ),
        (
            "specialHours",
            .object([("specialHourPeriods", .array([.object([("startDate", .object([("year", .int(2026)), ("month", .int(12)), ("day", .int(25))])), ("closed", .bool(true))])]))])
        ),
        ("phoneNumbers", .object([("primaryPhone", .string("+33199001142")), ("additionalPhones", .array([.string("+33600000000")]))])),
        ("labels", .array([.string("vitrine"), .string("salonops_owner=belle-epoque"), .string("salonops_id=paris-11"), .string("salonops_digest=d1")])),
        (
            "serviceItems",
            .array([
                .object([
                    ("freeFormServiceItem", .object([("category", .string("categories/gcid:beauty_salon")), ("label", .object([("displayName", .string("Manucure"))]))])),
                    ("price", .object([("currencyCode", .string("EUR")), ("units", .string("35")), ("nanos", .int(500_000_000))])),
                ])
            ])
        ),
    ])

    @Test func observeListsTheAccountsLocationsWithOneReadMask() async throws {
        let harness = try harness()
        let path = "/v1/accounts/108251993420557718234/locations?readMask=\(Query.encode(GoogleBusinessProfileWire.readMask))&pageSize=100"
        await harness.session.answer(.GET, path, json: .object([("locations", .array([Self.listed]))]))
        let observed = try await harness.observe()
        let paris = try #require(observed.first)
        #expect(paris.remoteID == Self.paris && paris.key == "paris-11" && paris.owner == "belle-epoque" && paris.appliedDigest == "d1")
        let hours = try #require(OpeningHoursField.holdings(paris.fields["regularHours"]))
        #expect(hours["thursday"] == ["10:00-19:00"])
        #expect(hours["saturday"] == ["22:00-24:00"] && hours["sunday"] == ["00:00-02:00"])
        #expect(paris.fields["specialHours"] == .list([.object([FieldEntry("date", .string("2026-12-25")), FieldEntry("closed", .bool(true))])]))
        #expect(
            paris.fields["serviceItems"]
                == .list([.object([FieldEntry("label", .string("Manucure")), FieldEntry("price", .int(3550)), FieldEntry("currency", .string("EUR"))])]))
    }

    /// Only the changed blocks in the mask, plus the labels (markers, the owner's own labels
    /// kept); midnight as `{}` and 24; the additional phones kept; counted as an edit of this
    /// location.
    @Test func applyPatchesTheChangedBlocksWithAnUpdateMask() async throws {
        let harness = try harness()
        var desired = try location("paris-11", in: harness)
        desired.fields["regularHours"] = OpeningHoursField.value([
            OpeningHoursField.Period(day: .friday, opens: "00:00", closes: "24:00"), OpeningHoursField.Period(day: .thursday, opens: "10:00", closes: "21:00"),
        ])
        var fields = desired.fields
        fields["regularHours"] = .list([])
        fields["phoneNumbers.primaryPhone"] = .string("+33100000000")
        let observed = ObservedResource(
            kind: "location", remoteID: Self.paris, key: "paris-11", owner: "belle-epoque", fields: fields, title: "Paris", raw: Self.listed.serialized)
        let path = "/v1/\(Self.paris)?updateMask=\(Query.encode("phoneNumbers,regularHours,labels"))"
        await harness.session.answer(.PATCH, path, json: Self.listed)
        let change = harness.change(.update, desired, observed: observed)
        #expect(Set(change.fieldChanges.map(\.field)) == ["regularHours", "phoneNumbers.primaryPhone"])
        _ = try await harness.apply(change, observed: observed)

        let writes = await harness.session.writes
        try #require(writes.count == 1)
        #expect(writes[0].rateKeys == ["edits:\(Self.paris)"] && writes[0].retryable)
        let body = try #require(writes[0].json)
        let periods = try #require(body.at("regularHours.periods")?.array)
        #expect(periods.count == 2)
        // (A parsed body's keys are in order.)
        #expect(
            periods[0]
                == .object([
                    ("closeDay", .string("THURSDAY")), ("closeTime", .object([("hours", .int(21))])), ("openDay", .string("THURSDAY")),
                    ("openTime", .object([("hours", .int(10))])),
                ]))
        #expect(periods[1] == .object([("closeDay", .string("FRIDAY")), ("closeTime", .object([("hours", .int(24))])), ("openDay", .string("FRIDAY")), ("openTime", .object([]))]))
        #expect(body.at("phoneNumbers.additionalPhones") == .array([.string("+33600000000")]))
        let labels = body["labels"]?.array?.compactMap(\.string) ?? []
        #expect(labels == ["vitrine", "salonops_owner=belle-epoque", "salonops_id=paris-11", "salonops_digest=\(desired.digest)"])
        #expect(body["specialHours"] == nil && body["serviceItems"] == nil)
    }

    /// A quota answer is throttling (retried after Google's delay); a refused value names its
    /// field and GBP's reason.
    @Test func googleErrorsAreTyped() {
        let throttled = ProviderResponse(
            status: 429, headers: ["retry-after": "7"],
            body: Array(
                #"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}"#
                    .utf8))
        guard case .retry(let after, let error) = GoogleBusinessProfile.traits.classify(throttled) else {
            Issue.record("429 is retried")
            return
        }
        #expect(after == .seconds(7) && error.message.contains("RATE_LIMIT_EXCEEDED"))
        let invalid = ProviderResponse(
            status: 400, headers: [:],
            body: Array(
                #"{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"INVALID_TIME_SCHEDULE","metadata":{"field_mask":"regularHours"}}]}}"#
                    .utf8))
        guard case .failure(let refused) = GoogleBusinessProfile.traits.classify(invalid) else {
            Issue.record("400 is a failure")
            return
        }
        #expect(refused.kind == .invalid(field: "regularHours") && refused.message.contains("INVALID_TIME_SCHEDULE"))
    }

    /// Holdings in the config's terms: hours, closed days, services by catalogue name with a
    /// price and no duration.
    @Test func holdingsReadTheLocationBack() async throws {
        let harness = try harness()
        let observed = try #require(GoogleBusinessProfileWire.location(Self.listed))
        let held = try #require(harness.adapter.holdings([observed], in: harness.state)["paris-11"])
        #expect(held.hours?["thursday"] == ["10:00-19:00"] && held.hours?["monday"] == [])
        #expect(held.closedDays == ["2026-12-25"])
        #expect(held.services == [HeldService(name: "manucure", title: "Manucure", price: 3550, currency: "EUR")])
        let view = ConsistencyView.make(
            state: harness.state,
            held: [
                "paris-11": [
                    ConsistencyView.Held(integration: "google-business-profile", provider: "google-business-profile", providerName: "Google Business Profile", holdings: held)
                ]
            ])
        let differences = view.establishments.first?.providers.first?.differences ?? []
        #expect(differences.contains("Google Business Profile · Belle Époque Paris 11 – Oberkampf : jeudi 10:00–19:00 au lieu de 10:00–21:00"))
        #expect(differences.contains { $0.contains("fermeture du 01/01/2027 absente") })
        #expect(differences.contains { $0.contains("« Manucure » 35,50") })
    }
}

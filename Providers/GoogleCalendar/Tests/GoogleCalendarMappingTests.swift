import Foundation
import SalonOpsCore
import SalonOpsGoogleCalendar
import SalonOpsProviderKit
import SalonOpsProviderTesting
import Testing

/// The Google Calendar projection of the repository's own examples/salon-chain, number by
/// number, and the adapter's wire requests over a FakeSession (no socket): observe's paging and
/// owner filter, and the JSON bodies of a create and an update (`If-Match` on events).
@Suite struct GoogleCalendarMappingTests {
    static let calendarID = "c1@group.calendar.google.com"
    static let calendarPath = "/calendars/c1%40group.calendar.google.com"

    func harness(_ state: DesiredState? = nil, responder: FakeSession.Responder? = nil) throws -> AdapterHarness {
        try AdapterHarness(GoogleCalendar.self, integration: "google-calendar", in: state ?? ExampleConfig.state(), responder: responder)
    }

    func resource(_ kind: String, _ key: String, in resources: [DesiredResource]) throws -> DesiredResource {
        try #require(resources.first { $0.kind == kind && $0.key == key }, "no \(kind) \(key)")
    }

    // MARK: projection

    /// Bordeaux: 4 staff + 3 rooms, 5 closures; Lyon: 3 + 3, 4; Paris: 5 + 4, 4. Writers: the 4
    /// staff members with an email; the reader group on all 22 calendars.
    @Test func aCalendarPerStaffMemberAndRoomWithItsRulesAndClosures() throws {
        let projection = try harness().projection()
        let all = projection.resources
        let counts = Dictionary(grouping: all, by: \.kind).mapValues(\.count)
        #expect(counts == ["calendar": 22, "acl": 26, "closure": 35 + 24 + 36])
        let calendars = all.filter { $0.kind == "calendar" }
        #expect(
            Dictionary(grouping: calendars, by: { $0.establishment ?? "?" }).mapValues(\.count)
                == ["bordeaux-chartrons": 7, "lyon-2": 6, "paris-11": 9])
        #expect(calendars.filter { $0.key.hasPrefix("staff:") }.count == 12)
        #expect(calendars.filter { $0.key.hasPrefix("room:") }.count == 10)

        let camille = try resource("calendar", "staff:paris-11/camille", in: all)
        let description = "Agenda de Camille Martin (responsable d'institut), Belle Époque Paris 11 – Oberkampf."
        #expect(
            camille.fields == [
                "summary": .string("Belle Époque – Camille Martin"), "description": .string(description),
                "timeZone": .string("Europe/Paris"),
            ])
        let room = try resource("calendar", "room:paris-11/cabine-1", in: all)
        #expect(room.fields["summary"] == .string("Belle Époque – Cabine Lumière · Belle Époque Paris 11 – Oberkampf"))
        #expect(room.fields["description"] == .string("Agenda de la salle Cabine Lumière, Belle Époque Paris 11 – Oberkampf."))
    }

    /// `writer` for a staff member with an email only, `reader` for the front desk's group on
    /// every calendar, each rule referring to its calendar by kind.
    @Test func writersAreTheStaffWithAnEmailAndTheGroupReadsEverything() throws {
        let all = try harness().projection().resources
        let rules = all.filter { $0.kind == "acl" }
        let writers = rules.filter { $0.fields["role"] == .string("writer") }
        #expect(
            writers.map(\.key).sorted() == [
                "staff:bordeaux-chartrons/julie|user:julie.moreau@belle-epoque.example",
                "staff:lyon-2/sarah|user:sarah.lefevre@belle-epoque.example",
                "staff:paris-11/camille|user:camille.martin@belle-epoque.example",
                "staff:paris-11/ines|user:ines.benali@belle-epoque.example",
            ])
        #expect(writers.allSatisfy { $0.fields["scope.type"] == .string("user") })
        let readers = rules.filter { $0.fields["role"] == .string("reader") }
        #expect(readers.count == 22)
        #expect(
            readers.allSatisfy {
                $0.fields["scope.type"] == .string("group") && $0.fields["scope.value"] == .string("accueil@belle-epoque.example")
            })
        let calendarKeys = Set(all.filter { $0.kind == "calendar" }.map(\.key))
        #expect(Set(readers.compactMap { $0.references["calendar"]?.key }) == calendarKeys)
        for rule in rules {
            let parent = try #require(rule.references["calendar"])
            #expect(parent.kind == "calendar" && rule.key.hasPrefix(parent.key + "|"), "\(rule.key)")
        }
        // A room never has a writer.
        #expect(!writers.contains { $0.key.hasPrefix("room:") })
    }

    /// The staff without an email get their calendar and a note saying nobody can write to it.
    @Test func staffWithoutAnEmailGetANote() throws {
        let notes = try harness().projection().notes
        let missing = notes.filter { $0.kind == "acl" }
        #expect(
            missing.compactMap(\.key).sorted() == [
                "staff:bordeaux-chartrons/emma", "staff:bordeaux-chartrons/hugo", "staff:bordeaux-chartrons/nadia",
                "staff:lyon-2/chloe", "staff:lyon-2/manon",
                "staff:paris-11/lea", "staff:paris-11/sofia", "staff:paris-11/thomas",
            ])
        let nadia = try #require(missing.first { $0.key == "staff:bordeaux-chartrons/nadia" })
        #expect(nadia.message.contains("Nadia Haddad") && nadia.message.contains("no email"))
        #expect(notes.filter { $0.kind == nil }.count == 1, "the note on what Calendar does not hold")
    }

    /// A closure per closure per calendar, all-day and busy, its end date exclusive: the day
    /// after the last closed day, a month or a year later where it falls so.
    @Test func closuresEndTheDayAfterTheirLastDay() throws {
        let all = try harness().projection().resources
        let closures = all.filter { $0.kind == "closure" }
        let summer = try resource("closure", "staff:paris-11/camille@2027-08-09", in: all)
        #expect(
            summer.fields == [
                "summary": .string("Fermé · Congés d'été"), "start.date": .string("2027-08-09"),
                "end.date": .string("2027-08-23"), "transparency": .string("opaque"),
            ])
        #expect(summer.references == ["calendar": ResourceRef("calendar", "staff:paris-11/camille")])
        let bordeauxSummer = try resource("closure", "room:bordeaux-chartrons/cabine-vigne@2027-08-16", in: all)
        #expect(bordeauxSummer.fields["end.date"] == .string("2027-08-30"))
        #expect(try resource("closure", "room:lyon-2/cabine-2@2027-08-02", in: all).fields["end.date"] == .string("2027-08-22"))
        let christmas = try resource("closure", "staff:lyon-2/manon@2026-12-25", in: all)
        #expect(christmas.fields["start.date"] == .string("2026-12-25") && christmas.fields["end.date"] == .string("2026-12-26"))
        #expect(christmas.fields["summary"] == .string("Fermé · Noël"))
        #expect(try resource("closure", "staff:paris-11/lea@2027-01-01", in: all).fields["end.date"] == .string("2027-01-02"))

        // Each calendar carries its own establishment's closures, and only those.
        let starts: [String: Set<String>] = [
            "bordeaux-chartrons": ["2026-12-25", "2027-01-01", "2027-03-29", "2027-05-01", "2027-08-16"],
            "lyon-2": ["2026-12-25", "2027-01-01", "2027-03-16", "2027-08-02"],
            "paris-11": ["2026-12-25", "2027-01-01", "2027-05-01", "2027-08-09"],
        ]
        for calendar in all.filter({ $0.kind == "calendar" }) {
            let own = closures.filter { $0.references["calendar"]?.key == calendar.key }
            let dates = Set(
                own.compactMap { closure -> String? in
                    if case .string(let date) = closure.fields["start.date"] { return date }
                    return nil
                })
            #expect(dates == starts[calendar.establishment ?? ""], "\(calendar.key)")
        }
    }

    /// Calendars are in their establishment's time zone: the Organization's default unless the
    /// establishment names its own.
    @Test func calendarsTakeTheirEstablishmentsTimeZone() throws {
        var state = try ExampleConfig.state()
        let lyon = try #require(state.establishments.firstIndex { $0.metadata.name == "lyon-2" })
        state.establishments[lyon].timezone = "America/Martinique"
        let calendars = try harness(state).projection().resources.filter { $0.kind == "calendar" }
        for calendar in calendars {
            let zone = calendar.establishment == "lyon-2" ? "America/Martinique" : "Europe/Paris"
            #expect(calendar.fields["timeZone"] == .string(zone), "\(calendar.key)")
        }
        // The example itself: Paris names its zone, the others take the Organization's.
        let example = try ExampleConfig.state()
        #expect(example.establishments.allSatisfy { example.effectiveTimezone(of: $0) == "Europe/Paris" })
    }

    // MARK: wire, over a FakeSession

    static func calendarEntry(_ id: String, owner: String?, key: String?, role: String = "owner", primary: Bool = false) -> String {
        let tag = owner.map { "\\n\\n[salonops owner=\($0) id=\(key ?? "") digest=abc]" } ?? ""
        return #"""
            {"kind": "calendar#calendarListEntry", "id": "\#(id)", "summary": "S \#(id)", "description": "D\#(tag)",
             "timeZone": "Europe/Paris", "accessRole": "\#(role)", "primary": \#(primary)}
            """#
    }

    static let closureEvent = #"""
        {"kind": "calendar#event", "id": "abc123def456", "etag": "\"3181161234567000\"", "status": "confirmed", "summary": "Fermé · Noël",
         "start": {"date": "2026-12-25"}, "end": {"date": "2026-12-26"},
         "extendedProperties": {"private": {"salonops_owner": "belle-epoque", "salonops_id": "staff:paris-11/camille@2026-12-25",
                                            "salonops_digest": "d1"}}}
        """#

    /// The calendar list page after page (`maxResults=250`, `pageToken`); then, for each
    /// calendar this config owns (not the primary, not a shared one, not another owner's), its
    /// ACL (also paged) and its events filtered by the owner marker.
    @Test func observePagesTheCalendarListThenEachOwnedCalendar() async throws {
        let harness = try harness { _ in FakeSession.json(#"{"items": []}"#) }
        let session = harness.session
        await session.answer(
            .GET, "/users/me/calendarList?maxResults=250",
            FakeSession.json(
                #"""
                {"kind": "calendar#calendarList", "nextPageToken": "tok/2=", "items": [
                  \#(Self.calendarEntry("me@belle-epoque.example", owner: nil, key: nil, primary: true)),
                  \#(Self.calendarEntry(Self.calendarID, owner: "belle-epoque", key: "staff:paris-11/camille")),
                  \#(Self.calendarEntry("shared@group.calendar.google.com", owner: "belle-epoque", key: "room:x", role: "reader"))]}
                """#))
        await session.answer(
            .GET, "/users/me/calendarList?maxResults=250&pageToken=tok%2F2%3D",
            FakeSession.json(
                #"""
                {"kind": "calendar#calendarList", "items": [
                  \#(Self.calendarEntry("c2@group.calendar.google.com", owner: "another-chain", key: "staff:paris-11/camille")),
                  \#(Self.calendarEntry("c3@group.calendar.google.com", owner: "belle-epoque", key: "room:paris-11/cabine-1"))]}
                """#))
        await session.answer(
            .GET, "\(Self.calendarPath)/acl?maxResults=250",
            FakeSession.json(
                #"""
                {"nextPageToken": "acl-2", "items": [{"id": "user:agendas@belle-epoque.example", "role": "owner",
                                                      "scope": {"type": "user", "value": "agendas@belle-epoque.example"}}]}
                """#))
        await session.answer(
            .GET, "\(Self.calendarPath)/acl?maxResults=250&pageToken=acl-2",
            FakeSession.json(
                #"""
                {"items": [{"id": "user:camille.martin@belle-epoque.example", "etag": "\"e1\"", "role": "writer",
                            "scope": {"type": "user", "value": "Camille.Martin@belle-epoque.example"}}]}
                """#))
        await session.answer(
            .GET, "\(Self.calendarPath)/events?privateExtendedProperty=salonops_owner%3Dbelle-epoque&maxResults=2500",
            FakeSession.json(#"{"items": [\#(Self.closureEvent)]}"#))

        let observed = try await harness.observe()

        #expect(
            await session.readPaths == [
                "/calendars/c1%40group.calendar.google.com/acl?maxResults=250",
                "/calendars/c1%40group.calendar.google.com/acl?maxResults=250&pageToken=acl-2",
                "/calendars/c1%40group.calendar.google.com/events?privateExtendedProperty=salonops_owner%3Dbelle-epoque&maxResults=2500",
                "/calendars/c3%40group.calendar.google.com/acl?maxResults=250",
                "/calendars/c3%40group.calendar.google.com/events?privateExtendedProperty=salonops_owner%3Dbelle-epoque&maxResults=2500",
                "/users/me/calendarList?maxResults=250",
                "/users/me/calendarList?maxResults=250&pageToken=tok%2F2%3D",
            ])
        #expect(await session.writes.isEmpty)
        let calendars = observed.filter { $0.kind == "calendar" }
        #expect(calendars.map(\.remoteID) == [Self.calendarID, "c2@group.calendar.google.com", "c3@group.calendar.google.com"])
        #expect(calendars.map(\.owner) == ["belle-epoque", "another-chain", "belle-epoque"])
        #expect(calendars.first?.fields["description"] == .string("D"), "the marker tag is not part of the compared description")
        #expect(calendars.first?.appliedDigest == "abc")
        // The owner's own rule is not SalonOps'; scopes compare lowercased.
        let rules = observed.filter { $0.kind == "acl" }
        #expect(rules.map(\.remoteID) == ["\(Self.calendarID)/user:camille.martin@belle-epoque.example"])
        #expect(rules.first?.fields["scope.value"] == .string("camille.martin@belle-epoque.example"))
        let closures = observed.filter { $0.kind == "closure" }
        #expect(closures.map(\.remoteID) == ["\(Self.calendarID)/abc123def456"])
        #expect(closures.first?.key == "staff:paris-11/camille@2026-12-25")
        #expect(closures.first?.version == "\"3181161234567000\"")
    }

    /// A closure insert: JSON with a client-chosen id (base32hex, so a retried insert is a
    /// duplicate, not a second event), the all-day dates and the markers; no mail sent.
    @Test func applyCreatesAClosureWithItsOwnIDAndMarkers() async throws {
        let harness = try harness()
        let all = try harness.projection().resources
        let desired = try resource("closure", "staff:paris-11/camille@2027-08-09", in: all)
        let calendarRef = ResourceRef("calendar", "staff:paris-11/camille")
        await harness.session.answer(
            .POST, "\(Self.calendarPath)/events?sendUpdates=none",
            json: .object([("id", .string("e1")), ("etag", .string("\"1\""))]))
        let outcome = try await harness.apply(harness.change(.create, desired), remoteIDs: [calendarRef: Self.calendarID])

        #expect(outcome.remoteID == "\(Self.calendarID)/e1")
        #expect(outcome.version == "\"1\"")
        let writes = await harness.session.writes
        try #require(writes.count == 1)
        let request = writes[0]
        #expect(request.method == .POST && request.retryable)
        #expect(request.header("Content-Type") == "application/json")
        let body = try #require(request.json)
        let id = try #require(body["id"]?.string)
        #expect(id.count >= 5 && id.allSatisfy { "abcdefghijklmnopqrstuv0123456789".contains($0) }, "\(id)")
        #expect(body["summary"]?.string == "Fermé · Congés d'été")
        #expect(body.at("start.date")?.string == "2027-08-09")
        #expect(body.at("end.date")?.string == "2027-08-23")
        #expect(body["transparency"]?.string == "opaque")
        // (A parsed body's keys are in order.)
        #expect(
            body.at("extendedProperties.private")
                == .object([
                    ("salonops_digest", .string(desired.digest)), ("salonops_id", .string(desired.key)),
                    ("salonops_owner", .string("belle-epoque")),
                ]))

        // The same closure gets the same id again; another closure another id.
        await harness.session.clearRecord()
        _ = try await harness.apply(harness.change(.create, desired), remoteIDs: [calendarRef: Self.calendarID])
        let other = try resource("closure", "staff:paris-11/camille@2026-12-25", in: all)
        _ = try await harness.apply(harness.change(.create, other), remoteIDs: [calendarRef: Self.calendarID])
        let ids = await harness.session.writes.compactMap { $0.json?["id"]?.string }
        #expect(ids.count == 2 && ids[0] == id && ids[1] != id)
    }

    /// An event update: PATCH with the observed ETag in `If-Match`; a 412 (changed meanwhile)
    /// comes back as the typed conflict, tried once.
    @Test func applyUpdatesAClosureWithIfMatch() async throws {
        let harness = try harness()
        let desired = try resource("closure", "staff:paris-11/camille@2027-08-09", in: try harness.projection().resources)
        var fields = desired.fields
        fields["end.date"] = .string("2027-08-20")
        let observed = ObservedResource(
            kind: "closure", remoteID: "\(Self.calendarID)/e1", key: desired.key, owner: "belle-epoque",
            fields: fields, references: ["calendar": Self.calendarID], appliedDigest: "old",
            version: "\"etag-7\"", title: "Fermé")
        let path = "\(Self.calendarPath)/events/e1?sendUpdates=none"
        await harness.session.answer(.PATCH, path, json: .object([("id", .string("e1")), ("etag", .string("\"etag-8\""))]))
        let change = harness.change(.update, desired, observed: observed)
        #expect(change.fieldChanges.map(\.field) == ["end.date"])
        let outcome = try await harness.apply(change, observed: observed)

        #expect(outcome.version == "\"etag-8\"")
        let writes = await harness.session.writes
        try #require(writes.count == 1)
        #expect(writes[0].method == .PATCH && writes[0].path == path)
        #expect(writes[0].header("If-Match") == "\"etag-7\"")
        #expect(writes[0].json?.at("end.date")?.string == "2027-08-23")
        #expect(writes[0].json?.at("extendedProperties.private.salonops_digest")?.string == desired.digest)

        await harness.session.clearRecord()
        await harness.session.answer(
            .PATCH, path,
            FakeSession.json(
                #"""
                {"error": {"code": 412, "message": "Precondition Failed",
                           "errors": [{"domain": "global", "reason": "conditionNotMet", "message": "Precondition Failed"}]}}
                """#, status: 412))
        await #expect {
            _ = try await harness.apply(change, observed: observed)
        } throws: { error in
            (error as? ProviderError)?.kind == .conflict
        }
        #expect(await harness.session.sent.count == 1)
    }

    /// A calendar insert carries the marker tag in its description; an ACL insert the scope
    /// and role, without a notification mail.
    @Test func applyCreatesACalendarAndItsWriterRule() async throws {
        let harness = try harness()
        let all = try harness.projection().resources
        let calendar = try resource("calendar", "staff:paris-11/camille", in: all)
        await harness.session.answer(.POST, "/calendars", json: .object([("id", .string(Self.calendarID)), ("etag", .string("\"c\""))]))
        let made = try await harness.apply(harness.change(.create, calendar))
        #expect(made.remoteID == Self.calendarID)

        let rule = try resource("acl", "staff:paris-11/camille|user:camille.martin@belle-epoque.example", in: all)
        await harness.session.answer(
            .POST, "\(Self.calendarPath)/acl?sendNotifications=false",
            json: .object([
                ("id", .string("user:camille.martin@belle-epoque.example")),
                ("role", .string("writer")),
            ]))
        let granted = try await harness.apply(
            harness.change(.create, rule),
            remoteIDs: [ResourceRef("calendar", calendar.key): Self.calendarID])
        #expect(granted.remoteID == "\(Self.calendarID)/user:camille.martin@belle-epoque.example")

        let writes = await harness.session.writes
        try #require(writes.count == 2)
        #expect(
            writes[0].json
                == .object([
                    (
                        "description",
                        .string(
                            "Agenda de Camille Martin (responsable d'institut), Belle Époque Paris 11 – Oberkampf.\n\n"
                                + "[salonops owner=belle-epoque id=staff:paris-11/camille digest=\(calendar.digest)]")
                    ),
                    ("summary", .string("Belle Époque – Camille Martin")),
                    ("timeZone", .string("Europe/Paris")),
                ]))
        #expect(
            writes[1].json
                == .object([
                    ("role", .string("writer")),
                    ("scope", .object([("type", .string("user")), ("value", .string("camille.martin@belle-epoque.example"))])),
                ]))
    }
}

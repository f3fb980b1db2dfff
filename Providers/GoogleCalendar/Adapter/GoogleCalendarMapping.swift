import SalonOpsProviderKit

/// The config projected into Google Calendar (pure):
/// - a secondary calendar per staff member (`calendarPerStaff`, default on) and per room
///   (`calendarPerRoom`, default on) of each establishment the Integration covers, in the
///   establishment's time zone;
/// - on each, the staff member as `writer` (when the config gives an email) and the
///   `readerGroup` as `reader`;
/// - an all-day busy event per closure in each calendar (`blockClosures`, default on).
enum GoogleCalendarMapping {
    static func project(_ integration: Integration, _ state: DesiredState) -> Projection {
        let settings = SettingsReader(integration.settings?.value)
        let prefix = settings.string("calendarNamePrefix") ?? ""
        let perStaff = settings.bool("calendarPerStaff") ?? true
        let perRoom = settings.bool("calendarPerRoom") ?? true
        let closures = settings.bool("blockClosures") ?? true
        let readers = settings.string("readerGroup")
        var projection = Projection()
        for establishment in state.establishments.sorted(by: { $0.metadata.name < $1.metadata.name })
        where integration.establishments.includes(establishment.metadata.name) {
            let place = establishment.metadata.name
            let zone = state.effectiveTimezone(of: establishment)
            var calendars: [(key: String, summary: String, description: String, writer: String?)] = []
            if perStaff {
                for member in establishment.staff {
                    let role = member.role.map { " (\($0))" } ?? ""
                    calendars.append(
                        (
                            "staff:\(place)/\(member.name)", prefix + member.displayName,
                            "Agenda de \(member.displayName)\(role), \(establishment.displayName).", member.email
                        ))
                    if member.email == nil {
                        projection.notes.append(
                            PlanNote(
                                kind: "acl", key: "staff:\(place)/\(member.name)",
                                "\(member.displayName) (\(establishment.displayName)) has no email in the config: the calendar is made, but nobody gets write access to it"))
                    }
                }
            }
            if perRoom {
                for room in establishment.rooms {
                    let name = room.displayName ?? room.name
                    calendars.append(
                        (
                            "room:\(place)/\(room.name)", prefix + name + " · " + establishment.displayName,
                            "Agenda de la salle \(name), \(establishment.displayName).", nil
                        ))
                }
            }
            for calendar in calendars {
                projection.resources.append(
                    DesiredResource(
                        kind: "calendar", key: calendar.key, establishment: place, title: calendar.summary,
                        fields: ["summary": .string(calendar.summary), "description": .string(calendar.description), "timeZone": .string(zone)],
                        naturalKey: calendar.summary))
                let parent = ResourceRef("calendar", calendar.key)
                var rules: [(String, String, String)] = []
                if let writer = calendar.writer { rules.append(("user", writer.lowercased(), "writer")) }
                if let readers { rules.append(("group", readers.lowercased(), "reader")) }
                for (type, value, role) in rules {
                    projection.resources.append(
                        DesiredResource(
                            kind: "acl", key: "\(calendar.key)|\(type):\(value)", establishment: place, title: "\(value) → \(calendar.summary)",
                            fields: ["role": .string(role), "scope.type": .string(type), "scope.value": .string(value)],
                            references: ["calendar": parent], naturalKey: "\(type):\(value)"))
                }
                guard closures else { continue }
                for closure in establishment.closures {
                    let summary = "Fermé" + (closure.reason.map { " · \($0)" } ?? "")
                    projection.resources.append(
                        DesiredResource(
                            kind: "closure", key: "\(calendar.key)@\(closure.from)", establishment: place, title: "\(summary) (\(closure.from))",
                            // The end date is exclusive in Calendar: the day after the last closed day.
                            fields: [
                                "summary": .string(summary), "start.date": .string(closure.from.description),
                                "end.date": .string(closure.to.next.description), "transparency": .string("opaque"),
                            ],
                            references: ["calendar": parent]))
                }
            }
        }
        if !projection.resources.isEmpty {
            projection.notes.append(PlanNote("Google Calendar holds calendars, access and closures only: opening hours, services and prices are not published there"))
        }
        return projection
    }

    /// Before any call: calendars nobody but the delegated user could open are worth a word.
    static func validate(_ integration: Integration, _ state: DesiredState) -> [Diagnostic] {
        let settings = SettingsReader(integration.settings?.value)
        guard settings.string("readerGroup") == nil, settings.bool("calendarPerRoom") ?? true else { return [] }
        let rooms = state.establishments.filter { integration.establishments.includes($0.metadata.name) }.flatMap(\.rooms)
        guard !rooms.isEmpty else { return [] }
        let location = integration.settings?.location ?? integration.metadata.location
        return [
            Diagnostic(
                .warning, .providerRule, at: location,
                "Integration '\(integration.metadata.name)': \(rooms.count) room calendar(s) would be visible to the delegated user only",
                hint: "add 'readerGroup: <the front desk's Google group>' under settings, or 'calendarPerRoom: false'")
        ]
    }
}

extension GoogleCalendarMapping {
    /// For the consistency view: the days each establishment is closed in Google Calendar, a day
    /// counting only when every one of its calendars blocks it (a staff member whose calendar
    /// lacks the closure can still be booked). Calendar carries no hours or services.
    static func holdings(_ resources: [ObservedResource], owner: String) -> [String: Holdings] {
        let owned = resources.filter { $0.owner == owner && $0.key != nil }
        var blocked: [String: Set<String>] = [:]
        for calendar in owned where calendar.kind == "calendar" { blocked[calendar.key!] = [] }
        for closure in owned where closure.kind == "closure" {
            guard let at = closure.key!.lastIndex(of: "@"), case .string(let start)? = closure.fields["start.date"],
                case .string(let end)? = closure.fields["end.date"], case .success(let first) = LocalDate.parse(start),
                case .success(let after) = LocalDate.parse(end)
            else { continue }
            let calendar = String(closure.key![..<at])
            guard blocked[calendar] != nil else { continue }
            // The end date is exclusive.
            for day in LocalDate.days(from: first, through: after) where day < after { blocked[calendar]!.insert(day.description) }
        }
        var byEstablishment: [String: Set<String>] = [:]
        for (calendar, days) in blocked {
            // `staff:<establishment>/<name>`, `room:<establishment>/<name>`.
            guard let colon = calendar.firstIndex(of: ":"), let slash = calendar.firstIndex(of: "/") else { continue }
            let establishment = String(calendar[calendar.index(after: colon)..<slash])
            byEstablishment[establishment] = byEstablishment[establishment].map { $0.intersection(days) } ?? days
        }
        return byEstablishment.mapValues { Holdings(closedDays: $0.sorted()) }
    }
}

import Foundation
import SalonOpsProviderKit

/// Google Business Profile (https://developers.google.com/my-business/reference/businessinformation/rest):
/// observe lists the account's locations with one `readMask`; apply PATCHes one location with
/// an `updateMask` naming the blocks that changed (each replaced whole) and the labels that
/// carry the markers, counted against the location's edit limit.
struct GoogleBusinessProfileAdapter: ProviderAdapter {
    let integration: Integration
    let owner: String
    /// `accounts/<id>`.
    let account: String
    /// Locations a page: the maximum, 100, unless a test asks fewer.
    var pageSize: Int?

    var kinds: [ResourceKind] { GoogleBusinessProfileKinds.all }

    func desired(in state: DesiredState, scope: Scope) throws -> Projection {
        var projection = GoogleBusinessProfileMapping.project(integration, state)
        projection.resources = projection.resources.filter { scope.includes(kind: $0.kind) && scope.includes(establishment: $0.establishment) }
        return projection
    }

    func observe(_ scope: Scope, _ session: any ProviderSession) async throws -> [ObservedResource] {
        guard scope.includes(kind: "location") else { return [] }
        // A scoped run reads its few locations one by one when that costs fewer requests than
        // the account's pages; only locations bound by `locationIds` are ever SalonOps'.
        let bound = SettingsReader(integration.settings?.value).map("locationIds") ?? []
        var named: Set<String>?
        if let establishments = scope.establishments {
            let inScope = bound.filter { establishments.contains($0.0) }.map(\.1)
            if Paginator.cheaperOneByOne(inScope.count, of: bound.count, pageSize: pageSize ?? 100) {
                return try await concurrently(inScope) { name in try await read(ResourceRef("location", name), remoteID: name, session) }.compactMap { $0 }
            }
            named = Set(inScope)
        }
        let path = Paginator.append("/v1/\(account)/locations", [("readMask", GoogleBusinessProfileWire.readMask)])
        let style = PageStyle.pageToken(sizeParameter: "pageSize", size: pageSize ?? 100, tokenParameter: "pageToken", itemsKey: "locations", nextTokenKey: "nextPageToken")
        let listed = try await Paginator.all(session, path: path, style: style).compactMap(GoogleBusinessProfileWire.location)
        // Scoped, the listing keeps the locations bound to the scope's establishments (and those
        // bound to none, the account's own).
        guard let named else { return listed }
        let boundNames = Set(bound.map(\.1))
        return listed.filter { named.contains($0.remoteID) || !boundNames.contains($0.remoteID) }
    }

    /// One location, by its name (the listing would cost a page per 100 locations).
    func read(_ ref: ResourceRef, remoteID: String?, _ session: any ProviderSession) async throws -> ObservedResource? {
        guard let remoteID else { return try await observe(Scope(kinds: [ref.kind]), session).first { $0.key == ref.key } }
        let path = Paginator.append("/v1/\(remoteID)", [("readMask", GoogleBusinessProfileWire.readMask)])
        do { return GoogleBusinessProfileWire.location(try await session.send(ProviderRequest(.GET, path)).json()) } catch let error as ProviderError
            where error.kind == .notFound
        {
            return nil
        }
    }

    func apply(_ change: Change, _ context: ApplyContext, _ session: any ProviderSession) async throws -> ApplyOutcome {
        guard change.kind == "location", let desired = change.desired, let name = change.remoteID ?? desired.remoteID else {
            throw ProviderError(.permanent, message: "Business Profile locations are only updated, never created or deleted (\(change.kind) \(change.key))")
        }
        let raw = context.observed?.raw.flatMap { try? JSONValue.parse(Array($0.utf8)) }
        let blocks = Set(change.fieldChanges.map { GoogleBusinessProfileKinds.maskPath($0.field) })
        var body: [(String, JSONValue)] = []
        for block in blocks.sorted() {
            switch block {
            case "regularHours": body.append(("regularHours", GoogleBusinessProfileWire.regularHours(desired.fields["regularHours"])))
            case "specialHours": body.append(("specialHours", GoogleBusinessProfileWire.specialHoursJSON(desired.fields["specialHours"])))
            case "phoneNumbers":
                // Set together on update: the additional phones stay as they are.
                var phones: [(String, JSONValue)] = [("primaryPhone", .string(desired.fields["phoneNumbers.primaryPhone"]?.text ?? ""))]
                if let additional = raw?.at("phoneNumbers.additionalPhones") { phones.append(("additionalPhones", additional)) }
                body.append(("phoneNumbers", .object(phones)))
            case "websiteUri": body.append(("websiteUri", .optional(desired.fields["websiteUri"]?.text)))
            case "profile.description": body.append(("profile", .object([("description", .string(desired.fields["profile.description"]?.text ?? ""))])))
            case "serviceItems":
                let category = raw?.at("categories.primaryCategory.name")?.string ?? "categories/gcid:beauty_salon"
                body.append(("serviceItems", GoogleBusinessProfileWire.serviceItemsJSON(desired.fields["serviceItems"], category: category)))
            default: throw ProviderError(.permanent, message: "Business Profile: no block for field '\(block)'")
            }
        }
        let labels = raw?["labels"]?.array?.compactMap(\.string) ?? []
        body.append(("labels", GoogleBusinessProfileWire.labels(Markers(owner: owner, desired), keeping: labels)))
        let mask = (blocks.sorted() + ["labels"]).joined(separator: ",")
        // The same mask and body twice leave the same location: safe to send again.
        let request = ProviderRequest.json(
            .PATCH, Paginator.append("/v1/\(name)", [("updateMask", mask)]), .object(body), retryable: true, rateKeys: ["edits:\(name)"])
        _ = try await session.send(request)
        return ApplyOutcome(remoteID: name)
    }

    func check(_ session: any ProviderSession) async throws -> String {
        let account = try await session.send(ProviderRequest(.GET, "/v1/\(self.account)", endpoint: "accounts")).json()
        return "account \(account["accountName"]?.string ?? self.account) readable"
    }

    func holdings(_ resources: [ObservedResource], in state: DesiredState) -> [String: Holdings] {
        GoogleBusinessProfileMapping.holdings(resources, integration: integration, state: state)
    }
}

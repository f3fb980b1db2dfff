import Foundation
import SalonOpsCore
import SalonOpsProviderKit

/// `GET /groupon/v1/feed/services/merchants?ids=<csv>` (GrouponConnect 3PIP, booking.md §5.2):
/// one merchant per establishment an enabled `groupon` Integration covers, built from the
/// desired state of the commit the daemon serves (pure: no I/O, output in a stable order).
///
/// A merchant's id is the one the Integration's settings give its establishment
/// (`merchantIds: {<establishment>: <id>}`, else `merchantId`); what Groupon asks for and nobody
/// declares is listed in `errors` as `MERCHANT_NOT_FOUND`.
public enum GrouponFeed {
    public static let path = "/groupon/v1/feed/services/merchants"
    /// More ids in one request is a malformed request.
    public static let maximumIDs = 100

    public struct Document: Sendable, Equatable, Encodable {
        public var merchants: [Merchant]
        /// Absent when every id was found.
        public var errors: [FeedError]?
    }

    public struct Merchant: Sendable, Equatable, Encodable {
        public var id: String
        public var name: String
        public var websiteUrl: String?
        public var contacts: [Contact]
        public var redemptionLocations: [RedemptionLocation]
        public var services: [Service]
        public var attributes: [Attribute]
    }

    /// Who Groupon may talk to at the merchant: the establishment itself, by its email and phone.
    public struct Contact: Sendable, Equatable, Encodable {
        public var name: String
        public var email: String?
        public var phone: String?
    }

    public struct RedemptionLocation: Sendable, Equatable, Encodable {
        /// The establishment's name in the config.
        public var id: String
        public var name: String
        public var address: Address
        public var phone: String?
    }

    public struct Address: Sendable, Equatable, Encodable {
        public var streetAddress: String
        public var postalCode: String?
        public var city: String
        /// ISO 3166-1 alpha-2, as the config writes it.
        public var country: String
    }

    public struct Service: Sendable, Equatable, Encodable {
        /// The Service's `metadata.name`.
        public var id: String
        public var name: String
        public var description: String?
        /// Minutes.
        public var duration: Int
        public var price: Price
    }

    /// Money as Groupon writes it (booking.md §5.3): an integer amount in the currency's minor
    /// unit and an uppercase ISO 4217 code.
    public struct Price: Sendable, Equatable, Encodable {
        public var amount: Int64
        public var currencyCode: String
    }

    /// A staff member, as Groupon models staff: an attribute of availability slots, with the
    /// services (ids in `services`) they perform here.
    public struct Attribute: Sendable, Equatable, Encodable {
        public var id: String
        public var name: String
        public var type: String
        public var serviceIds: [String]
    }

    public struct FeedError: Sendable, Equatable, Encodable {
        public var code: String
        public var merchants: [MerchantReference]
    }

    public struct MerchantReference: Sendable, Equatable, Encodable {
        public var id: String
    }

    /// A query Groupon should not have sent (400 `MALFORMED_REQUEST`).
    public struct MalformedRequest: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The merchants of `ids` in the order asked (each once), and the ids nobody declares.
    public static func document(ids: [String], state: DesiredState) -> Document {
        let known = merchants(in: state)
        var found: [Merchant] = []
        var missing: [MerchantReference] = []
        for id in ids {
            if let establishment = known[id] { found.append(merchant(id: id, establishment, in: state)) } else { missing.append(MerchantReference(id: id)) }
        }
        return Document(merchants: found, errors: missing.isEmpty ? nil : [FeedError(code: "MERCHANT_NOT_FOUND", merchants: missing)])
    }

    /// `ids=a,b,c`: required once, non-empty, no empty id, at most `maximumIDs`; a repeated id is
    /// answered once. Other parameters are ignored (they are still signed).
    public static func ids(query: [(String, String)]) throws(MalformedRequest) -> [String] {
        let given = query.filter { $0.0 == "ids" }
        guard given.count == 1, let list = given.first?.1 else {
            throw MalformedRequest(description: given.isEmpty ? "the ids parameter is missing: ask for ?ids=<merchant id>,<merchant id>" : "ids is given more than once")
        }
        let ids = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !ids.contains(where: \.isEmpty) else { throw MalformedRequest(description: "ids has an empty merchant id: write ids=<id>,<id>") }
        guard ids.count <= maximumIDs else { throw MalformedRequest(description: "ids asks for \(ids.count) merchants; at most \(maximumIDs) at a time") }
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }

    // MARK: Merchant ids

    /// Merchant id → establishment, for every establishment an enabled `groupon` Integration
    /// covers (Integrations by name; a merchant id declared twice keeps the first, and
    /// `salonops validate` refuses the config).
    public static func merchants(in state: DesiredState) -> [String: Establishment] {
        var out: [String: Establishment] = [:]
        for integration in state.integrations.sorted(by: { $0.metadata.name < $1.metadata.name }) where integration.enabled && integration.provider.value == provider {
            for (establishment, id) in merchantIDs(of: integration, in: state) where out[id] == nil { out[id] = establishment }
        }
        return out
    }

    public static let provider = "groupon"

    /// Each covered establishment with its merchant id (`merchantIds[name]`, else `merchantId`);
    /// one with neither is left out (validate reports it). The same rule as Groupon's validate
    /// rules (Sources/SalonOpsProviders/Groupon/GrouponRules.swift).
    public static func merchantIDs(of integration: Integration, in state: DesiredState) -> [(Establishment, String)] {
        let settings = SettingsReader(integration.settings?.value)
        let byEstablishment = Dictionary(settings.map("merchantIds") ?? [], uniquingKeysWith: { first, _ in first })
        let fallback = settings.string("merchantId")
        return state.establishments(of: integration).compactMap { establishment in
            (byEstablishment[establishment.metadata.name] ?? fallback).map { (establishment, $0) }
        }
    }

    // MARK: One merchant

    static func merchant(id: String, _ establishment: Establishment, in state: DesiredState) -> Merchant {
        // Groupon books through the salon's booking app: a service not bookable online is not offered.
        let offered = state.offeredServices(at: establishment).filter(\.service.bookableOnline)
        let serviceIDs = Set(offered.map(\.service.metadata.name))
        let services = offered.map {
            Service(
                id: $0.service.metadata.name, name: $0.service.displayName, description: $0.service.description, duration: $0.duration.minutes,
                price: Price(amount: $0.price.minorUnits, currencyCode: $0.price.currency.code))
        }
        let attributes = establishment.staff.sorted { $0.name < $1.name }.map { member in
            Attribute(id: member.name, name: member.displayName, type: "staff", serviceIds: Set(member.services.map(\.value)).intersection(serviceIDs).sorted())
        }
        let address = establishment.address
        return Merchant(
            id: id, name: establishment.displayName, websiteUrl: establishment.website,
            contacts: establishment.email == nil && establishment.phone == nil
                ? [] : [Contact(name: establishment.displayName, email: establishment.email, phone: establishment.phone)],
            redemptionLocations: [
                RedemptionLocation(
                    id: establishment.metadata.name, name: establishment.displayName,
                    address: Address(streetAddress: address.street, postalCode: address.postalCode, city: address.city, country: address.country),
                    phone: establishment.phone)
            ],
            services: services, attributes: attributes)
    }
}

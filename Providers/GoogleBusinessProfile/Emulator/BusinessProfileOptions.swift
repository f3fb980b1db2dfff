import Foundation
import SalonOpsEmulatorKit

/// How the Business Profile emulator starts: the locations that exist (SalonOps never creates
/// one), the OAuth clients its token endpoint knows, its quotas and its clock.
public struct GoogleBusinessProfileOptions: Sendable {
    /// A location that exists before any request: `accounts/<A>/locations/<L>`, with a title.
    public struct SeededLocation: Sendable, Equatable {
        /// `accounts/<A>`.
        public var account: String
        /// `locations/<L>`.
        public var name: String
        public var title: String?

        public init(account: String, name: String, title: String? = nil) {
            self.account = account
            self.name = name
            self.title = title
        }
    }

    /// An OAuth client and the refresh token one of its users granted it.
    public struct OAuthClient: Sendable, Equatable {
        public var clientID: String
        public var clientSecret: String
        public var refreshToken: String

        public init(clientID: String, clientSecret: String, refreshToken: String) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.refreshToken = refreshToken
        }
    }

    /// The locations that exist. `nil` (sandbox convenience): account `accounts/1` starts empty,
    /// and a GET or PATCH of `locations/<digits>` creates that location in it on first access.
    public var locations: [SeededLocation]?
    /// Accounts with no location, beside those the locations name (listed after them).
    public var extraAccounts: [String]
    /// The clients the token endpoint accepts. `nil` (sandbox convenience): any non-empty client
    /// id, secret and refresh token.
    public var clients: [OAuthClient]?
    /// "Edits: 10 per minute per Google Business Profile (cannot be increased)" [C limits page].
    public var editsPerMinutePerLocation: Int
    /// "300 QPM default per API" [C limits page], counted per API.
    public var requestsPerMinutePerProject: Int
    /// Token lifetimes and rate windows read this clock.
    public var clock: SandboxClock

    public init(
        locations: [SeededLocation]? = nil, extraAccounts: [String] = [], clients: [OAuthClient]? = nil,
        editsPerMinutePerLocation: Int = 10, requestsPerMinutePerProject: Int = 300, clock: SandboxClock = .system
    ) {
        self.locations = locations
        self.extraAccounts = extraAccounts
        self.clients = clients
        self.editsPerMinutePerLocation = editsPerMinutePerLocation
        self.requestsPerMinutePerProject = requestsPerMinutePerProject
        self.clock = clock
    }

    /// The accounts that exist, in listing order: those the locations name, then the extra ones.
    var accounts: [String] {
        var seen = Set<String>()
        let named = (locations ?? []).map(\.account) + extraAccounts
        let ordered = named.filter { seen.insert($0).inserted }
        return ordered.isEmpty ? ["accounts/1"] : ordered
    }

    /// From `--emulator-option google-business-profile.<key>=<value>`: `locations` (comma-separated
    /// `accounts/<A>/locations/<L>`, each optionally `=<title>`) and `clients` (comma-separated
    /// `<clientId>:<clientSecret>:<refreshToken>`).
    init(settings: EmulatorSettings) throws {
        self.init()
        let known: Set<String> = ["locations", "clients"]
        if let unknown = settings.options.keys.sorted().first(where: { !known.contains($0) }) {
            throw EmulatorOptionError("google-business-profile has no option '\(unknown)' (\(known.sorted().joined(separator: ", ")))")
        }
        if let text = settings.options["locations"] { locations = try Self.parseLocations(text) }
        if let text = settings.options["clients"] { clients = try Self.parseClients(text) }
    }

    static func parseLocations(_ text: String) throws -> [SeededLocation] {
        var seen = Set<String>()
        return try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let path = parts[0].split(separator: "/").map(String.init)
            guard path.count == 4, path[0] == "accounts", path[2] == "locations", isResourceID(path[1]), isResourceID(path[3]) else {
                throw EmulatorOptionError("locations '\(entry)': write accounts/<A>/locations/<L>, optionally =<title>")
            }
            let name = "locations/" + path[3]
            guard seen.insert(name).inserted else { throw EmulatorOptionError("locations: \(name) is listed twice") }
            let title = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
            return SeededLocation(account: "accounts/" + path[1], name: name, title: title)
        }
    }

    static func parseClients(_ text: String) throws -> [OAuthClient] {
        try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
                throw EmulatorOptionError("clients '\(entry)': write <clientId>:<clientSecret>:<refreshToken>")
            }
            return OAuthClient(clientID: parts[0], clientSecret: parts[1], refreshToken: parts[2])
        }
    }

    /// Account and location ids: Google's are digits; letters, `-` and `_` are accepted too.
    static func isResourceID(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
    }
}

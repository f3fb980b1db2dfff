import Foundation
import SalonOpsEmulatorKit

/// Account Management v1 `accounts.list` and `accounts.get` (spec:am; notes §2.2).
extension BusinessProfileState {
    /// An account as the caller, its owner, sees it [A: every emulated account is a verified
    /// location group the caller owns; no personal account is listed].
    func accountJSON(_ name: String) -> JSONValue {
        let id = name.dropFirst("accounts/".count)
        return .object([
            ("name", .string(name)), ("accountName", .string("SalonOps sandbox account \(id)")), ("type", .string("LOCATION_GROUP")),
            ("role", .string("OWNER")), ("verificationState", .string("VERIFIED")), ("vettedState", .string("NOT_VETTED")),
            ("permissionLevel", .string("OWNER_LEVEL")),
        ])
    }

    /// `GET v1/accounts`: `pageSize` "default and maximum is 20", `nextPageToken` absent on the
    /// last page, `filter` only `type=…` [C spec:am].
    func listAccounts(_ call: BusinessProfileCall) throws(BusinessProfileStatus) -> JSONValue {
        let size = try call.pageSize(default: 20, maximum: 20)
        var listed = accounts
        if let filter = call.string("filter")?.trimmingCharacters(in: .whitespaces), !filter.isEmpty {
            let parts = filter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let types = ["PERSONAL", "LOCATION_GROUP", "USER_GROUP", "ORGANIZATION"]
            guard parts.count == 2, parts[0] == "type", types.contains(parts[1]) else {
                throw .invalidParameter("filter", "Only type=PERSONAL|LOCATION_GROUP|USER_GROUP|ORGANIZATION is supported.")
            }
            listed = listed.filter { accountJSON($0)["type"]?.string == parts[1] }
        }
        if let parent = call.string("parentAccount"), !parent.isEmpty {
            // Location groups have no sub-accounts [A].
            guard accounts.contains(parent) else { throw .notFound }
            listed = []
        }
        let (page, next) = try PageTokens.page(listed, list: "accounts|\(call.string("filter") ?? "")", size: size, call: call)
        var fields: [(String, JSONValue)] = []
        if !page.isEmpty { fields.append(("accounts", .array(page.map(accountJSON)))) }
        if let next { fields.append(("nextPageToken", .string(next))) }
        return .object(fields)
    }

    /// `GET v1/accounts/{account}`: NOT_FOUND for an account that does not exist or is not the caller's.
    func getAccount(_ name: String) throws(BusinessProfileStatus) -> JSONValue {
        guard accounts.contains(name) else { throw .notFound }
        return accountJSON(name)
    }
}

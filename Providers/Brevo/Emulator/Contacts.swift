import Foundation
import SalonOpsEmulatorKit

/// `/contacts/folders` and `/contacts/lists` (spec: getFolders … deleteList).
extension BrevoState {
    mutating func contacts(_ method: String, _ segments: [String], _ request: EmulatorRequest, now: Date) throws(BrevoError) -> EmulatorResponse {
        let (route, id) = Self.route(segments)
        switch (method, route) {
        case ("GET", "folders"):
            let query = try BrevoQuery(request)
            let page = try Self.page(folders, query, defaultLimit: 10, maxLimit: 50)
            return .json(200, .object([("folders", .array(page.map(\.json))), ("count", .int(folders.count))]))
        case ("POST", "folders"):
            let body = try BrevoBody(request)
            let name = try body.required("name")
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("name should not be empty") }
            let folder = Folder(id: nextID("folder"), name: name)
            folders.append(folder)
            return .json(201, .object([("id", .int(folder.id))]))
        case ("GET", "folders/{id}"):
            return .json(200, folders[try folderIndex(id)].json)
        case ("PUT", "folders/{id}"):
            let index = try folderIndex(id)
            let name = try BrevoBody(request).required("name")
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("name should not be empty") }
            folders[index].name = name
            return EmulatorResponse(status: 204, body: "")
        case ("DELETE", "folders/{id}"):
            let index = try folderIndex(id)
            // "Delete a folder (and all its lists)" (spec: deleteFolder).
            let folderID = folders[index].id
            lists.removeAll { $0.folderID == folderID }
            folders.remove(at: index)
            return EmulatorResponse(status: 204, body: "")
        case ("GET", "folders/{id}/lists"):
            let folderID = folders[try folderIndex(id)].id
            let inFolder = lists.filter { $0.folderID == folderID }
            let page = try Self.page(inFolder, try BrevoQuery(request), defaultLimit: 10, maxLimit: 50)
            return .json(200, .object([("lists", .array(page.map { $0.json(withFolder: false) })), ("count", .int(inFolder.count))]))

        case ("GET", "lists"):
            let page = try Self.page(lists, try BrevoQuery(request), defaultLimit: 10, maxLimit: 50)
            return .json(200, .object([("lists", .array(page.map { $0.json(withFolder: true) })), ("count", .int(lists.count))]))
        case ("POST", "lists"):
            let body = try BrevoBody(request)
            let name = try body.required("name")
            guard let folderID = try body.int("folderId") else { throw .missing("folderId is missing") }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("name should not be empty") }
            guard folders.contains(where: { $0.id == folderID }) else { throw .invalid("Folder ID does not exist") }
            let list = ContactList(id: nextID("list"), name: name, folderID: folderID, createdAt: BrevoFormat.timestamp(now))
            lists.append(list)
            return .json(201, .object([("id", .int(list.id))]))
        case ("GET", "lists/{id}"):
            return .json(200, lists[try listIndex(id)].json(withFolder: true, detailed: true))
        case ("PUT", "lists/{id}"):
            let index = try listIndex(id)
            let body = try BrevoBody(request)
            let name = try body.string("name"), folderID = try body.int("folderId")
            // "Either of the two parameters (name, folderId) can be updated at a time" (spec: updateList).
            switch (name, folderID) {
            case (nil, nil): throw .missing("name or folderId is missing")
            case (_?, _?): throw .invalid("Either of the two parameters (name, folderId) can be updated at a time")
            case (let name?, nil):
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalid("name should not be empty") }
                lists[index].name = name
            case (nil, let folderID?):
                guard folders.contains(where: { $0.id == folderID }) else { throw .invalid("Folder ID does not exist") }
                lists[index].folderID = folderID
            }
            return EmulatorResponse(status: 204, body: "")
        case ("DELETE", "lists/{id}"):
            lists.remove(at: try listIndex(id))
            return EmulatorResponse(status: 204, body: "")
        default:
            throw BrevoError.unknownRoute(method, "/contacts/" + segments.joined(separator: "/"))
        }
    }

    func folderIndex(_ id: String) throws(BrevoError) -> Int {
        guard let number = Int(id) else { throw .invalid("folderId should be an integer") }
        guard let index = folders.firstIndex(where: { $0.id == number }) else { throw .notFound("Folder ID does not exist") }
        return index
    }

    func listIndex(_ id: String) throws(BrevoError) -> Int {
        guard let number = Int(id) else { throw .invalid("listId should be an integer") }
        guard let index = lists.firstIndex(where: { $0.id == number }) else { throw .notFound("List ID does not exist") }
        return index
    }
}

extension BrevoError {
    /// A path Brevo has no operation for (or not with this method).
    static func unknownRoute(_ method: String, _ path: String) -> BrevoError {
        BrevoError(status: 404, code: .documentNotFound, message: "\(method) \(path) is not an operation of the Brevo API v3 (or not one this emulator serves)")
    }
}

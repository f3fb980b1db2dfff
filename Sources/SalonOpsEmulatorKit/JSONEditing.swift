import Foundation

/// What emulators do with stored JSON resources: read members, set or remove one, merge a
/// PATCH body (RFC 7386).
extension JSONValue {
    /// The members of an object, `nil` for any other value.
    public var objectFields: [(String, JSONValue)]? { pairs }
    public var stringValue: String? { string }
    public var boolValue: Bool? { bool }
    public var arrayValue: [JSONValue]? { array }

    /// A copy with `key` set (replaced in place, or appended) or, for `nil`, removed.
    public func setting(_ key: String, _ value: JSONValue?) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        if let index = fields.firstIndex(where: { $0.0 == key }) {
            if let value { fields[index].1 = value } else { fields.remove(at: index) }
        } else if let value {
            fields.append((key, value))
        }
        return .object(fields)
    }

    /// JSON merge of a patch into this value (RFC 7386): objects merge member by member, `null`
    /// removes a member, anything else replaces.
    public func merging(patch: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var result: JSONValue = objectFields == nil ? .object([]) : self
        for (key, value) in patchFields {
            if value == .null {
                result = result.setting(key, nil)
            } else if let current = result[key], current.objectFields != nil, value.objectFields != nil {
                result = result.setting(key, current.merging(patch: value))
            } else {
                result = result.setting(key, value)
            }
        }
        return result
    }
}

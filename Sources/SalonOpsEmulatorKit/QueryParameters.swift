import Foundation
/// A query string as name/value pairs in request order, percent-decoded (`+` as a space), with
/// repeated names kept: Google's repeated parameters (`privateExtendedProperty=a=1&…=b=2`) need
/// every value, which the bracket-nesting `FormDecoder` does not model.
public struct QueryParameters: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    private(set) var pairs: [Pair] = []

    public init(pairs: [Pair] = []) { self.pairs = pairs }

    /// `nil` when a part is not valid percent-encoding.
    public init?(parsing query: String) {
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                (name, value) = (part[..<eq], part[part.index(after: eq)...])
            } else {
                (name, value) = (part, "")
            }
            guard let decodedName = Self.decode(name), let decodedValue = Self.decode(value) else { return nil }
            pairs.append(Pair(name: decodedName, value: decodedValue))
        }
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// Distinct names in first-seen order.
    public var names: [String] {
        var seen = Set<String>()
        return pairs.compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    public func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The last value given for `name` (a repeated single-valued parameter: the last one wins).
    public subscript(name: String) -> String? { pairs.last { $0.name == name }?.value }
}

import Foundation
/// A store-wide version counter: every write takes the next number, so versions order all
/// changes (for ETags and for "changed since" sync tokens) and never repeat.
public struct VersionCounter: Sendable {
    public private(set) var current = 0

    public init() {}

    public mutating func next() -> Int {
        current += 1
        return current
    }
}

/// Resources of one kind by id, in creation order, each stamped with the version of its last
/// write. Deleted resources stay as tombstones (Google lists deleted events, ACL rules and
/// calendar-list entries to `showDeleted` and sync readers) until purged.
public struct VersionedCollection<Value: Sendable>: Sendable {
    public struct Entry: Sendable {
        public let id: String
        public var value: Value
        /// The version of the last write (creation, update or deletion).
        public var version: Int
        /// Creation order, stable across updates: list pages are cut on it.
        public let sequence: Int
        public var deleted: Bool
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var sequence = 0

    /// The entry, deleted or not.
    public init() {}

    public subscript(id: String) -> Entry? { entries[id] }

    /// The entry when it exists and is not deleted.
    public func live(_ id: String) -> Entry? {
        guard let entry = entries[id], !entry.deleted else { return nil }
        return entry
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Every entry, tombstones included, in creation order.
    public var all: [Entry] { order.compactMap { entries[$0] } }

    /// The entries that are not deleted, in creation order.
    public var liveEntries: [Entry] { all.filter { !$0.deleted } }

    /// The highest version in the collection (0 when empty): a collection-level change marker.
    public var latestVersion: Int { entries.values.map(\.version).max() ?? 0 }

    /// Adds a new entry, or brings a tombstone back to life in its original place.
    public mutating func insert(_ value: Value, id: String, version: Int) {
        if var existing = entries[id] {
            existing.value = value
            existing.version = version
            existing.deleted = false
            entries[id] = existing
            return
        }
        sequence += 1
        entries[id] = Entry(id: id, value: value, version: version, sequence: sequence, deleted: false)
        order.append(id)
    }

    /// Replaces the value of an existing entry (deleted or not) and stamps the version.
    public mutating func update(_ id: String, version: Int, _ change: (inout Value) -> Void) {
        guard var entry = entries[id] else { return }
        change(&entry.value)
        entry.version = version
        entries[id] = entry
    }

    /// Turns an entry into a tombstone.
    public mutating func markDeleted(_ id: String, version: Int) {
        guard var entry = entries[id] else { return }
        entry.deleted = true
        entry.version = version
        entries[id] = entry
    }

    /// Forgets an entry entirely.
    public mutating func purge(_ id: String) {
        guard entries.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }
}

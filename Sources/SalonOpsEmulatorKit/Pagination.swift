/// Cursor pagination over a newest-first list, as Stripe does it: `starting_after` gives the
/// items older than the cursor, `ending_before` the ones just newer than it; both pages are
/// newest first and `hasMore` tells whether more items lie beyond the page in that direction.
/// Items are placed by `sequence` (creation order), so a cursor works even when the cursor's own
/// object is filtered out of the list.
public enum Pagination {
    public static func page<T>(
        _ newestFirst: [T], sequence: (T) -> Int, limit: Int,
        startingAfter: Int?, endingBefore: Int?
    ) -> (items: [T], hasMore: Bool) {
        if let after = startingAfter {
            let older = newestFirst.filter { sequence($0) < after }
            return (Array(older.prefix(limit)), older.count > limit)
        }
        if let before = endingBefore {
            let newer = newestFirst.filter { sequence($0) > before }
            return (Array(newer.suffix(limit)), newer.count > limit)
        }
        return (Array(newestFirst.prefix(limit)), newestFirst.count > limit)
    }
}

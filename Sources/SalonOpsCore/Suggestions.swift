/// "Did you mean" support: the closest known names to a misspelt one.
public enum Suggestions {
    /// Levenshtein distance over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Candidates close enough to be a plausible typo, best first (at most `limit`).
    public static func closest(to name: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let lowered = name.lowercased()
        let threshold = Swift.max(2, lowered.count / 3)
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let distance = editDistance(lowered, candidate.lowercased())
            let isPrefix = candidate.lowercased().hasPrefix(lowered) || lowered.hasPrefix(candidate.lowercased())
            guard distance <= threshold || (isPrefix && Swift.min(lowered.count, candidate.count) >= 3) else { return nil }
            return (candidate, distance)
        }
        var seen = Set<String>()
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0).filter { seen.insert($0).inserted }.prefix(limit).map { $0 }
    }

    /// ` did you mean 'x'?` or an empty string; meant to be appended to a message.
    public static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String {
        guard let best = closest(to: name, among: candidates, limit: 1).first else { return "" }
        return "; did you mean '\(best)'?"
    }
}

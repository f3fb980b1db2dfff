import SalonOpsEmulatorKit

/// Faults the sandbox injects into provider requests, drawn from the configuration's seed.
///
/// Text form (any subset, any order, comma-separated): `429=0.1,503=0.05,reset=0.01,latency=5ms..50ms,churn=0.1,slow=0.2`.
/// - `429=p`: answer 429 with `Retry-After` and the provider's rate-limit body, before the handler runs.
/// - `503=p`: answer 503 before the handler runs.
/// - `reset=p`: run the handler (its state change happens), then close the connection without answering.
/// - `latency=a..b` (or `latency=a`): delay every provider request by a uniform duration in [a, b];
///   units `us`, `ms`, `s`.
/// - `churn=p`: before a read (GET) is answered, the provider adds or removes one resource as
///   someone else on the account would, so listings change between their pages. Drawn from a
///   stream of its own: the other faults of a seed stay what they were.
/// - `slow=p`: an answer's body is sent in four pieces with a pause of `FaultPlan.slowPause`
///   between them (a slow network or a busy provider), from a stream of its own too.
/// The three probabilities are exclusive outcomes of one draw, so they must add up to at most 1.
public struct FaultPlan: Sendable, Equatable, CustomStringConvertible {
    public static let none = FaultPlan()

    /// Probability of a 429 answer.
    public var rateLimited: Double
    /// Probability of a 503 answer.
    public var unavailable: Double
    /// Probability of a handled request whose connection is then closed without an answer.
    public var connectionReset: Double
    /// Added delay for every provider request, uniform in the range.
    public var latency: ClosedRange<Duration>?
    /// Probability that a read first sees the provider's listings change (`ProviderEmulator.churn`).
    public var churn: Double
    /// Probability that an answer's body trickles in pieces.
    public var slowBody: Double
    /// The pause between the pieces of a slow body: short, so that tests stay fast.
    public static let slowPause = Duration.milliseconds(2)

    public init(
        rateLimited: Double = 0, unavailable: Double = 0, connectionReset: Double = 0,
        latency: ClosedRange<Duration>? = nil, churn: Double = 0, slowBody: Double = 0
    ) {
        self.slowBody = slowBody
        self.rateLimited = rateLimited
        self.unavailable = unavailable
        self.connectionReset = connectionReset
        self.latency = latency
        self.churn = churn
    }

    /// Parses the text form; throws a `FaultPlanError` naming the bad part.
    public init(parsing text: String) throws {
        self.init()
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty || trimmed == "none" { return }
        var seen = Set<String>()
        for rawPart in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let part = String(rawPart).trimmingWhitespace
            guard let eq = part.firstIndex(of: "=") else {
                throw FaultPlanError(part: part, reason: "expected NAME=VALUE (NAME one of 429, 503, reset, latency, churn, slow)")
            }
            let name = String(part[..<eq]).trimmingWhitespace
            let value = String(part[part.index(after: eq)...]).trimmingWhitespace
            guard ["429", "503", "reset", "latency", "churn", "slow"].contains(name) else {
                throw FaultPlanError(part: part, reason: "unknown fault '\(name)' (expected 429, 503, reset, latency, churn or slow)")
            }
            guard seen.insert(name).inserted else {
                throw FaultPlanError(part: part, reason: "'\(name)' is given more than once")
            }
            switch name {
            case "429": rateLimited = try Self.probability(value, part: part)
            case "503": unavailable = try Self.probability(value, part: part)
            case "reset": connectionReset = try Self.probability(value, part: part)
            case "churn": churn = try Self.probability(value, part: part)
            case "slow": slowBody = try Self.probability(value, part: part)
            default: latency = try Self.latencyRange(value, part: part)
            }
        }
        let sum = rateLimited + unavailable + connectionReset
        if sum > 1 + 1e-9 {
            throw FaultPlanError(part: trimmed, reason: "the probabilities of 429, 503 and reset add up to \(sum), more than 1")
        }
    }

    public var isNone: Bool { self == .none }

    public var description: String {
        var parts: [String] = []
        if rateLimited > 0 { parts.append("429=\(rateLimited)") }
        if unavailable > 0 { parts.append("503=\(unavailable)") }
        if connectionReset > 0 { parts.append("reset=\(connectionReset)") }
        if let latency {
            parts.append("latency=\(Self.format(latency.lowerBound))..\(Self.format(latency.upperBound))")
        }
        if churn > 0 { parts.append("churn=\(churn)") }
        if slowBody > 0 { parts.append("slow=\(slowBody)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }

    private static func probability(_ value: String, part: String) throws -> Double {
        guard let p = Double(value), p.isFinite, p >= 0, p <= 1 else {
            throw FaultPlanError(part: part, reason: "'\(value)' is not a probability between 0 and 1")
        }
        return p
    }

    private static func latencyRange(_ value: String, part: String) throws -> ClosedRange<Duration> {
        let bounds = value.components(separatedBy: "..")
        guard bounds.count == 1 || bounds.count == 2 else {
            throw FaultPlanError(part: part, reason: "expected a duration or a range like 5ms..50ms")
        }
        let low = try duration(bounds[0].trimmingWhitespace, part: part)
        let high = bounds.count == 2 ? try duration(bounds[1].trimmingWhitespace, part: part) : low
        guard low <= high else {
            throw FaultPlanError(part: part, reason: "the lower bound \(bounds[0]) is above the upper bound \(bounds[1])")
        }
        return low...high
    }

    private static func duration(_ text: String, part: String) throws -> Duration {
        let units: [(String, Double)] = [("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = String(text.dropLast(suffix.count))
            guard let n = Double(number), n.isFinite, n >= 0 else { break }
            let seconds = n * scale
            guard seconds <= 60 else {
                throw FaultPlanError(part: part, reason: "'\(text)' is longer than the 60 s the sandbox allows")
            }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        throw FaultPlanError(part: part, reason: "'\(text)' is not a duration (a number with us, ms or s, like 5ms)")
    }

    private static func format(_ d: Duration) -> String {
        let ns = d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        return "\(ns / 1000)us"
    }
}

/// A fault specification that does not parse; `description` names the bad part.
public struct FaultPlanError: Error, Equatable, CustomStringConvertible {
    public let part: String
    public let reason: String
    public var description: String { "invalid fault specification '\(part)': \(reason)" }
}

/// Draws the fault and latency of each provider request, in arrival order, from a seeded stream.
/// Exactly two numbers are drawn per request whatever the outcome, so the sequence of decisions
/// depends only on the seed and on how many requests came before.
struct FaultInjector: Sendable {
    let plan: FaultPlan
    private var random: SeededGenerator
    private var churnRandom: SeededGenerator
    private var slowRandom: SeededGenerator

    init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.random = SeededGenerator(seed: seed, stream: 1)
        self.churnRandom = SeededGenerator(seed: seed, stream: 2)
        self.slowRandom = SeededGenerator(seed: seed, stream: 3)
    }

    /// Whether this answer's body trickles.
    mutating func drawSlowBody() -> Bool {
        guard plan.slowBody > 0 else { return false }
        return slowRandom.nextUnit() < plan.slowBody
    }

    /// For a read: whether the provider's listings change first, and the number that says how.
    mutating func drawChurn() -> UInt64? {
        guard plan.churn > 0 else { return nil }
        let happens = churnRandom.nextUnit() < plan.churn, how = churnRandom.next()
        return happens ? how : nil
    }

    mutating func draw() -> (fault: InjectedFault?, delay: Duration) {
        let kind = random.nextUnit(), spread = random.nextUnit()
        var fault: InjectedFault? = nil
        if kind < plan.rateLimited {
            fault = .rateLimited
        } else if kind < plan.rateLimited + plan.unavailable {
            fault = .unavailable
        } else if kind < plan.rateLimited + plan.unavailable + plan.connectionReset {
            fault = .connectionReset
        }
        var delay = Duration.zero
        if let latency = plan.latency {
            delay = latency.lowerBound + (latency.upperBound - latency.lowerBound) * spread
        }
        return (fault, delay)
    }
}

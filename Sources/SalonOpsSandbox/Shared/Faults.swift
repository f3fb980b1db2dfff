/// What the fault injector decided for one provider request.
enum InjectedFault: Sendable, Equatable {
    case rateLimited
    case unavailable
    case connectionReset
}

/// Draws the fault and latency of each provider request, in arrival order, from a seeded stream.
/// Exactly two numbers are drawn per request whatever the outcome, so the sequence of decisions
/// depends only on the seed and on how many requests came before.
struct FaultInjector: Sendable {
    let plan: FaultPlan
    private var random: SeededGenerator

    init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.random = SeededGenerator(seed: seed, stream: 1)
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

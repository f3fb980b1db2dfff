/// What the fault injector decided for one provider request.
public enum InjectedFault: Sendable, Equatable {
    case rateLimited
    case unavailable
    case connectionReset
}

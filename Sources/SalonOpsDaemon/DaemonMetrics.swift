import Foundation
import Prometheus
import SalonOpsEngine

/// What `/metrics` exposes (Prometheus text format, swift-prometheus): runs by trigger and
/// result with their durations, drift by integration, provider answers by status, retries, and
/// when the last apply and the last good fetch were.
final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lastApplied: Gauge
    private let lastFetch: Gauge
    private let fetchFailures: Counter

    static let durationBuckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900)]

    init() {
        lastApplied = registry.makeGauge(descriptor: Self.name("last_applied_timestamp", "seconds", "When a run last succeeded (Unix time; 0: not yet)."))
        lastFetch = registry.makeGauge(
            descriptor: Self.name("last_fetch_success_timestamp", "seconds", "When the followed ref was last fetched and loaded (Unix time; 0: not yet)."))
        fetchFailures = registry.makeCounter(descriptor: Self.name("fetch_failures", "total", "Fetches (or loads) of the followed ref that failed."))
        // Known at zero from the start, so that rate() and absence alerts work before the first run.
        for trigger in [Trigger.schedule, .push, .drift] {
            for result in ["ok", "changes", "failed", "refused"] { _ = runs(trigger, result) }
        }
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "salonops", metricName: metric, unitName: unit, helpText: help)
    }

    private func runs(_ trigger: Trigger, _ result: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("reconcile_runs", "total", "Runs that planned or applied something, by trigger and result."),
            labels: [("trigger", trigger.rawValue), ("result", result)])
    }

    func fetched(at date: Date) { lastFetch.set(date.timeIntervalSince1970) }
    func fetchFailed() { fetchFailures.increment() }

    /// One run's numbers, from its engine and the report it wrote.
    func ran(
        _ trigger: Trigger, result: String, duration: Duration, succeededAt: Date?, drift: [String: Int], answers: [String: [String: Int]],
        retries: [String: Int]
    ) {
        runs(trigger, result).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("reconcile_duration", "seconds", "How long runs took, by trigger."), labels: [("trigger", trigger.rawValue)],
            buckets: Self.durationBuckets
        ).record(duration)
        if let succeededAt { lastApplied.set(succeededAt.timeIntervalSince1970) }
        for (integration, count) in drift {
            registry.makeGauge(
                descriptor: Self.name("drift", "resources", "Resources found drifted by the last run that planned the integration."),
                labels: [("integration", integration)]
            ).set(Double(count))
        }
        for (provider, statuses) in answers {
            for (status, count) in statuses {
                registry.makeCounter(
                    descriptor: Self.name("provider_requests", "total", "Requests sent to providers, by provider and HTTP status of the answer (none: no answer)."),
                    labels: [("provider", provider), ("status", status)]
                ).increment(by: Int64(count))
            }
        }
        for (provider, count) in retries {
            registry.makeCounter(descriptor: Self.name("provider_retries", "total", "Requests sent again, by provider."), labels: [("provider", provider)])
                .increment(by: Int64(count))
        }
    }

    func text() -> String { registry.emitToString() }
}

import SalonOpsProviderTesting
import Testing

/// Treatwell through the shared contract suite, against its emulator (the assumed venue contract).
@Suite(.serialized) struct TreatwellContractTests {
    let suite = ContractSuite(VenueFixture(provider: "treatwell"))

    @Test func createThenNothingToDo() async throws { try await suite.createThenNothingToDo() }
    @Test func updateAndReplace() async throws { try await suite.updateAndReplace() }
    @Test func driftIsFoundAndCorrected() async throws { try await suite.driftIsFoundAndCorrected() }
    @Test func orphansAreKeptThenPruned() async throws { try await suite.orphansAreKeptThenPruned() }
    @Test func aScopedRunReadsOnlyItsEstablishment() async throws { try await suite.aScopedRunReadsOnlyItsEstablishment() }
    @Test func adoptsOnlyWhenAsked() async throws { try await suite.adoptsOnlyWhenAsked() }
    @Test func safetyThresholdsRefuseUnlessForced() async throws { try await suite.safetyThresholdsRefuseUnlessForced() }
    /// Treatwell's throttling (429 `RATE_LIMITED`, `Retry-After`) answered with backoff.
    @Test func faultsConvergeWithoutDuplicates() async throws { try await suite.faultsConvergeWithoutDuplicates("429=0.2") }
    @Test func pagesThroughLargeCollections() async throws { try await suite.pagesThroughLargeCollections() }
    @Test func duplicatesAreReportedThenRetired() async throws { try await suite.duplicatesAreReportedThenRetired() }
    /// Creates carry an idempotency key and updates `If-Match`, so 503s and lost answers are retried.
    @Test func convergesInOneRunUnderAStormOfFaults() async throws {
        let retries = try await suite.convergesInOneRunUnderAStorm("429=0.2,503=0.2,reset=0.02,churn=0.1,slow=0.2", seeds: Array(1...20))
        #expect(retries.count == 20 && retries.values.allSatisfy { $0.sent > 0 }, "\(retries)")
    }
}

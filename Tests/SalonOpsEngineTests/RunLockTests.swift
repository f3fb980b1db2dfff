import Foundation
import SalonOpsProviderKit
import SalonOpsTestSupport
import Testing
@testable import SalonOpsEngine

/// The apply lock's file: never read half-written, taken over only from a holder that is gone
/// or expired (by exactly one taker), and named as it is (alive, dead, expired, elsewhere).
@Suite struct RunLockTests {
    static func scratch() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path }

    static func holder(pid: Int32, host: String = ProcessInfo.processInfo.hostName, expires: Date = Date().addingTimeInterval(3600)) -> RunLock.Holder {
        let formatter = ISO8601DateFormatter()
        return RunLock.Holder(
            host: host, pid: pid, started: formatter.string(from: Date().addingTimeInterval(-60)), expires: formatter.string(from: expires),
            command: "salonops apply", target: "stripe=http://127.0.0.1:1")
    }

    static func plant(_ holder: RunLock.Holder, at lock: RunLock) throws {
        try FileManager.default.createDirectory(atPath: (lock.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONEncoder().encode(holder).write(to: URL(fileURLWithPath: lock.path))
    }

    /// The pid of a process that has exited and been reaped: certainly gone.
    static func deadPID() throws -> Int32 {
        let process = try RunningProcess("/bin/true", [])
        _ = try process.waitForExitStatus(within: 10)
        return process.pid
    }

    /// Runs blocking file work (flock, tight loops) on a thread of its own, not on the
    /// cooperative pool the rest of the suite shares.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }

    /// Before, the holder was written after `open(O_EXCL)`: a reader could find the file empty
    /// ("held by pid 0 on ? since ?"). Now it appears whole or not at all.
    @Test func aReaderNeverSeesAHalfWrittenLock() async throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lock = RunLock(stateDirectory: directory, repository: "r", target: "t")
        let torn = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                await Self.onThread {
                    for _ in 0..<300 {
                        try? lock.acquire(command: "salonops apply")
                        lock.release()
                    }
                    return 0
                }
            }
            group.addTask {
                await Self.onThread {
                    var torn = 0
                    for _ in 0..<3000 {
                        guard let data = FileManager.default.contents(atPath: lock.path) else { continue }
                        if (try? JSONDecoder().decode(RunLock.Holder.self, from: data)) == nil { torn += 1 }
                    }
                    return torn
                }
            }
            return await group.reduce(0, +)
        }
        #expect(torn == 0, "\(torn) reads found a lock file that does not name its holder")
    }

    @Test func aDeadOrExpiredHoldersLockIsTakenOverAndALiveOneIsNot() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lock = RunLock(stateDirectory: directory, repository: "r", target: "t")

        let dead = Self.holder(pid: try Self.deadPID())
        #expect(RunLock.liveness(of: dead) == .dead)
        try Self.plant(dead, at: lock)
        try lock.acquire(command: "salonops apply")
        #expect(lock.holder()?.pid == getpid())
        lock.release()
        #expect(lock.holder() == nil)

        let expired = Self.holder(pid: 1, host: "elsewhere.example", expires: Date().addingTimeInterval(-5))
        #expect(RunLock.liveness(of: expired) == .expired)
        try Self.plant(expired, at: lock)
        try lock.acquire(command: "salonops apply")
        lock.release()

        let elsewhere = Self.holder(pid: 4242, host: "elsewhere.example")
        #expect(RunLock.liveness(of: elsewhere) == .unknown)
        try Self.plant(elsewhere, at: lock)
        #expect {
            try lock.acquire(command: "salonops apply")
        } throws: { error in
            let text = "\(error)"
            return text.contains("held by pid 4242 on elsewhere.example since ") && text.contains("(`salonops apply`")
        }
        // A live process of this host (this one's parent) holds it: refused too.
        let alive = Self.holder(pid: getppid())
        #expect(RunLock.liveness(of: alive) == .alive)
        try Self.plant(alive, at: lock)
        #expect(throws: RunLock.Refusal.self) { try lock.acquire(command: "salonops apply") }
        #expect(lock.holder() == alive, "a refused taker leaves the holder as it was")
    }

    /// Many takers of a dead holder's lock at once: exactly one gets it (the takeover is
    /// judged and done under the guard; the others then see a live holder).
    @Test func exactlyOneOfManyTakersTakesOverADeadHoldersLock() async throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lock = RunLock(stateDirectory: directory, repository: "r", target: "t")
        for round in 0..<10 {
            try Self.plant(Self.holder(pid: try Self.deadPID()), at: lock)
            let taken = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { await Self.onThread { (try? lock.acquire(command: "salonops apply")) != nil } } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(taken == 1, "round \(round): \(taken) takers got the lock")
            lock.release()
        }
    }

    /// Past a request's own attempts, retries come from the run's budget, while it lasts and up
    /// to the per-request ceiling.
    @Test func retriesPastARequestsAttemptsComeFromTheRunsBudget() async {
        let counter = RequestCounter()
        let budget = RetryBudget(retriesPerRun: 3, maxAttemptsPerRequest: 8)
        for attempt in 1..<6 { #expect(await counter.takeRetry(after: attempt, maxAttempts: 6, budget: budget)) }
        #expect(await counter.budgetSpent == 0)
        #expect(await counter.takeRetry(after: 6, maxAttempts: 6, budget: budget))
        #expect(await counter.takeRetry(after: 7, maxAttempts: 6, budget: budget))
        #expect(await !counter.takeRetry(after: 8, maxAttempts: 6, budget: budget), "the per-request ceiling")
        #expect(await counter.takeRetry(after: 6, maxAttempts: 6, budget: budget), "another request")
        #expect(await counter.budgetSpent == 3)
        #expect(await !counter.takeRetry(after: 6, maxAttempts: 6, budget: budget), "the budget is spent")
        #expect(await counter.takeRetry(after: 1, maxAttempts: 6, budget: budget), "a request's own attempts stay")
        #expect(await counter.retries == 9)
    }
}

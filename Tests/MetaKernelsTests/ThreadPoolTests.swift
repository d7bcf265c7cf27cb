import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

@testable import MetaKernels

/// Per-index hit counters that many threads may bump at once.
final class HitCounter: Sendable {
  private let hits: LockedValue<[Int]>
  init(_ n: Int) { hits = LockedValue([Int](repeating: 0, count: n)) }
  func hit(_ i: Int) { hits.withLock { $0[i] += 1 } }
  var counts: [Int] { hits.withLock { $0 } }
}

final class ThreadPoolTests: XCTestCase {
  func testEveryIndexRunsExactlyOnce() {
    let pool = ThreadPool(threadLimit: 4)
    for count in [0, 1, 2, 3, 7, 64, 1000] {
      let counter = HitCounter(count)
      pool.parallelFor(count: count) { counter.hit($0) }
      XCTAssertEqual(counter.counts, [Int](repeating: 1, count: count), "count \(count)")
    }
  }

  /// Work really spreads: with blocking bodies, more than one thread takes part.
  func testUsesSeveralThreads() {
    let pool = ThreadPool(threadLimit: 3)
    let ids = LockedValue<Set<UInt>>([])
    pool.parallelFor(count: 30) { _ in
      let me = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(bitPattern: UInt(pthread_self()))))
      ids.withLock { _ = $0.insert(me) }
      usleep(2000)
    }
    XCTAssertGreaterThan(ids.withLock { $0.count }, 1)
  }

  func testThreadsArgumentOfOneStaysOnCaller() {
    let pool = ThreadPool(threadLimit: 4)
    let caller = pthread_self()
    let elsewhere = Atomic(0)
    pool.parallelFor(count: 50, threads: 1) { _ in
      if pthread_equal(pthread_self(), caller) == 0 { elsewhere.add(1, ordering: .relaxed) }
    }
    XCTAssertEqual(elsewhere.load(ordering: .relaxed), 0)
  }

  /// A parallelFor inside a parallelFor on the same pool runs serially and completes.
  func testNestedCallsRunSeriallyWithoutDeadlock() {
    let pool = ThreadPool(threadLimit: 4)
    let counter = HitCounter(8 * 16)
    pool.parallelFor(count: 8) { i in
      pool.parallelFor(count: 16) { j in counter.hit(i * 16 + j) }
    }
    XCTAssertEqual(counter.counts, [Int](repeating: 1, count: 8 * 16))
  }

  /// Several threads calling the same pool at once: each call still covers its indices.
  func testConcurrentCallersAreSafe() {
    let pool = ThreadPool(threadLimit: 3)
    let callers = ThreadPool(threadLimit: 4)  // a second pool just to start concurrent callers
    let counter = HitCounter(4 * 200)
    callers.parallelFor(count: 4) { c in
      for round in 0..<10 {
        pool.parallelFor(count: 20) { i in counter.hit(c * 200 + round * 20 + i) }
      }
    }
    XCTAssertEqual(counter.counts, [Int](repeating: 1, count: 800))
  }

  /// Many back-to-back jobs: workers must not miss or repeat a generation.
  func testManyConsecutiveJobs() {
    let pool = ThreadPool(threadLimit: 2)
    let total = Atomic(0)
    for _ in 0..<2000 {
      pool.parallelFor(count: 3) { i in total.add(i + 1, ordering: .relaxed) }
    }
    XCTAssertEqual(total.load(ordering: .relaxed), 2000 * 6)
  }

  func testLimitsAreClamped() {
    let pool = ThreadPool(threadLimit: 0)
    XCTAssertEqual(pool.threadLimit, 1)
    pool.threadLimit = 1_000_000
    XCTAssertEqual(pool.threadLimit, ThreadPool.threadCap)
    pool.threadLimit = -5
    XCTAssertEqual(pool.threadLimit, 1)
    let saved = ThreadPool.maxThreads
    ThreadPool.maxThreads = 3
    XCTAssertEqual(ThreadPool.shared.threadLimit, 3)
    ThreadPool.maxThreads = saved
    XCTAssertGreaterThanOrEqual(ThreadPool.coreCount, 1)
    // The affinity mask's cores are some of the online ones.
    XCTAssertLessThanOrEqual(ThreadPool.coreCount, ThreadPool.onlineCores)
  }

  /// Releasing a pool stops and joins its workers (the test would hang otherwise).
  func testPoolShutsDownWhenReleased() {
    for _ in 0..<20 {
      let pool = ThreadPool(threadLimit: 3)
      let counter = HitCounter(10)
      pool.parallelFor(count: 10) { counter.hit($0) }
      XCTAssertEqual(counter.counts, [Int](repeating: 1, count: 10))
    }
  }
}

import Foundation
import XCTest
@testable import MetaTensor

/// The buffer pool's size classes, reuse, bounds and thread safety, on
/// private pools so the shared one (used by every other test) is untouched.
final class BufferPoolTests: XCTestCase {
  func testSizeClassesCoverRequestsWithBoundedWaste() {
    var previous = (index: -1, capacity: 0)
    for count in [1, 16, 17, 100, 4096, 4097, 5120, 5121, 8192, 8193, 60_000_000, 1 << 31] {
      let c = BufferPool.sizeClass(for: count)
      XCTAssertGreaterThanOrEqual(c.capacity, count)
      if count > 4096 { XCTAssertLessThanOrEqual(Double(c.capacity), Double(count) * 1.25, "count \(count)") }
      XCTAssertLessThan(c.index, BufferPool.classCount)
      XCTAssertGreaterThanOrEqual(c.index, previous.index, "classes grow with the request")
      XCTAssertEqual(BufferPool.sizeClass(for: c.capacity).capacity, c.capacity, "idempotent")
      XCTAssertEqual(BufferPool.sizeClass(for: c.capacity).index, c.index)
      previous = c
    }
    // 50M elements (200 MB) lie in (2^25, 2^26]: served by 6 quarter-steps of
    // 2^23 (201 MB), not rounded up to 2^26 (268 MB).
    XCTAssertEqual(BufferPool.sizeClass(for: 50_000_000).capacity, 6 << 23)
  }

  func testLargeBuffersAreReused() throws {
    let pool = BufferPool(maxBytes: 1 << 30, perClass: 4)
    // 40M floats = 160 MB: above the old pool's 128 MB reuse limit.
    let (p, capacity) = try XCTUnwrap(pool.take(40_000_000))
    pool.give(p, capacity: capacity)
    XCTAssertEqual(pool.pooledBytes, capacity * 4)
    let (q, again) = try XCTUnwrap(pool.take(39_000_000))  // same class
    XCTAssertEqual(q, p)
    XCTAssertEqual(again, capacity)
    XCTAssertEqual(pool.pooledBytes, 0)
    pool.give(q, capacity: again)
  }

  func testBoundsFreeBuffersBeyondTheCaps() throws {
    let pool = BufferPool(maxBytes: 1 << 20, perClass: 2)  // 1 MiB, half per class
    let small = try (0..<3).map { _ in try XCTUnwrap(pool.take(100)) }
    for (p, c) in small { pool.give(p, capacity: c) }
    XCTAssertEqual(pool.pooledBytes, 2 * 128 * 4, "per-class count cap")
    let (big, c) = try XCTUnwrap(pool.take(200_000))  // 800 KB > half the pool
    pool.give(big, capacity: c)
    XCTAssertEqual(pool.pooledBytes, 2 * 128 * 4, "per-class byte cap")
    pool.drain()
    XCTAssertEqual(pool.pooledBytes, 0)
  }

  func testConcurrentTakeAndGiveKeepConsistentCounts() {
    let pool = BufferPool(maxBytes: 1 << 24, perClass: 64)
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      for round in 0..<2000 {
        guard let (p, c) = pool.take(16 + (i * 37 + round) % 3000) else { return XCTFail("no memory") }
        p.initialize(repeating: Float(i), count: c)  // touch it: must be exclusively ours
        XCTAssertEqual(p[c - 1], Float(i))
        pool.give(p, capacity: c)
      }
    }
    let held = pool.pooledBytes
    XCTAssertGreaterThan(held, 0)
    XCTAssertLessThanOrEqual(held, 1 << 24)
    pool.drain()
    XCTAssertEqual(pool.pooledBytes, 0)
  }

  func testTensorsRecycleTheirStorage() throws {
    // The shared pool: a freed intermediate's buffer serves the next request of its class.
    let x = try Tensor(shape: [300, 1000], scalars: [Float](repeating: 1, count: 300_000))
    var address: UnsafeMutablePointer<Float>?
    do {
      let y = try x.exp()
      address = y.storage.base
    }
    let z = try x.exp()
    XCTAssertEqual(z.storage.base, address)
    XCTAssertEqual(try XCTUnwrap(z.scalars.first), Float(M_E), accuracy: 1e-6)
  }
}

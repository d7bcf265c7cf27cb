import MetaTensor
import XCTest

/// Tensor buffers start on a 64-byte cache line, fresh or reused from the pool.
final class StorageAlignmentTests: XCTestCase {
  func testBuffersAreCacheLineAligned() throws {
    for count in [1, 3, 17, 400, 1600, 4097, 100_000] {
      for _ in 0..<3 {  // the second and third rounds reuse pooled buffers
        let t = try Tensor.zeros([count])
        let address = try t.withContiguousBuffer(op: "test") { UInt(bitPattern: $0.baseAddress) }
        XCTAssertEqual(address % 64, 0, "\(count) floats at \(address)")
        let u = try t + 1  // an op's output comes from the pool too
        XCTAssertEqual(try u.withContiguousBuffer(op: "test") { UInt(bitPattern: $0.baseAddress) } % 64, 0)
      }
    }
  }
}

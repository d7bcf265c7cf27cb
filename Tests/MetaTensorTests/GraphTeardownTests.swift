import Foundation
import XCTest
@testable import MetaTensor

/// Long graphs are freed without recursing once per op (GradNode.deinit).
final class GraphTeardownTests: XCTestCase {
  /// Runs `body` on a thread with a small stack, so that a recursion of a
  /// few thousand frames would crash the test process.
  func onSmallStack(_ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      body()
      done.signal()
    }
    thread.stackSize = 256 << 10
    thread.start()
    done.wait()
  }

  func testLongChainIsFreedIteratively() {
    // 100,000 ops: freed recursively, that is hundreds of thousands of
    // frames, far beyond a 256 KiB stack.
    onSmallStack {
      do {
        var total = try Tensor(0)
        let w = try Tensor(1).requiringGrad()
        for _ in 0..<100_000 { total = try total + w }
        XCTAssertEqual(total.gradOp, "add")
        let g = try gradients(of: total, wrt: [w])
        XCTAssertEqual(try g[0].item(), 100_000)
      } catch {
        XCTFail("\(error)")
      }
    }
  }

  func testSharedNodesSurviveTheTeardown() throws {
    // Freeing one graph must not take apart a part another live tensor uses.
    let w = try Tensor(2).requiringGrad()
    let shared = try (w * w).exp()
    do {
      var total = shared
      for _ in 0..<1_000 { total = try total + w }
      _ = total
    }
    let g = try gradients(of: shared, wrt: [w])
    // d/dw exp(w²) = 2w exp(w²)
    XCTAssertEqual(try g[0].item(), 4 * Foundation.exp(4), accuracy: 1e-2)
  }
}

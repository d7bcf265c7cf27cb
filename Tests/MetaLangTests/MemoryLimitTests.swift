// The host's memory limit (issue 13): allocation failure aborted the process, and
// nothing bounded the total of a script's tensors.

import Foundation
import MetaTensor
import XCTest

@testable import MetaLang

final class MemoryLimitTests: XCTestCase {
  /// Evaluates `source` under `limit` bytes; the error message, if any.
  func error(_ source: String, _ interp: Interpreter) -> MetaError? {
    do {
      try interp.evaluate(source)
      return nil
    } catch {
      XCTAssertTrue(error is MetaError, "\(error)")
      return error as? MetaError
    }
  }

  func interpreter(limit: Int?) -> Interpreter {
    let interp = Interpreter(output: { _ in })
    interp.limits.maxMemory = limit
    return interp
  }

  /// 1,024-element tensors take 4 KiB each: at the limit they fit, one more does not.
  func testAtAndOverTheLimit() throws {
    let interp = interpreter(limit: nil)
    let base = interp.tensorBytesInUse  // the prelude's tensors
    interp.limits.maxMemory = base + 4 * 4096
    XCTAssertNil(error("var xs = []\nfor i in range(4) { xs.append(zeros([1024])) }", interp))
    XCTAssertEqual(interp.tensorBytesInUse, base + 4 * 4096)
    let e = error("xs.append(zeros([1024]))", interp)
    XCTAssertEqual(e?.kind, .limit)
    XCTAssertEqual(
      e?.message, "out of memory: a tensor of 4096 bytes does not fit, \(base + 4 * 4096) in use (limit \(base + 4 * 4096) bytes)")
    XCTAssertEqual(e?.loc, SourceLoc(line: 1, column: 11))
    // Freed tensors give their bytes back.
    XCTAssertNil(error("xs = []\nfor i in range(1000) { xs.append(zeros([1024])); xs.pop() }", interp))
    XCTAssertEqual(interp.tensorBytesInUse, base)
  }

  func testRefusedTensorIsCatchableAndCostsNothing() throws {
    let interp = interpreter(limit: 1 << 30)
    let base = interp.tensorBytesInUse
    let v = try interp.evaluate(
      """
      let big = try { zeros([1500000000]) } catch e { e.message }
      let small = zeros([1000]).sum()
      [big, small]
      """)
    XCTAssertEqual(
      v.description,
      "[\"out of memory: a tensor of 6442450944 bytes does not fit, \(base) in use (limit 1073741824 bytes)\", tensor(0.)]")
  }

  /// The issue's programs, under a host limit.
  func testIssueProgramsEndInTheLimitError() {
    let limit = 256 << 20
    for source in [
      "zeros([1500000000])",
      "ones([1]).expand([2000000000]) + 1",
      "var xs = []\nfor i in range(100) { xs.append(ones([16777216])) }",
      "let x = ones([1]).expand([20000, 20000])\nx.exp()",
      "let w = ones([16384, 1024])\ngrad(fn(w) { (w * w * w).sum() })(w)",  // refused in the backward pass
    ] {
      let interp = interpreter(limit: limit)
      let e = error(source, interp)
      XCTAssertEqual(e?.kind, .limit, source)
      XCTAssertTrue(e?.message.hasPrefix("out of memory: a tensor of ") ?? false, "\(source): \(e?.message ?? "none")")
      XCTAssertTrue(e?.message.hasSuffix("(limit \(limit) bytes)") ?? false, "\(source): \(e?.message ?? "none")")
      XCTAssertLessThanOrEqual(interp.tensorBytesInUse, limit)
    }
  }

  /// The limit is the host's to change between evaluations; without one nothing is refused.
  func testLimitChangesAndNoLimit() throws {
    let interp = interpreter(limit: 1 << 20)
    XCTAssertNotNil(error("let a = zeros([1048576])", interp))
    interp.limits.maxMemory = nil
    XCTAssertNil(error("let a = zeros([1048576])", interp))
    interp.limits.maxMemory = 1 << 20  // below what is alive now: new tensors are refused
    XCTAssertNotNil(error("let b = zeros([16])", interp))
    XCTAssertNil(error("let b = 1", interp))
  }

  /// The budget as MetaTensor offers it, without the language.
  func testMemoryBudgetCountsAndRefuses() throws {
    let budget = MemoryBudget(limit: 1 << 20)
    var kept: [Tensor] = []
    XCTAssertThrowsError(
      try budget.whileInstalled {
        for _ in 0..<10 { kept.append(try Tensor.zeros([64 * 1024])) }  // 256 KiB each
      }
    ) { error in
      XCTAssertEqual((error as? TensorError)?.isOutOfMemory, true)
    }
    XCTAssertEqual(kept.count, 4)
    XCTAssertEqual(budget.bytesInUse, 1 << 20)
    kept.removeAll()
    XCTAssertEqual(budget.bytesInUse, 0)
    // Not installed: not counted.
    let t = try Tensor.zeros([1024])
    XCTAssertEqual(budget.bytesInUse, 0)
    _ = t
  }
}

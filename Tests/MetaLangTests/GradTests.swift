// `grad` in Meta against MetaTensor's own transforms, and where its errors point.

import MetaLang
import MetaTensor
import XCTest

final class GradTests: XCTestCase {
  private func quiet() -> Interpreter { Interpreter(output: { _ in }) }

  func testMetaGradMatchesMetaTensorGrad() throws {
    let x = try Tensor(shape: [3], scalars: [0.5, -1, 2])
    // f(x) = sum(tanh(x) * x^2), differentiated once and twice by MetaTensor directly.
    let f: (Tensor) throws -> Tensor = { try ($0.tanh() * $0 * $0).sum() }
    let first = try MetaTensor.grad(f)(x).scalars
    let second = try MetaTensor.grad { try MetaTensor.grad(f)($0).sum() }(x).scalars
    let interp = quiet()
    interp[global: "x"] = .tensor(x)
    try interp.evaluate("let f = fn(x) { (tanh(x) * x * x).sum() }")
    let g1 = try XCTUnwrap(try interp.evaluate("grad(f)(x)").tensor).scalars
    let g2 = try XCTUnwrap(try interp.evaluate("grad(fn(x) { grad(f)(x).sum() })(x)").tensor).scalars
    XCTAssertEqual(g1, first)
    XCTAssertEqual(g2, second)
    // The argument itself is untouched and not tracked afterwards.
    XCTAssertFalse(x.requiresGrad)
  }

  func testValueAndGradReturnsValueAndTreeOfSameShape() throws {
    let interp = quiet()
    let r = try interp.evaluate("value_and_grad(fn(p) { (p.a * p.b[0]).sum() })({a: tensor([1, 2]), b: [tensor(3)]})")
    guard case .list(let pair) = r, pair.count == 2, case .record(let grads) = pair[1] else {
      return XCTFail("expected [value, record], got \(r)")
    }
    XCTAssertEqual(try XCTUnwrap(pair[0].tensor).scalars, [9])  // (1 + 2) * 3
    XCTAssertEqual(try XCTUnwrap(grads["a"]?.tensor).scalars, [3, 3])
    guard case .list(let bs)? = grads["b"] else { return XCTFail("b should stay a list") }
    XCTAssertEqual(try XCTUnwrap(bs.first?.tensor).scalars, [3])  // 1 + 2
  }

  func testErrorsInsideDifferentiatedFunctionsKeepTheirLocation() throws {
    let interp = quiet()
    XCTAssertThrowsError(try interp.evaluate("let f = fn(x) {\n  x + ones([5])\n}\ngrad(f)(ones([2]))")) { e in
      let err = e as? MetaError
      XCTAssertEqual(err?.message, "add: shapes [2] and [5] cannot broadcast")
      XCTAssertEqual(err?.loc.line, 2)
    }
    XCTAssertThrowsError(try interp.evaluate("grad(fn(x) { x })(2.0)")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "grad: argument 1 is a Float; only tensors can be differentiated (use tensor(x))")
    }
  }
}

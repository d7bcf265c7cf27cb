import XCTest
@testable import MetaTensor

/// Deterministic test inputs independent of the library's RandomState.
struct TestRNG {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [low, high).
  mutating func uniform(_ low: Float, _ high: Float) -> Float {
    low + (high - low) * Float(next() >> 40) / Float(1 << 24)
  }

  mutating func tensor(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) throws -> Tensor {
    let n = shape.reduce(1, *)
    return try Tensor(shape: shape, scalars: (0..<n).map { _ in uniform(low, high) })
  }
}

func XCTAssertClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5,
                    _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
  for (i, (x, y)) in zip(a, b).enumerated() where !(Swift.abs(x - y) <= tol * Swift.max(1, Swift.abs(y))) {
    XCTFail("element \(i): \(x) vs \(y) \(message)", file: file, line: line)
    return
  }
}

func XCTAssertThrowsTensorError(_ expression: @autoclosure () throws -> Any, containing text: String,
                                file: StaticString = #filePath, line: UInt = #line) {
  do {
    _ = try expression()
    XCTFail("expected an error containing '\(text)'", file: file, line: line)
  } catch let error as TensorError {
    XCTAssertTrue(error.message.contains(text), "'\(error.message)' lacks '\(text)'", file: file, line: line)
  } catch {
    XCTFail("unexpected error type \(error)", file: file, line: line)
  }
}

/// Central-difference checks of first derivatives.
///
/// Float32 finite differences are noisy, so the scalar checked is
/// `L = sum(f(x) * W)` for fixed random weights W, evaluated at step h = 1e-2:
/// the truncation error is O(h² f''') ~ 1e-4 for the smooth, O(1)-scaled test
/// functions, and the rounding error about n·ε·|L| / h ≈ 24 · 6e-8 · 10 / 1e-2
/// ≈ 1.5e-3 for the small inputs used. A tolerance of 1e-2 relative (floored
/// at 1 in magnitude) therefore catches any wrong rule (which is off by O(1))
/// without flaking.
func checkGradients(_ inputs: [Tensor], h: Float = 1e-2, tol: Float = 1e-2, seed: UInt64 = 7,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: @escaping ([Tensor]) throws -> Tensor) throws {
  var rng = TestRNG(seed)
  let probe = try f(inputs)
  let weights = try rng.tensor(probe.shape, 0.5, 1.5)
  let loss: ([Tensor]) throws -> Tensor = { xs in try (f(xs) * weights).sum() }
  let leaves = inputs.map { $0.requiringGrad() }
  let analytic = try gradients(of: loss(leaves), wrt: leaves)
  for (k, input) in inputs.enumerated() {
    XCTAssertEqual(analytic[k].shape, input.shape, "gradient shape", file: file, line: line)
    var values = input.scalars
    var numeric = [Float](repeating: 0, count: values.count)
    for i in values.indices {
      let saved = values[i]
      func evaluate(_ v: Float) throws -> Float {
        values[i] = v
        var xs = inputs
        xs[k] = try Tensor(shape: input.shape, scalars: values)
        return try loss(xs).item()
      }
      numeric[i] = (try evaluate(saved + h) - evaluate(saved - h)) / (2 * h)
      values[i] = saved
    }
    XCTAssertClose(analytic[k].scalars, numeric, tol: tol, "input \(k)", file: file, line: line)
  }
}

/// Checks second derivatives: the Hessian-vector product computed as the
/// gradient of <∇L(x), v> against central differences of the gradient,
/// (∇L(x + h v) - ∇L(x - h v)) / 2h. Same error budget as `checkGradients`.
func checkHessianVectorProducts(_ inputs: [Tensor], h: Float = 1e-2, tol: Float = 2e-2, seed: UInt64 = 11,
                                file: StaticString = #filePath, line: UInt = #line,
                                _ f: @escaping ([Tensor]) throws -> Tensor) throws {
  var rng = TestRNG(seed)
  let probe = try f(inputs)
  let weights = try rng.tensor(probe.shape, 0.5, 1.5)
  let directions = try inputs.map { try rng.tensor($0.shape) }
  func gradientsAt(_ xs: [Tensor], createGraph: Bool) throws -> [Tensor] {
    try gradients(of: (f(xs) * weights).sum(), wrt: xs, createGraph: createGraph)
  }
  let leaves = inputs.map { $0.requiringGrad() }
  let g = try gradientsAt(leaves, createGraph: true)
  var inner = try (g[0] * directions[0]).sum()
  for k in 1..<inputs.count { inner = try inner + (g[k] * directions[k]).sum() }
  let hvp = try gradients(of: inner, wrt: leaves)
  let plus = try gradientsAt(zip(inputs, directions).map { try $0 + h * $1 }.map { $0.requiringGrad() }, createGraph: false)
  let minus = try gradientsAt(zip(inputs, directions).map { try $0 - h * $1 }.map { $0.requiringGrad() }, createGraph: false)
  for k in inputs.indices {
    let numeric = try (plus[k] - minus[k]) / (2 * h)
    XCTAssertEqual(hvp[k].shape, inputs[k].shape, file: file, line: line)
    XCTAssertClose(hvp[k].scalars, numeric.scalars, tol: tol, "input \(k)", file: file, line: line)
  }
}

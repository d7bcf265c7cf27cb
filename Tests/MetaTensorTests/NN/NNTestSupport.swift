import XCTest
@testable import MetaTensor

// Finite-difference checks for the NN ops, with the scalar objective
// accumulated in Double, and straightforward reference loops.
//
// Error budget. The objective is L(x) = Σ w_i f(x)_i with fixed weights
// w_i in [0.5, 1.5], summed in Double, so only f's own Float32 rounding
// enters: about 1e-6 relative per element (a few dozen-term sums), i.e.
// |δL| ~ sqrt(#elements) · 1e-6 ≈ 2e-5 for the few hundred elements used.
// The central difference with h = 1e-2 divides that by 2h: ~1e-3 absolute.
// Its truncation error h²/6 · |f'''| is ≈ 2e-5 for the O(1)-scaled smooth
// functions tested, and exactly 0 for the (bi)linear ones such as conv2d
// and pooling. Gradients here are O(1-10), so a tolerance of 2e-3 times the
// largest gradient entry passes correct rules with about 10x margin (the
// largest error observed is 9% of it) while a rule off by 1% fails.

/// Weights for the objective, fixed by `seed`.
func nnWeights(count: Int, seed: UInt64) -> [Double] {
  var rng = TestRNG(seed)
  return (0..<count).map { _ in Double(rng.uniform(0.5, 1.5)) }
}

/// Σ w_i t_i in Double.
func nnWeightedSum(_ t: Tensor, _ w: [Double]) -> Double {
  zip(t.scalars, w).reduce(0) { $0 + Double($1.0) * $1.1 }
}

/// Asserts `|a - b| <= tol * scale` element-wise, where `scale` defaults to
/// `max(max|b|, floor)`.
func nnAssertClose(_ a: [Float], _ b: [Double], tol: Double, floor: Double = 1e-3, scale: Double? = nil,
                   _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
  XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
  let scale = scale ?? max(b.map { Swift.abs($0) }.max() ?? 0, floor)
  for (i, (x, y)) in zip(a, b).enumerated() where !(Swift.abs(Double(x) - y) <= tol * scale) {
    XCTFail("element \(i): \(x) vs \(y) (scale \(scale)) \(message)", file: file, line: line)
    return
  }
}

/// Checks the gradient of Σ w·f(inputs) with respect to every input against
/// central differences of the Double-accumulated objective.
func nnCheckGradients(_ inputs: [Tensor], h: Float = 1e-2, tol: Double = 2e-3, seed: UInt64 = 5,
                      file: StaticString = #filePath, line: UInt = #line,
                      _ f: ([Tensor]) throws -> Tensor) throws {
  let probe = try f(inputs)
  let w = nnWeights(count: probe.count, seed: seed)
  let wTensor = try Tensor(shape: probe.shape, scalars: w.map(Float.init))
  let leaves = inputs.map { $0.requiringGrad() }
  let analytic = try gradients(of: (f(leaves) * wTensor).sum(), wrt: leaves)
  for (k, input) in inputs.enumerated() {
    XCTAssertEqual(analytic[k].shape, input.shape, "gradient shape of input \(k)", file: file, line: line)
    var values = input.scalars
    var numeric = [Double](repeating: 0, count: values.count)
    for i in values.indices {
      let saved = values[i]
      func objective(_ v: Float) throws -> Double {
        values[i] = v
        var xs = inputs
        xs[k] = try Tensor(shape: input.shape, scalars: values)
        return nnWeightedSum(try f(xs), w)
      }
      // Divide by the step actually taken (saved ± h rounds in Float).
      let (up, down) = (saved + h, saved - h)
      numeric[i] = (try objective(up) - objective(down)) / (Double(up) - Double(down))
      values[i] = saved
    }
    nnAssertClose(analytic[k].scalars, numeric, tol: tol, "gradient of input \(k)", file: file, line: line)
  }
}

/// Checks second derivatives: the Hessian-vector product, computed as the
/// gradient of <∇L, v> through a differentiable (createGraph) gradient,
/// against (∇L(x + h v) - ∇L(x - h v)) / 2h. The gradients are Float32
/// (relative error ~1e-6), so the difference quotient carries ~1e-4 of
/// rounding at h = 1e-2, plus O(h²) truncation: tolerance 1e-2 of the largest entry.
func nnCheckHessianVectorProducts(_ inputs: [Tensor], h: Float = 1e-2, tol: Double = 1e-2, seed: UInt64 = 9,
                                  directionScale: Float = 1,
                                  file: StaticString = #filePath, line: UInt = #line,
                                  _ f: ([Tensor]) throws -> Tensor) throws {
  var rng = TestRNG(seed)
  let probe = try f(inputs)
  let w = try rng.tensor(probe.shape, 0.5, 1.5)
  let directions = try inputs.map { try rng.tensor($0.shape, -directionScale, directionScale) }
  func gradientsAt(_ xs: [Tensor], createGraph: Bool) throws -> [Tensor] {
    let leaves = xs.map { $0.requiringGrad() }
    return try gradients(of: (f(leaves) * w).sum(), wrt: leaves, createGraph: createGraph)
  }
  let leaves = inputs.map { $0.requiringGrad() }
  let g = try gradients(of: (f(leaves) * w).sum(), wrt: leaves, createGraph: true)
  var inner = try (g[0] * directions[0]).sum()
  for k in 1..<inputs.count { inner = try inner + (g[k] * directions[k]).sum() }
  let hvp = try gradients(of: inner, wrt: leaves)
  let plus = try gradientsAt(zip(inputs, directions).map { try $0 + h * $1 }, createGraph: false)
  let minus = try gradientsAt(zip(inputs, directions).map { try $0 - h * $1 }, createGraph: false)
  for k in inputs.indices {
    XCTAssertEqual(hvp[k].shape, inputs[k].shape, "HVP shape of input \(k)", file: file, line: line)
    let numeric = zip(plus[k].scalars, minus[k].scalars).map { (Double($0) - Double($1)) / (2 * Double(h)) }
    nnAssertClose(hvp[k].scalars, numeric, tol: tol, "HVP of input \(k)", file: file, line: line)
  }
}

/// Distinct values, at least `gap` apart, in a shuffled order: inputs for max
/// pooling without ties (finite-difference steps below gap/2 never change a winner).
func nnDistinctTensor(_ shape: [Int], gap: Float = 0.1, seed: UInt64) throws -> Tensor {
  let n = shape.reduce(1, *)
  var rng = TestRNG(seed)
  var values = (0..<n).map { Float($0) * gap - Float(n) * gap / 2 }
  for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
  return try Tensor(shape: shape, scalars: values)
}

/// Direct 2-D convolution in Double: x [N, C, H, W], w [O, C, kh, kw].
func referenceConv2d(_ x: Tensor, _ w: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int)) -> ([Int], [Double]) {
  let (n, c, hh, ww) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
  let oh = (hh + 2 * padding.0 - kh) / stride.0 + 1, ow = (ww + 2 * padding.1 - kw) / stride.1 + 1
  let xs = x.scalars, ws = w.scalars, bs = bias?.scalars
  var out = [Double](repeating: 0, count: n * o * oh * ow)
  for b in 0..<n { for f in 0..<o { for i in 0..<oh { for j in 0..<ow {
    var acc = Double(bs?[f] ?? 0)
    for ch in 0..<c { for p in 0..<kh { for q in 0..<kw {
      let r = i * stride.0 - padding.0 + p, s = j * stride.1 - padding.1 + q
      guard r >= 0, r < hh, s >= 0, s < ww else { continue }
      acc += Double(xs[((b * c + ch) * hh + r) * ww + s]) * Double(ws[((f * c + ch) * kh + p) * kw + q])
    } } }
    out[((b * o + f) * oh + i) * ow + j] = acc
  } } } }
  return ([n, o, oh, ow], out)
}

/// Direct 2-D pooling in Double over x [N, C, H, W]; `combine` gets the
/// in-bounds window values and the padded kernel area.
func referencePool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                     _ combine: ([Double], Int) -> Double) -> ([Int], [Double]) {
  let (n, c, hh, ww) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let oh = (hh + 2 * padding.0 - kernel.0) / stride.0 + 1, ow = (ww + 2 * padding.1 - kernel.1) / stride.1 + 1
  let xs = x.scalars
  var out: [Double] = []
  for plane in 0..<(n * c) { for i in 0..<oh { for j in 0..<ow {
    var window: [Double] = []
    for p in 0..<kernel.0 { for q in 0..<kernel.1 {
      let r = i * stride.0 - padding.0 + p, s = j * stride.1 - padding.1 + q
      if r >= 0, r < hh, s >= 0, s < ww { window.append(Double(xs[(plane * hh + r) * ww + s])) }
    } }
    out.append(combine(window, kernel.0 * kernel.1))
  } } }
  return ([n, c, oh, ow], out)
}

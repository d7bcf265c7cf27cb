import XCTest
@testable import MetaTensor

/// layer_norm against a Double reference and finite differences (first and
/// second order); dropout's mask statistics, scaling and gradient.
final class NNLayerNormDropoutTests: XCTestCase {
  /// PyTorch's definition in Double: per slice over the last `k` axes,
  /// (x - mean) / sqrt(biased variance + eps) * weight + bias.
  func referenceLayerNorm(_ x: Tensor, k: Int, weight: [Float]?, bias: [Float]?, eps: Double) -> [Double] {
    let inner = x.shape.suffix(k).reduce(1, *)
    let values = x.scalars.map(Double.init)
    var out: [Double] = []
    for start in stride(from: 0, to: values.count, by: inner) {
      let slice = values[start..<(start + inner)]
      let mean = slice.reduce(0, +) / Double(inner)
      let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(inner)
      for (j, v) in slice.enumerated() {
        let w = weight.map { Double($0[j]) } ?? 1, b = bias.map { Double($0[j]) } ?? 0
        out.append((v - mean) / (variance + eps).squareRoot() * w + b)
      }
    }
    return out
  }

  func testValuesMatchTheDefinition() throws {
    var rng = TestRNG(3)
    let x = try rng.tensor([3, 4, 5], -2, 3)
    let w = try rng.tensor([4, 5], 0.5, 1.5), b = try rng.tensor([4, 5])
    let y = try layerNorm(x, normalizedShape: [4, 5], weight: w, bias: b, eps: 1e-5)
    XCTAssertEqual(y.shape, [3, 4, 5])
    nnAssertClose(y.scalars, referenceLayerNorm(x, k: 2, weight: w.scalars, bias: b.scalars, eps: 1e-5), tol: 1e-5)
    let last = try layerNorm(x, normalizedShape: [5], eps: 0.1)
    nnAssertClose(last.scalars, referenceLayerNorm(x, k: 1, weight: nil, bias: nil, eps: 0.1), tol: 1e-5)
    // A constant slice normalizes to 0 (not NaN) thanks to eps.
    XCTAssertEqual(try layerNorm(Tensor.full([2, 3], 4), normalizedShape: [3]).scalars, [0, 0, 0, 0, 0, 0])
    // An empty batch passes through.
    XCTAssertEqual(try layerNorm(Tensor.zeros([0, 3]), normalizedShape: [3]).shape, [0, 3])
  }

  func testNaNStaysInItsSlice() throws {
    let x = try Tensor(shape: [2, 3], scalars: [1, .nan, 3, 1, 2, 4])
    let y = try layerNorm(x, normalizedShape: [3]).scalars
    XCTAssertTrue(y[0..<3].allSatisfy(\.isNaN))
    XCTAssertTrue(y[3...].allSatisfy(\.isFinite))
  }

  func testGradientsFirstAndSecondOrder() throws {
    var rng = TestRNG(9)
    let x = try rng.tensor([3, 2, 4], -2, 2)
    let w = try rng.tensor([2, 4], 0.5, 1.5), b = try rng.tensor([2, 4])
    try nnCheckGradients([x, w, b]) { p in try layerNorm(p[0], normalizedShape: [2, 4], weight: p[1], bias: p[2]) }
    try nnCheckGradients([x]) { p in try layerNorm(p[0], normalizedShape: [4]) }
    try nnCheckHessianVectorProducts([x, w, b]) { p in
      try layerNorm(p[0], normalizedShape: [2, 4], weight: p[1], bias: p[2]).square()
    }
    try nnCheckHessianVectorProducts([x]) { p in try layerNorm(p[0], normalizedShape: [4]).tanh() }
  }

  func testLayerNormErrors() throws {
    let x = try Tensor.ones([2, 3])
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: [2]),
                               containing: "layer_norm: normalized_shape [2] must be the last dimensions of the input [2, 3]")
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: [1, 2, 3]), containing: "must be the last dimensions")
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: []), containing: "must be the last dimensions")
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: [3], weight: Tensor.ones([2])),
                               containing: "layer_norm: weight [2] does not match normalized_shape [3]")
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: [3], bias: Tensor.ones([1, 3])),
                               containing: "layer_norm: bias [1, 3] does not match")
    XCTAssertThrowsTensorError(try layerNorm(x, normalizedShape: [3], eps: -1), containing: "layer_norm: eps must be finite")
  }

  func testDropoutMaskStatistics() throws {
    var rng = RandomState(seed: 12)
    let n = 100_000, p: Float = 0.3
    let y = try dropout(Tensor.ones([n]), p: p, training: true, using: &rng).scalars
    let scale = Float(1 / (1 - Double(p)))
    XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == scale })
    let dropped = Double(y.filter { $0 == 0 }.count) / Double(n)
    XCTAssertEqual(dropped, Double(p), accuracy: 5 * (Double(p) * Double(1 - p) / Double(n)).squareRoot())
    // Inverted dropout keeps the expectation: mean 1, standard error sqrt(p / (1 - p) / n).
    let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
    XCTAssertEqual(mean, 1, accuracy: 5 * (Double(p) / Double(1 - p) / Double(n)).squareRoot())
  }

  func testDropoutModesAndEdges() throws {
    var rng = RandomState(seed: 1)
    var data = TestRNG(4)
    let x = try data.tensor([4, 5])
    let before = rng
    XCTAssertTrue(try dropout(x, p: 0.5, training: false, using: &rng) === x)
    XCTAssertTrue(try dropout(x, p: 0, training: true, using: &rng) === x)
    XCTAssertEqual(rng, before, "nothing is drawn when nothing is dropped")
    XCTAssertEqual(try dropout(x, p: 1, training: true, using: &rng).scalars, Array(repeating: 0, count: 20))
    // NaN and inf propagate even where dropped (x * 0), as in PyTorch.
    let special = try Tensor(shape: [2], scalars: [.nan, .infinity])
    XCTAssertTrue(try dropout(special, p: 1, training: true, using: &rng).scalars.allSatisfy(\.isNaN))
    for bad: Float in [-0.1, 1.5, .nan] {
      XCTAssertThrowsTensorError(try dropout(x, p: bad, training: true, using: &rng), containing: "dropout: p must be in [0, 1] (got \(bad))")
    }
  }

  func testDropoutGradientIsTheMask() throws {
    var data = TestRNG(6)
    let x = try data.tensor([3, 4], 0.5, 2)
    // The same seed each call: the same mask, so finite differences see one function.
    func f(_ t: Tensor) throws -> Tensor {
      var rng = RandomState(seed: 77)
      return try dropout(t, p: 0.4, training: true, using: &rng)
    }
    try nnCheckGradients([x]) { p in try f(p[0]).square() }
    try nnCheckHessianVectorProducts([x]) { p in try f(p[0]).square() }
    let leaf = x.requiringGrad()
    let g = try gradients(of: f(leaf).sum(), wrt: [leaf])[0]
    XCTAssertClose(g.scalars, try (f(x) / x).scalars, tol: 1e-6)
  }
}

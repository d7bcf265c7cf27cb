import XCTest
@testable import MetaTensor

/// Edge cases that gave silent wrong answers or needless errors (issue 14):
/// arange's count, pow's gradients at 0, softmax and logsumexp at ±inf,
/// empty reductions and pooling over an empty batch. Expected values are
/// NumPy's and PyTorch's.
final class NumericEdgeTests: XCTestCase {
  func testArangeCountsInDouble() throws {
    // np.arange(0, 0.3, 0.1) has 3 elements, np.arange(1, 1.3, 0.1) 4.
    XCTAssertEqual(try Tensor.arange(0, 0.3, step: 0.1).scalars, [0, 0.1, 0.2])
    XCTAssertEqual(try Tensor.arange(1, 1.3, step: 0.1).scalars, [1, 1.1, 1.2, Float(1.3000000000000003)])
    XCTAssertEqual(try Tensor.arange(0, 1, step: 0.1).count, 10)
    XCTAssertEqual(try Tensor.arange(1, 0, step: -0.25).scalars, [1, 0.75, 0.5, 0.25])
    XCTAssertEqual(try Tensor.arange(5, 5).count, 0)
  }

  func testPowExponentGradientAtZeroBase() throws {
    // d/dp sum([0, 2] ** p) at p = 2: 0 · log 0 counts as 0, so 4 log 2.
    let base = try Tensor(shape: [2], scalars: [0, 2])
    let p = Tensor(2).requiringGrad()
    let g = try gradients(of: base.pow(p).sum(), wrt: [p])[0]
    XCTAssertEqual(try g.item(), 4 * Float(log(2.0)), accuracy: 1e-6)
    // Exponent 0 at base 0: both terms 0 (PyTorch), not NaN.
    let x = try Tensor(shape: [2], scalars: [0, 3]).requiringGrad()
    let zero = Tensor(0).requiringGrad()
    let both = try gradients(of: x.pow(zero).sum(), wrt: [x, zero])
    XCTAssertEqual(both[0].scalars, [0, 0])
    XCTAssertEqual(try both[1].item(), Float(log(3.0)), accuracy: 1e-6)
  }

  func testPowGradientsAtZeroMatchFiniteDifferences() throws {
    let base = try Tensor(shape: [4], scalars: [0, 0.5, 2, 1.5])
    let exponent = try Tensor(shape: [4], scalars: [2, 3, 1.5, 2])
    try checkGradients([base, exponent]) { x in try x[0].pow(x[1]) }
    try checkGradients([exponent]) { x in try base.pow(x[0]) }
    // Second order in the exponent (the base stays at 0, where a step would
    // make a fractional power of a negative number NaN).
    try checkHessianVectorProducts([exponent]) { x in try base.pow(x[0]) }
    let scalarExponent = try Tensor(shape: [1], scalars: [2.5])
    try checkHessianVectorProducts([scalarExponent]) { x in try base.pow(x[0]).sum() }
  }

  func testSoftmaxOfARowWithPlusInfinityIsNaN() throws {
    // torch.softmax([inf, 1]) and log_softmax are [nan, nan]; logsumexp is inf.
    let x = try Tensor(shape: [2, 2], scalars: [.infinity, 1, 0, 1])
    let s = try softmax(x, axis: 1).scalars, l = try logSoftmax(x, axis: 1).scalars
    XCTAssertTrue(s[0].isNaN && s[1].isNaN && l[0].isNaN && l[1].isNaN)
    XCTAssertEqual(s[2] + s[3], 1, accuracy: 1e-6)  // the other row is untouched
    XCTAssertEqual(try x.logsumexp(axes: [1]).scalars[0], .infinity)
    // An all -inf row: softmax NaN (0/0), logsumexp -inf, as PyTorch.
    let negative = try Tensor(shape: [2], scalars: [-.infinity, -.infinity])
    XCTAssertEqual(try negative.logsumexp().item(), -.infinity)
    XCTAssertTrue(try softmax(negative).scalars.allSatisfy(\.isNaN))
  }

  func testEmptyReductions() throws {
    let empty = try Tensor.zeros([0, 3])
    XCTAssertEqual(try empty.logsumexp(axes: [0]).scalars, [-.infinity, -.infinity, -.infinity])
    XCTAssertEqual(try empty.logsumexp(axes: [0], keepdims: true).shape, [1, 3])
    XCTAssertEqual(try empty.logsumexp(axes: [1]).shape, [0])
    XCTAssertEqual(try empty.logsumexp().item(), -.infinity)
    XCTAssertThrowsTensorError(try empty.max(axes: [0]), containing: "max: zero-size reduction")
    XCTAssertThrowsTensorError(try empty.min(), containing: "min: zero-size reduction")
    XCTAssertEqual(try empty.max(axes: [1]).shape, [0])  // nothing reduced over an empty axis
  }

  func testPoolingAcceptsAnEmptyBatch() throws {
    let x = try Tensor.zeros([0, 2, 4, 4]).requiringGrad()
    let maxPooled = try maxPool2d(x, kernel: 2)
    let avgPooled = try avgPool2d(x, kernel: 3, stride: 1, padding: 1)
    XCTAssertEqual(maxPooled.shape, [0, 2, 2, 2])
    XCTAssertEqual(avgPooled.shape, [0, 2, 4, 4])
    let g = try gradients(of: maxPooled.sum() + avgPooled.sum(), wrt: [x], createGraph: true)[0]
    XCTAssertEqual(g.shape, [0, 2, 4, 4])
    XCTAssertEqual(try gradients(of: g.sum(), wrt: [x])[0].shape, [0, 2, 4, 4])
    // The window is still checked, and channels may not be 0.
    XCTAssertThrowsTensorError(try maxPool2d(Tensor.zeros([0, 2, 1, 1]), kernel: 2), containing: "max_pool2d:")
    XCTAssertThrowsTensorError(try avgPool2d(Tensor.zeros([1, 0, 4, 4]), kernel: 2), containing: "avg_pool2d:")
  }
}

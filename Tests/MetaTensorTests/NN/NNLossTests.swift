import Foundation
import XCTest
@testable import MetaTensor

/// softmax, logSoftmax, the losses, accuracy and pairwise distances.
final class NNLossTests: XCTestCase {
  var rng = TestRNG(4242)

  /// softmax of each row of a row-major [rows, n] array, in Double.
  func referenceSoftmax(_ xs: [Float], n: Int) -> [Double] {
    stride(from: 0, to: xs.count, by: n).flatMap { start -> [Double] in
      let row = xs[start..<(start + n)].map(Double.init)
      let m = row.max() ?? 0
      let e = row.map { Foundation.exp($0 - m) }
      let s = e.reduce(0, +)
      return e.map { $0 / s }
    }
  }

  func testSoftmaxAndLogSoftmaxMatchReference() throws {
    let x = try rng.tensor([3, 5], -3, 3)
    let expected = referenceSoftmax(x.scalars, n: 5)
    nnAssertClose(try softmax(x).scalars, expected, tol: 1e-6)
    nnAssertClose(try logSoftmax(x).scalars, expected.map { Foundation.log($0) }, tol: 1e-6)
    // Along axis 0: the same as the transposed tensor's last axis.
    let t = try softmax(x, axis: 0)
    let viaTranspose = referenceSoftmax(try x.T.contiguous().scalars, n: 3)
    nnAssertClose(try t.T.contiguous().scalars, viaTranspose, tol: 1e-6)
  }

  func testSoftmaxIsStableForLargeLogits() throws {
    let x = try Tensor(shape: [2, 3], scalars: [1000, 1001, 1002, -1000, -1001, -1002])
    let e1 = 1 / (1 + Foundation.exp(-1.0) + Foundation.exp(-2.0))
    nnAssertClose(try softmax(x).scalars, [e1 * exp(-2), e1 * exp(-1), e1, e1, e1 * exp(-1), e1 * exp(-2)], tol: 1e-6)
    let logs = try logSoftmax(x).scalars
    XCTAssertTrue(logs.allSatisfy(\.isFinite))
    XCTAssertEqual(Double(logs[0]), Foundation.log(e1) - 2, accuracy: 1e-5)
  }

  func testSoftmaxDerivatives() throws {
    let x = try rng.tensor([3, 4], -2, 2)
    try nnCheckGradients([x]) { p in try softmax(p[0]) }
    try nnCheckGradients([x]) { p in try logSoftmax(p[0], axis: 0) }
    try nnCheckHessianVectorProducts([x]) { p in try softmax(p[0], axis: 0) }
    try nnCheckHessianVectorProducts([x]) { p in try logSoftmax(p[0]) }
  }

  func testCrossEntropyValueAndIdentities() throws {
    let logits = try rng.tensor([4, 3], -2, 2)
    let labels = try Tensor(shape: [4], scalars: [2, 0, 1, 2])
    let p = referenceSoftmax(logits.scalars, n: 3)
    let expected = (0..<4).map { -Foundation.log(p[$0 * 3 + Int(labels.scalars[$0])]) }
    XCTAssertEqual(Double(try crossEntropy(logits, labels).item()), expected.reduce(0, +) / 4, accuracy: 1e-6)
    XCTAssertEqual(Double(try crossEntropy(logits, labels, mean: false).item()), expected.reduce(0, +), accuracy: 1e-5)
    // Uniform logits: the loss is log(C) whatever the labels.
    XCTAssertEqual(try crossEntropy(Tensor.zeros([2, 7]), Tensor(shape: [2], scalars: [6, 0])).item(),
                   Float(Foundation.log(7.0)), accuracy: 1e-6)
    // d/dlogits = (softmax - onehot) / N.
    let leaf = logits.requiringGrad()
    let g = try gradients(of: crossEntropy(leaf, labels), wrt: [leaf])[0]
    let expectedGrad = (0..<12).map { i in (p[i] - (Int(labels.scalars[i / 3]) == i % 3 ? 1 : 0)) / 4 }
    nnAssertClose(g.scalars, expectedGrad, tol: 1e-5)
  }

  func testCrossEntropyDerivatives() throws {
    let logits = try rng.tensor([5, 4], -2, 2)
    let labels = try Tensor(shape: [5], scalars: [3, 1, 0, 3, 2])
    try nnCheckGradients([logits]) { p in try crossEntropy(p[0], labels) }
    try nnCheckHessianVectorProducts([logits]) { p in try crossEntropy(p[0], labels) }
  }

  func testMeanSquaredError() throws {
    let a = try rng.tensor([4, 2]), b = try rng.tensor([4, 2])
    let expected = zip(a.scalars, b.scalars).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / 8
    XCTAssertEqual(Double(try mse(a, b).item()), expected, accuracy: 1e-6)
    try nnCheckGradients([a, b]) { p in try mse(p[0], p[1]) }
    try nnCheckHessianVectorProducts([a, b]) { p in try mse(p[0].tanh(), p[1]) }
    XCTAssertThrowsTensorError(try mse(rng.tensor([5, 1]), rng.tensor([5])),
                               containing: "mse: prediction [5, 1] and target [5] have different shapes")
  }

  func testBinaryCrossEntropyWithLogits() throws {
    let x = try Tensor(shape: [2, 3], scalars: [-30, -1.5, -0.2, 0.3, 2, 40])
    let t = try Tensor(shape: [2, 3], scalars: [0, 1, 0.3, 1, 0, 0.5])
    let expected = zip(x.scalars, t.scalars).map { xv, tv -> Double in
      // log(1 + e^x) - x t, the textbook form; fine in Double for these magnitudes.
      Foundation.log1p(Foundation.exp(Double(xv))) - Double(xv) * Double(tv)
    }
    XCTAssertEqual(Double(try binaryCrossEntropyWithLogits(x, t).item()), expected.reduce(0, +) / 6, accuracy: 1e-5)
    let smooth = try rng.tensor([2, 3], -2, 2)
    try nnCheckGradients([smooth, t]) { p in try binaryCrossEntropyWithLogits(p[0], p[1]) }
    try nnCheckHessianVectorProducts([smooth]) { p in try binaryCrossEntropyWithLogits(p[0], t, mean: false) }
  }

  func testAccuracy() throws {
    let logits = try Tensor(shape: [4, 3], scalars: [0.1, 0.9, 0, 2, 1, 0, 0, 0, 5, 1, 1, 0])
    // argmax per row: 1, 0, 2, 0 (first of a tie).
    let acc = try accuracy(logits, Tensor(shape: [4], scalars: [1, 0, 1, 1]))
    XCTAssertEqual(acc.shape, [])
    XCTAssertEqual(try acc.item(), 0.5)
    XCTAssertFalse(try accuracy(logits.requiringGrad(), Tensor(shape: [4], scalars: [0, 0, 0, 0])).requiresGrad)
  }

  func testClassificationErrors() throws {
    let logits = try rng.tensor([3, 4])
    XCTAssertThrowsTensorError(try crossEntropy(logits, Tensor(shape: [3], scalars: [0, 4, 1])),
                               containing: "cross_entropy: label 4 at position 1 is not a class index in 0..<4")
    XCTAssertThrowsTensorError(try crossEntropy(logits, Tensor(shape: [3], scalars: [0, 1.5, 1])), containing: "label 1.5")
    XCTAssertThrowsTensorError(try crossEntropy(logits, Tensor(shape: [3], scalars: [-1, 1, 1])), containing: "label -1 ")
    XCTAssertThrowsTensorError(try crossEntropy(logits, Tensor.zeros([4])),
                               containing: "cross_entropy: labels [4] do not match logits [3, 4]")
    XCTAssertThrowsTensorError(try crossEntropy(rng.tensor([3]), Tensor.zeros([3])), containing: "logits must be 2-D")
    XCTAssertThrowsTensorError(try accuracy(logits, Tensor(shape: [3], scalars: [9, 0, 0])), containing: "accuracy: label 9 ")
    XCTAssertThrowsTensorError(try softmax(Tensor(1), axis: -1), containing: "softmax: axis -1 out of range")
  }

  func testPairwiseSquaredDistances() throws {
    let a = try rng.tensor([4, 3]), b = try rng.tensor([5, 3])
    let (av, bv) = (a.scalars, b.scalars)
    var expected: [Double] = []
    for i in 0..<4 { for j in 0..<5 {
      expected.append((0..<3).map { k in Double(av[i * 3 + k] - bv[j * 3 + k]) }.map { $0 * $0 }.reduce(0, +))
    } }
    let d = try pairwiseSquaredDistances(a, b)
    XCTAssertEqual(d.shape, [4, 5])
    nnAssertClose(d.scalars, expected, tol: 1e-5)
    // Identical rows: exactly 0 (the clamp removes negative rounding), never negative.
    let same = try pairwiseSquaredDistances(a, a).scalars
    XCTAssertTrue(same.allSatisfy { $0 >= 0 })
    for i in 0..<4 { XCTAssertEqual(same[i * 4 + i], 0, accuracy: 1e-5) }
    try nnCheckGradients([a, b]) { p in try pairwiseSquaredDistances(p[0], p[1]) }
    try nnCheckHessianVectorProducts([a, b]) { p in try pairwiseSquaredDistances(p[0], p[1]).sqrt() }
    XCTAssertThrowsTensorError(try pairwiseSquaredDistances(a, rng.tensor([5, 2])),
                               containing: "pairwise_distances: feature sizes differ: [4, 3] and [5, 2]")
    XCTAssertThrowsTensorError(try pairwiseSquaredDistances(a, rng.tensor([3])), containing: "must be 2-D")
  }
}

import XCTest
@testable import MetaTensor

/// The gradient API: seeds, unreachable inputs, trees, graph lifetime.
final class AutodiffTests: XCTestCase {
  var rng = TestRNG(17)

  func testGradientsAPI() throws {
    let x = try Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
    let unrelated = try Tensor.ones([3]).requiringGrad()
    let y = try x * x  // not a scalar
    XCTAssertThrowsTensorError(try gradients(of: y, wrt: [x]), containing: "not a scalar")
    let g = try gradients(of: y, wrt: [x, unrelated], seed: Tensor(shape: [2], scalars: [1, 10]))
    XCTAssertEqual(g[0].scalars, [2, 40])
    XCTAssertEqual(g[1].scalars, [0, 0, 0])
    XCTAssertThrowsTensorError(try gradients(of: y, wrt: [x], seed: Tensor.ones([3])), containing: "seed shape")
    // A constant input (not tracked) gets zeros too.
    XCTAssertEqual(try gradients(of: y.sum(), wrt: [Tensor.ones([2])])[0].scalars, [0, 0])
    // Reused tensors accumulate: d/dx (x*x + x) = 2x + 1.
    XCTAssertEqual(try gradients(of: (x * x + x).sum(), wrt: [x])[0].scalars, [3, 5])
    // createGraph: the gradient is itself differentiable.
    let first = try gradients(of: (x * x * x).sum(), wrt: [x], createGraph: true)[0]
    XCTAssertTrue(first.requiresGrad)
    XCTAssertEqual(try gradients(of: first.sum(), wrt: [x])[0].scalars, [6, 12])
  }

  func testStopGradientCutsTheGraph() throws {
    let x = try Tensor(shape: [], scalars: [3]).requiringGrad()
    let y = try x * stopGradient(x)
    XCTAssertEqual(try gradients(of: y, wrt: [x])[0].item(), 3)
    XCTAssertFalse(stopGradient(x).requiresGrad)
    XCTAssertEqual(x.gradOp, nil)
    XCTAssertEqual(try (x * 2).gradOp, "mul")
  }

  func testTreeGradients() throws {
    let w = try rng.tensor([2, 3]), b = try rng.tensor([3])
    let params = TensorTree.record([(key: "w", value: .leaf(w)), (key: "b", value: .list([.leaf(b)]))])
    let input = try rng.tensor([4, 2])
    func loss(_ p: TensorTree) throws -> Tensor {
      let leaves = p.leaves
      return try (input.matmul(leaves[0]) + leaves[1]).square().sum()
    }
    let (value, grads) = try valueAndGrad(loss)(params)
    XCTAssertEqual(grads.structure, params.structure)
    // Independently: the same loss through the flat API.
    let lw = w.requiringGrad(), lb = b.requiringGrad()
    let flat = try gradients(of: (input.matmul(lw) + lb).square().sum(), wrt: [lw, lb])
    XCTAssertClose(grads.leaves[0].scalars, flat[0].scalars)
    XCTAssertClose(grads.leaves[1].scalars, flat[1].scalars)
    XCTAssertEqual(try value.item(), try loss(params).item(), accuracy: 1e-4)
    // Leaf-wise arithmetic over trees: an SGD step.
    let stepped = try params.zip(grads) { p, g in try p - 0.1 * g }
    XCTAssertClose(stepped.leaves[0].scalars, try (w - 0.1 * flat[0]).scalars)
    XCTAssertThrowsTensorError(try params.zip(.list([]), { a, _ in a }), containing: "structures differ")
    XCTAssertThrowsTensorError(try params.replacingLeaves([w]), containing: "too few leaves")
  }

  /// Resident memory in bytes (Linux), from /proc/self/statm.
  func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * 4096
  }

  func testTrainingLoopKeepsMemoryFlat() throws {
    // A tiny linear model fitted with SGD: y = 2x - 1 plus nothing else.
    let x = try Tensor.linspace(-1, 1, count: 16).reshape([16, 1])
    let y = try 2 * x - 1
    var w = try Tensor.zeros([1, 1]), b = try Tensor.zeros([1])
    let lossAndGrad = valueAndGrad { (p: TensorTree) throws -> Tensor in
      let leaves = p.leaves
      return try (x.matmul(leaves[0]) + leaves[1] - y).square().mean()
    }
    func step() throws -> Float {
      let (loss, g) = try lossAndGrad(.list([.leaf(w), .leaf(b)]))
      w = try w - 0.1 * g.leaves[0]
      b = try b - 0.1 * g.leaves[1]
      return try loss.item()
    }
    for _ in 0..<1_000 { _ = try step() }
    let before = residentBytes()
    var last: Float = 0
    for _ in 0..<10_000 { last = try step() }
    let after = residentBytes()
    XCTAssertFalse(w.requiresGrad, "parameters must not accumulate a graph across steps")
    XCTAssertLessThan(last, 1e-6)
    XCTAssertEqual(try w.item(), 2, accuracy: 1e-3)
    XCTAssertEqual(try b.item(), -1, accuracy: 1e-3)
    // A leak of even one small graph per step would be several MB here.
    XCTAssertLessThan(after - before, 1 << 20, "resident memory grew by \(after - before) bytes")
  }

  func testGraphIsFreedWithItsOutput() throws {
    weak var weakNode: GradNode?
    do {
      let x = try rng.tensor([3]).requiringGrad()
      let y = try (x.exp() * x).sum()
      weakNode = y.node
      XCTAssertNotNil(weakNode)
      _ = try gradients(of: y, wrt: [x], createGraph: true)
    }
    XCTAssertNil(weakNode, "the graph should be released with its output")
  }
}

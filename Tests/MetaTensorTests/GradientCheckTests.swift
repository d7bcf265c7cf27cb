import XCTest
@testable import MetaTensor

/// First derivatives of every differentiable op against central differences.
final class GradientCheckTests: XCTestCase {
  var rng = TestRNG(42)

  func testArithmeticWithBroadcasting() throws {
    let a = try rng.tensor([2, 3]), b = try rng.tensor([3]), s = try rng.tensor([2, 1])
    try checkGradients([a, b]) { x in try x[0] + x[1] }
    try checkGradients([a, s]) { x in try x[0] - x[1] }
    try checkGradients([a, b]) { x in try x[0] * x[1] }
    let positive = try rng.tensor([3], 0.5, 2)
    try checkGradients([a, positive]) { x in try x[0] / x[1] }
    try checkGradients([a]) { x in try -x[0] }
    try checkGradients([a]) { x in try 3 * x[0] - x[0] / 2 + 1 }
    try checkGradients([positive]) { x in try 2 / x[0] }
  }

  func testPower() throws {
    let base = try rng.tensor([2, 3], 0.5, 2), exponent = try rng.tensor([3], -1, 2)
    try checkGradients([base, exponent]) { x in try x[0].pow(x[1]) }
    try checkGradients([base]) { x in try x[0].pow(3) }
    try checkGradients([base]) { x in try x[0].pow(-0.5) }
    try checkGradients([base]) { x in try x[0].square() }
  }

  func testUnaryFunctions() throws {
    let x = try rng.tensor([2, 4], -2, 2)
    let positive = try rng.tensor([2, 4], 0.5, 3)
    // Keep away from the kinks of relu/abs/clamp at 0, -0.5 and 0.5.
    let awayFromKinks = try Tensor(shape: [6], scalars: [-1.7, -0.8, -0.3, 0.2, 0.9, 1.4])
    try checkGradients([x]) { x in try x[0].exp() }
    try checkGradients([positive]) { x in try x[0].log() }
    try checkGradients([positive]) { x in try x[0].sqrt() }
    try checkGradients([x]) { x in try x[0].tanh() }
    try checkGradients([x]) { x in try x[0].sigmoid() }
    try checkGradients([awayFromKinks]) { x in try x[0].relu() }
    try checkGradients([awayFromKinks]) { x in try x[0].leakyRelu(slope: 0.1) }
    try checkGradients([awayFromKinks]) { x in try x[0].abs() }
    try checkGradients([awayFromKinks]) { x in try x[0].clamp(min: -0.5, max: 0.5) }
  }

  func testReductions() throws {
    let x = try rng.tensor([3, 4])
    try checkGradients([x]) { x in try x[0].sum() }
    try checkGradients([x]) { x in try x[0].sum(axes: [0]) }
    try checkGradients([x]) { x in try x[0].sum(axes: [-1], keepdims: true) }
    try checkGradients([x]) { x in try x[0].mean(axes: [1]) }
    try checkGradients([x]) { x in try x[0].mean() }
    try checkGradients([x]) { x in try x[0].logsumexp(axes: [1]) }
    try checkGradients([x]) { x in try x[0].logsumexp() }
    // Distinct values, so no ties within h.
    let distinct = try Tensor(shape: [2, 3], scalars: [0.1, 0.9, -0.4, 1.3, -0.7, 0.5])
    try checkGradients([distinct]) { x in try x[0].max(axes: [1]) }
    try checkGradients([distinct]) { x in try x[0].min(axes: [0], keepdims: true) }
    try checkGradients([distinct]) { x in try x[0].max() }
  }

  func testMatmulShapes() throws {
    let a = try rng.tensor([3, 4]), b = try rng.tensor([4, 2]), v = try rng.tensor([4])
    try checkGradients([a, b]) { x in try x[0].matmul(x[1]) }
    try checkGradients([a, v]) { x in try x[0].matmul(x[1]) }
    try checkGradients([v, b]) { x in try x[0].matmul(x[1]) }
    try checkGradients([v, v]) { x in try x[0].matmul(x[1]) }
    // Batched with a broadcast batch axis, and transposed operands.
    let batch = try rng.tensor([2, 3, 4])
    try checkGradients([batch, b]) { x in try x[0].matmul(x[1]) }
    try checkGradients([b, a]) { x in try x[0].T.matmul(x[1].T) }
  }

  func testViews() throws {
    let x = try rng.tensor([2, 3, 4])
    try checkGradients([x]) { x in try x[0].reshape([4, -1]) }
    try checkGradients([x]) { x in try x[0].permute([2, 0, 1]) }
    try checkGradients([x]) { x in try x[0].transpose(0, 2).reshape([24]) }
    try checkGradients([x]) { x in try x[0].flatten(from: 1) }
    let row = try rng.tensor([1, 3])
    try checkGradients([row]) { x in try x[0].expand([4, 3]) }
    try checkGradients([row]) { x in try x[0].squeeze(0).unsqueeze(1) }
    try checkGradients([row]) { x in try x[0].tile([2, 2]) }
    try checkGradients([row]) { x in try x[0].repeatElements(2, axis: 1) }
  }

  func testIndexing() throws {
    let x = try rng.tensor([4, 5])
    try checkGradients([x]) { x in try x[0][.index(1)] }
    try checkGradients([x]) { x in try x[0][.slice(start: 1, stop: nil, step: 2), .index(-1)] }
    try checkGradients([x]) { x in try x[0][.all, .slice(start: nil, stop: nil, step: -2)] }
    try checkGradients([x]) { x in try x[0].narrow(axis: 1, start: 1, length: 3) }
    let idx = try Tensor(shape: [3], scalars: [2, 0, 2])
    try checkGradients([x]) { x in try x[0].indexSelect(idx, axis: 0) }
    let pick = try Tensor(shape: [4, 2], scalars: [0, 4, 1, 1, 3, 2, 4, 0])
    try checkGradients([x]) { x in try x[0].gather(pick, axis: 1) }
    let values = try rng.tensor([4, 2])
    try checkGradients([values]) { x in try x[0].scatterAdd(pick, axis: 1, shape: [4, 5]) }
    let patch = try rng.tensor([2])
    try checkGradients([x, patch]) { x in try x[0].replacing([.index(0), .slice(start: 1, stop: 3, step: nil)], with: x[1]) }
  }

  func testJoiningAndSelect() throws {
    let a = try rng.tensor([2, 3]), b = try rng.tensor([1, 3])
    try checkGradients([a, b]) { x in try Tensor.concat([x[0], x[1]], axis: 0) }
    try checkGradients([a, a]) { x in try Tensor.stack([x[0], x[1]], axis: 1) }
    try checkGradients([a]) { x in
      let parts = try x[0].split(sizes: [1, 2], axis: 1)
      return try parts[0] * parts[1].sum(axes: [1], keepdims: true)
    }
    let cond = try Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 0, 1])
    try checkGradients([a, b]) { x in try Tensor.select(cond, x[0], x[1]) }
  }

  func testComposite() throws {
    // A small MLP with MSE loss.
    let w1 = try rng.tensor([3, 5]), b1 = try rng.tensor([5]), w2 = try rng.tensor([5, 1])
    let input = try rng.tensor([4, 3]), target = try rng.tensor([4, 1])
    try checkGradients([w1, b1, w2]) { p in
      let hidden = try (input.matmul(p[0]) + p[1]).tanh()
      return try (hidden.matmul(p[2]) - target).square().mean()
    }
  }
}

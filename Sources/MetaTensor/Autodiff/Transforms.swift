/// JAX-style function transforms built on `gradients`.
///
/// Inside `grad(f)(x)`, `f` sees a fresh tensor standing for `x`: a new leaf
/// when `x` is a constant, or an identity node on top of `x` when an enclosing
/// differentiation tracks `x`. Because the gradient is taken with respect to
/// that fresh tensor, nested transforms never confuse their levels, and the
/// inner gradient is built as a differentiable graph only when something
/// outside could differentiate it again.

/// The gradient of a scalar-valued `f` (same shape as its argument).
public func grad(_ f: @escaping (Tensor) throws -> Tensor) -> (Tensor) throws -> Tensor {
  let vg = valueAndGrad(f)
  return { x in try vg(x).grad }
}

/// `f(x)` and its gradient, in one evaluation of `f`.
public func valueAndGrad(
  _ f: @escaping (Tensor) throws -> Tensor
) -> (Tensor) throws -> (value: Tensor, grad: Tensor) {
  { x in
    let input = x.standIn()
    let value = try f(input)
    let (grads, nested) = try gradientsForTransform(of: value, wrt: [input])
    return (nested ? value : value.detached(), grads[0])
  }
}

/// The gradient of a scalar-valued `f` with respect to every leaf of a tree.
public func grad(_ f: @escaping (TensorTree) throws -> Tensor) -> (TensorTree) throws -> TensorTree {
  let vg = valueAndGrad(f)
  return { x in try vg(x).grad }
}

/// `f(tree)` and its gradient tree.
public func valueAndGrad(
  _ f: @escaping (TensorTree) throws -> Tensor
) -> (TensorTree) throws -> (value: Tensor, grad: TensorTree) {
  { tree in
    let inputs = tree.leaves.map { $0.standIn() }
    let value = try f(try tree.replacingLeaves(inputs))
    let (grads, nested) = try gradientsForTransform(of: value, wrt: inputs)
    return (nested ? value : value.detached(), try tree.replacingLeaves(grads))
  }
}

extension Tensor {
  /// A distinct tensor with this one's value for a transform to differentiate
  /// with respect to: connected to this tensor's graph when it is tracked.
  func standIn() -> Tensor {
    guard requiresGrad else { return requiringGrad() }
    return Tensor(shape: shape, strides: strides, offset: offset, storage: storage,
                  node: GradNode(op: "identity", inputs: [self]) { c in [c.grad] })
  }
}

/// `f(inputs)` and its pullback (JAX's `vjp`): `pullback(seeds)` is the gradient
/// of Σ_k ⟨seeds[k], outputs[k]⟩ with respect to each input, swept over the
/// graph `f` recorded once, so it can be called many times (the Hessian-vector
/// products of one linearization, as TRPO's conjugate gradient needs). The
/// outputs are returned detached unless an enclosing differentiation tracks them.
public func vjp(
  _ inputs: [Tensor], _ f: ([Tensor]) throws -> [Tensor]
) throws -> (outputs: [Tensor], pullback: ([Tensor]) throws -> [Tensor]) {
  let standIns = inputs.map { $0.standIn() }
  let outputs = try f(standIns)
  let nested = outputs.contains { reachesOtherLeaves($0, wrt: standIns) }
  let pullback = { (seeds: [Tensor]) throws -> [Tensor] in
    guard seeds.count == outputs.count else {
      throw TensorError("vjp: \(seeds.count) cotangents for \(outputs.count) outputs")
    }
    // One scalar, Σ ⟨seed, output⟩, so one sweep covers every output.
    var total: Tensor?
    for (output, seed) in zip(outputs, seeds) {
      guard seed.shape == output.shape else {
        throw TensorError("vjp: a cotangent of shape \(shapeText(seed.shape)) for an output of shape \(shapeText(output.shape))")
      }
      guard output.requiresGrad else { continue }
      let term = try (output * seed).sum()
      total = try total.map { try $0 + term } ?? term
    }
    guard let total else { return try standIns.map { try Tensor.zeros($0.shape, dtype: $0.dtype.floating) } }
    return try gradientsForTransform(of: total, wrt: standIns).grads
  }
  return (nested ? outputs : outputs.map { $0.detached() }, pullback)
}

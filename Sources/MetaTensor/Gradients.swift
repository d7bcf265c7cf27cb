/// Reverse-mode differentiation over the recorded graph.
///
/// Returns d(output)/d(input) for each of `inputs`, shaped like that input.
/// `output` must have one element unless `seed` (the gradient of some scalar
/// with respect to `output`, shaped like it) is given. Inputs the output does
/// not depend on get zeros. With `createGraph`, the returned gradients are
/// themselves tracked, so they can be differentiated again.
public func gradients(
  of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil, createGraph: Bool = false
) throws -> [Tensor] {
  try GradientSweep(output: output, inputs: inputs).run(seed: seed, createGraph: createGraph)
}

/// As `gradients`, but builds a differentiable result only when the graph
/// reaches tracked tensors other than `inputs` (i.e. an enclosing
/// differentiation could use it). Used by `grad` and friends.
func gradientsForTransform(of output: Tensor, wrt inputs: [Tensor]) throws -> (grads: [Tensor], nested: Bool) {
  let sweep = GradientSweep(output: output, inputs: inputs)
  let nested = sweep.reachesOtherLeaves
  return (try sweep.run(seed: nil, createGraph: nested), nested)
}

/// One backward pass: topological order of the graph below `output`, and which
/// tensors lie on a path to a requested input.
private struct GradientSweep {
  let output: Tensor
  let inputs: [Tensor]
  /// Tracked tensors in post-order (every tensor after all of its node's inputs).
  private(set) var order: [Tensor] = []
  private(set) var needed: Set<ObjectIdentifier> = []
  private(set) var reachesOtherLeaves = false
  private let wanted: Set<ObjectIdentifier>

  init(output: Tensor, inputs: [Tensor]) {
    self.output = output
    self.inputs = inputs
    let wanted = Set(inputs.map(ObjectIdentifier.init))
    self.wanted = wanted
    var visited: Set<ObjectIdentifier> = []
    // Iterative DFS (graphs of long training loops are deep).
    var stack: [(Tensor, Bool)] = [(output, false)]
    while let (t, expanded) = stack.popLast() {
      let id = ObjectIdentifier(t)
      if expanded {
        var isNeeded = wanted.contains(id)
        if let node = t.node {
          for input in node.inputs where needed.contains(ObjectIdentifier(input)) { isNeeded = true }
        } else if t.isGradLeaf && !wanted.contains(id) {
          reachesOtherLeaves = true
        }
        if isNeeded { needed.insert(id) }
        order.append(t)
        continue
      }
      guard t.requiresGrad, visited.insert(id).inserted else { continue }
      stack.append((t, true))
      if let node = t.node {
        for input in node.inputs where !visited.contains(ObjectIdentifier(input)) {
          stack.append((input, false))
        }
      }
    }
  }

  func run(seed: Tensor?, createGraph: Bool) throws -> [Tensor] {
    let start: Tensor
    if let seed {
      guard seed.shape == output.shape else {
        throw TensorError("gradients: seed shape \(shapeText(seed.shape)) differs from output shape \(shapeText(output.shape))")
      }
      start = createGraph ? seed : seed.detached()
    } else {
      guard output.count == 1 else {
        throw TensorError("gradients: output of shape \(shapeText(output.shape)) is not a scalar; pass a seed")
      }
      start = try Tensor.ones(output.shape)
    }
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(output): start]
    for t in order.reversed() {
      let id = ObjectIdentifier(t)
      guard let node = t.node, needed.contains(id), let g = grads[id] else { continue }
      let needs = node.inputs.map { needed.contains(ObjectIdentifier($0)) }
      let context = BackwardContext(
        grad: g,
        output: createGraph ? t : t.detached(),
        inputs: createGraph ? node.inputs : node.inputs.map { $0.detached() },
        needsGrad: needs)
      let inputGrads = try node.backward(context)
      for (i, input) in node.inputs.enumerated() where i < inputGrads.count && needs[i] {
        guard let gi = inputGrads[i] else { continue }
        guard gi.shape == input.shape else {
          throw TensorError("gradients: backward of \(node.op) gave shape \(shapeText(gi.shape)) for an input of shape \(shapeText(input.shape))")
        }
        let key = ObjectIdentifier(input)
        grads[key] = try grads[key].map { try $0 + gi } ?? gi
      }
      // Free intermediate gradients as soon as they have been propagated.
      if !wanted.contains(id) { grads[id] = nil }
    }
    return try inputs.map { input in try grads[ObjectIdentifier(input)] ?? Tensor.zeros(input.shape) }
  }
}

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

/// Whether the graph below `output` reaches tracked leaves other than `inputs`
/// (an enclosing differentiation could then use gradients built from it).
func reachesOtherLeaves(_ output: Tensor, wrt inputs: [Tensor]) -> Bool {
  GradientSweep(output: output, inputs: inputs).reachesOtherLeaves
}

/// One backward pass over the graph below `output`. Every tracked tensor gets
/// a slot (its position in first-visit order); the graph's edges, the
/// post-order and the per-tensor state live in flat arrays indexed by slot,
/// so the sweep hashes each tensor once, not once per edge and step.
private struct GradientSweep {
  let output: Tensor
  let inputs: [Tensor]
  /// Tracked tensors by slot; holding them keeps their addresses (the table's keys) unique.
  private var tensors: [Tensor] = []
  /// Slots in post-order (every tensor after all of its node's inputs).
  private var order: [Int] = []
  /// Input slots of slot s's node: `edges[edgeStart[s] ..< edgeStart[s] + node.inputs.count]`, -1 for untracked inputs.
  private var edgeStart: [Int] = []
  private var edges: [Int] = []
  /// Slots on a path from `output` down to a requested input.
  private var needed: [Bool] = []
  /// Slots of the requested inputs.
  private var wanted: [Bool] = []
  private(set) var reachesOtherLeaves = false
  private var table: IdentityTable

  init(output: Tensor, inputs: [Tensor]) {
    self.output = output
    self.inputs = inputs
    table = IdentityTable(minimumCapacity: 64)
    guard output.requiresGrad else { return }
    var wantedObjects = IdentityTable(minimumCapacity: inputs.count)
    for input in inputs { _ = wantedObjects.insert(input, value: 1) }
    // Iterative DFS (graphs of long training loops are deep). A tensor gets
    // its slot when first popped, so its post-order entry follows those of
    // everything below it.
    var stack: [(Tensor, Bool)] = [(output, false)]
    while let (t, expanded) = stack.popLast() {
      if expanded {
        guard let slot = table.value(for: t) else { continue }
        var isNeeded = wanted[slot]
        if let node = t.node {
          edgeStart[slot] = edges.count
          for input in node.inputs {
            let s = table.value(for: input) ?? -1
            edges.append(s)
            if s >= 0 && needed[s] { isNeeded = true }
          }
        } else if t.isGradLeaf && !wanted[slot] {
          reachesOtherLeaves = true
        }
        needed[slot] = isNeeded
        order.append(slot)
        continue
      }
      guard t.requiresGrad, table.insert(t, value: tensors.count).inserted else { continue }
      tensors.append(t)
      edgeStart.append(0)
      needed.append(false)
      wanted.append(wantedObjects.value(for: t) != nil)
      stack.append((t, true))
      if let node = t.node {
        for input in node.inputs where input.requiresGrad && table.value(for: input) == nil {
          stack.append((input, false))
        }
      }
    }
  }

  private static let needsNone = [false], needsOne = [true]
  private static let needsFirst = [true, false], needsSecond = [false, true], needsBoth = [true, true]

  /// The inputs cut from the graph, so that a first-order backward records nothing.
  private static func detach(_ inputs: [Tensor]) -> [Tensor] {
    switch inputs.count {
    case 1: return [inputs[0].detached()]
    case 2: return [inputs[0].detached(), inputs[1].detached()]
    default: return inputs.map { $0.detached() }
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
      start = try Tensor.ones(output.shape, dtype: output.dtype.floating)
    }
    // An untracked output has no graph: only an input that is the output itself gets the seed.
    guard !tensors.isEmpty else {
      return try inputs.map { $0 === output ? start : try Tensor.zeros($0.shape, dtype: $0.dtype.floating) }
    }
    var grads = [Tensor?](repeating: nil, count: tensors.count)
    grads[0] = start
    for slot in order.reversed() {
      let t = tensors[slot]
      guard let node = t.node, needed[slot], let g = grads[slot] else { continue }
      let first = edgeStart[slot], arity = node.inputs.count
      @inline(__always) func needs(_ i: Int) -> Bool {
        let s = edges[first + i]
        return s >= 0 && needed[s]
      }
      // Free intermediate gradients as soon as they have been propagated.
      if !wanted[slot] { grads[slot] = nil }
      // Shared constant arrays for one- and two-input ops (most of them):
      // building small arrays per node showed up in profiles.
      let needsGrad: [Bool]
      switch arity {
      case 1: needsGrad = needs(0) ? Self.needsOne : Self.needsNone
      case 2: needsGrad = needs(0) ? (needs(1) ? Self.needsBoth : Self.needsFirst)
                                   : (needs(1) ? Self.needsSecond : Self.needsNone)
      default: needsGrad = (0..<arity).map(needs)
      }
      guard needsGrad.contains(true) else { continue }
      let context = BackwardContext(
        grad: g,
        output: createGraph ? t : t.detached(),
        inputs: createGraph ? node.inputs : Self.detach(node.inputs),
        needsGrad: needsGrad)
      let inputGrads = try node.backward(context)
      for i in 0..<Swift.min(arity, inputGrads.count) where needsGrad[i] {
        guard let gi = inputGrads[i] else { continue }
        let input = node.inputs[i]
        guard gi.shape == input.shape else {
          throw TensorError("gradients: backward of \(node.op) gave shape \(shapeText(gi.shape)) for an input of shape \(shapeText(input.shape))")
        }
        let s = edges[first + i]
        if let previous = grads[s] { grads[s] = try previous + gi } else { grads[s] = gi }
      }
    }
    return try inputs.map { input in
      if let s = table.value(for: input), let g = grads[s] { return g }
      return try Tensor.zeros(input.shape, dtype: input.dtype.floating)
    }
  }
}

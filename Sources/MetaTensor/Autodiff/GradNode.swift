/// What a backward rule receives when gradients flow through one recorded op.
public struct BackwardContext {
  /// Gradient of the differentiated output with respect to this op's result
  /// (same shape as `output`).
  public let grad: Tensor
  /// The op's result.
  public let output: Tensor
  /// The op's inputs, in the order they were recorded.
  public let inputs: [Tensor]
  /// Whether each input's gradient is wanted; rules may return nil for the others.
  public let needsGrad: [Bool]
}

/// A backward rule: the gradient for each input (nil means zero / not needed).
/// Rules must be written with differentiable Tensor ops so that gradients of
/// gradients work. They receive tensors through the context rather than
/// capturing them, so a graph never references its own outputs (no cycles).
public typealias BackwardRule = (BackwardContext) throws -> [Tensor?]

/// One recorded op in the graph. Holds its inputs strongly; nothing points
/// back up, so a graph is freed as soon as its last output is.
final class GradNode {
  let op: String
  /// Only `deinit` changes it (taking the inputs of nodes about to be freed),
  /// so reads skip the exclusivity checks.
  @exclusivity(unchecked) private(set) var inputs: [Tensor]
  let backward: BackwardRule

  init(op: String, inputs: [Tensor], backward: @escaping BackwardRule) {
    self.op = op
    self.inputs = inputs
    self.backward = backward
  }

  /// Frees the graph below iteratively. Left to Swift, freeing a node frees
  /// its inputs' nodes from inside its own deinit, one stack frame set per
  /// op: a chain of a million ops (a loss summed over a long loop without
  /// `stop_gradient`) would overflow the stack. Here every node that dies
  /// with this one is emptied in a loop first, so each deinit is shallow.
  deinit {
    var pending: [GradNode] = []
    for input in inputs { if let node = input.node { pending.append(node) } }
    guard !pending.isEmpty else { return }
    inputs = []
    while var node = pending.popLast() {
      // Shared nodes stay as they are: something else still uses them.
      guard isKnownUniquelyReferenced(&node) else { continue }
      for input in node.inputs { if let below = input.node { pending.append(below) } }
      node.inputs = []
    }
  }

  /// A node when any input is tracked, else nil (constants build no graph).
  static func record(_ op: String, _ inputs: [Tensor], _ backward: @escaping BackwardRule) -> GradNode? {
    for input in inputs where input.requiresGrad {
      return GradNode(op: op, inputs: inputs, backward: backward)
    }
    return nil
  }

  // The one- and two-input forms take the rule as an autoclosure so that
  // untracked ops (the common case) allocate neither the rule's captures nor
  // an inputs array.

  /// A node for a one-input op when `a` is tracked.
  @inline(__always)
  static func record(_ op: String, _ a: Tensor, _ backward: @autoclosure () -> BackwardRule) -> GradNode? {
    a.requiresGrad ? GradNode(op: op, inputs: [a], backward: backward()) : nil
  }

  /// A node for a two-input op when either input is tracked.
  @inline(__always)
  static func record(_ op: String, _ a: Tensor, _ b: Tensor, _ backward: @autoclosure () -> BackwardRule) -> GradNode? {
    a.requiresGrad || b.requiresGrad ? GradNode(op: op, inputs: [a, b], backward: backward()) : nil
  }
}

extension Tensor {
  /// True when gradients can flow into this tensor: a marked leaf, or the
  /// result of an op on tracked tensors.
  public var requiresGrad: Bool { isGradLeaf || node != nil }

  /// The name of the op that produced this tensor in the graph, if tracked.
  public var gradOp: String? { node?.op }

  /// A view of this tensor marked as a differentiation variable (a new leaf).
  public func requiringGrad() -> Tensor {
    Tensor(shape: shape, strides: strides, offset: offset, storage: storage, isGradLeaf: true)
  }

  /// A view of this tensor cut from the graph: gradients do not flow through it.
  public func detached() -> Tensor {
    guard requiresGrad else { return self }
    return Tensor(shape: shape, strides: strides, offset: offset, storage: storage)
  }

  /// This tensor's data as the result of a custom op on `inputs`, recorded in
  /// the graph with `backward` when any input is tracked. For ops (such as
  /// convolutions) whose forward pass is computed with raw kernels.
  public func recorded(as op: String, inputs: [Tensor], backward: @escaping BackwardRule) -> Tensor {
    guard let node = GradNode.record(op, inputs, backward) else { return detached() }
    return Tensor(shape: shape, strides: strides, offset: offset, storage: storage, node: node)
  }

  /// This tensor's data as the result of an already recorded `node` (nil: untracked).
  func withNode(_ node: GradNode?) -> Tensor {
    guard let node else { return detached() }
    return Tensor(shape: shape, strides: strides, offset: offset, storage: storage, node: node)
  }

  /// A fresh tensor of `shape` filled by `fill` (row-major, every element),
  /// recorded as op `op` on `inputs` with `backward`.
  public static func custom(
    _ op: String, shape: [Int], inputs: [Tensor],
    fill: (UnsafeMutableBufferPointer<Float>) throws -> Void,
    backward: @escaping BackwardRule
  ) throws -> Tensor {
    _ = try checkedCount(shape, op: op)
    return try make(shape, node: GradNode.record(op, inputs, backward), fill: fill)
  }
}

/// Cuts `x` from the graph (JAX's `stop_gradient`).
public func stopGradient(_ x: Tensor) -> Tensor { x.detached() }

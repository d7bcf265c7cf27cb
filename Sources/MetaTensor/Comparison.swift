/// Element-wise comparisons (1 where true, 0 where false; constants with no
/// gradient) and `select`, NumPy's `where`.
extension Tensor {
  @inline(__always)
  func compare(_ other: Tensor, op: String, _ test: (Float, Float) -> Bool) throws -> Tensor {
    try detached().zipElements(other.detached(), op: op) { test($0, $1) ? 1 : 0 }
  }

  /// Comparisons with broadcasting: 1 where the relation holds, else 0.
  public func eq(_ other: Tensor) throws -> Tensor { try compare(other, op: "eq") { $0 == $1 } }
  public func ne(_ other: Tensor) throws -> Tensor { try compare(other, op: "ne") { $0 != $1 } }
  public func lt(_ other: Tensor) throws -> Tensor { try compare(other, op: "lt") { $0 < $1 } }
  public func le(_ other: Tensor) throws -> Tensor { try compare(other, op: "le") { $0 <= $1 } }
  public func gt(_ other: Tensor) throws -> Tensor { try compare(other, op: "gt") { $0 > $1 } }
  public func ge(_ other: Tensor) throws -> Tensor { try compare(other, op: "ge") { $0 >= $1 } }

  /// Comparisons against a number.
  public func eq(_ value: Float) throws -> Tensor { try mapElements { $0 == value ? 1 : 0 } }
  public func ne(_ value: Float) throws -> Tensor { try mapElements { $0 != value ? 1 : 0 } }
  public func lt(_ value: Float) throws -> Tensor { try mapElements { $0 < value ? 1 : 0 } }
  public func le(_ value: Float) throws -> Tensor { try mapElements { $0 <= value ? 1 : 0 } }
  public func gt(_ value: Float) throws -> Tensor { try mapElements { $0 > value ? 1 : 0 } }
  public func ge(_ value: Float) throws -> Tensor { try mapElements { $0 >= value ? 1 : 0 } }

  /// `a` where `condition` is nonzero, else `b`, with broadcasting of all three.
  /// Differentiable in `a` and `b` (the gradient goes to the chosen side).
  public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    let cond = condition.detached()
    let node = GradNode.record("where", a, b, { c in
      let zero = Tensor(0)
      return [try c.needsGrad[0] ? select(cond, c.grad, zero).sumToShape(c.inputs[0].shape) : nil,
              try c.needsGrad[1] ? select(cond, zero, c.grad).sumToShape(c.inputs[1].shape) : nil]
    })
    return try selectElements(cond, a, b, node: node)
  }
}

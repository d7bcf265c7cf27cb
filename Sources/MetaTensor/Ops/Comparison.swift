/// Element-wise comparisons, giving bool tensors (constants with no gradient),
/// and `select`, NumPy's `where`.
extension Tensor {
  /// A float32 0/1 mask of `test`, for gradient rules (which multiply by it).
  @inline(__always)
  func compare(_ other: Tensor, op: String, _ test: (Float, Float) -> Bool) throws -> Tensor {
    try detached().zipElements(other.detached(), op: op) { test($0, $1) ? 1 : 0 }
  }

  /// The six relations, each a specialised loop.
  enum Relation: String { case eq, ne, lt, le, gt, ge }

  /// `self relation other` with broadcasting and promotion, as a bool tensor.
  func compare(_ other: Tensor, _ relation: Relation) throws -> Tensor {
    var (a, b, dtype) = try Tensor.promote(detached(), other.detached())
    if dtype == .bool && relation != .eq && relation != .ne {
      // Bool is not ordered in Swift: false < true as 0 < 1.
      (a, b, dtype) = (try a.astype(.int64), try b.astype(.int64), .int64)
    }
    switch dtype {
    case .float32: return try a.compared(b, relation, Float.self)
    case .float64: return try a.compared(b, relation, Double.self)
    case .int64: return try a.compared(b, relation, Int64.self)
    case .bool:
      let equal = relation == .eq
      return try a.zipElements(b, op: relation.rawValue, of: Bool.self, to: Bool.self) { ($0 == $1) == equal }
    }
  }

  @inline(__always)
  private func compared<T: TensorElement & Comparable>(_ b: Tensor, _ r: Relation, _: T.Type) throws -> Tensor {
    switch r {
    case .eq: return try zipElements(b, op: "eq", of: T.self, to: Bool.self) { $0 == $1 }
    case .ne: return try zipElements(b, op: "ne", of: T.self, to: Bool.self) { $0 != $1 }
    case .lt: return try zipElements(b, op: "lt", of: T.self, to: Bool.self) { $0 < $1 }
    case .le: return try zipElements(b, op: "le", of: T.self, to: Bool.self) { $0 <= $1 }
    case .gt: return try zipElements(b, op: "gt", of: T.self, to: Bool.self) { $0 > $1 }
    case .ge: return try zipElements(b, op: "ge", of: T.self, to: Bool.self) { $0 >= $1 }
    }
  }

  /// Comparisons with broadcasting: bool tensors, true where the relation holds
  /// (NaN compares unequal to everything, itself included).
  public func eq(_ other: Tensor) throws -> Tensor { try compare(other, .eq) }
  public func ne(_ other: Tensor) throws -> Tensor { try compare(other, .ne) }
  public func lt(_ other: Tensor) throws -> Tensor { try compare(other, .lt) }
  public func le(_ other: Tensor) throws -> Tensor { try compare(other, .le) }
  public func gt(_ other: Tensor) throws -> Tensor { try compare(other, .gt) }
  public func ge(_ other: Tensor) throws -> Tensor { try compare(other, .ge) }

  /// Comparisons against a number (a float32 0-d operand).
  public func eq(_ value: Float) throws -> Tensor { try compare(Tensor(value), .eq) }
  public func ne(_ value: Float) throws -> Tensor { try compare(Tensor(value), .ne) }
  public func lt(_ value: Float) throws -> Tensor { try compare(Tensor(value), .lt) }
  public func le(_ value: Float) throws -> Tensor { try compare(Tensor(value), .le) }
  public func gt(_ value: Float) throws -> Tensor { try compare(Tensor(value), .gt) }
  public func ge(_ value: Float) throws -> Tensor { try compare(Tensor(value), .ge) }

  /// `a` where `condition` is true (bool) or nonzero, else `b`, with
  /// broadcasting of all three and `a`, `b` promoted to one dtype.
  /// Differentiable in `a` and `b` (the gradient goes to the chosen side).
  public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    let cond = condition.detached()
    let (a, b, dtype) = try promote(a, b)
    let node = GradNode.record("where", a, b, { c in
      let zero = Tensor(0)
      return [try c.needsGrad[0] ? select(cond, c.grad, zero).sumToShape(c.inputs[0].shape) : nil,
              try c.needsGrad[1] ? select(cond, zero, c.grad).sumToShape(c.inputs[1].shape) : nil]
    })
    switch dtype {
    case .float32: return try selectElements(cond, a, b, of: Float.self, node: node)
    case .float64: return try selectElements(cond, a, b, of: Double.self, node: node)
    case .int64: return try selectElements(cond, a, b, of: Int64.self)
    case .bool: return try selectElements(cond, a, b, of: Bool.self)
    }
  }
}

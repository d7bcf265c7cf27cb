// MetaTensor's `Tensor` is itself the Meta value (no wrapper, no copy): these
// extensions make it a native object that prints, answers `type`, fields such
// as `.shape`, operators, indexing and `for` loops.

import MetaTensor

extension Value {
  /// Wraps a Swift tensor as a Meta value without copying it (the same object).
  public static func tensor(_ t: Tensor) -> Value { .native(t) }

  /// The tensor this value holds (the same object the host or script created), or nil.
  public var tensor: Tensor? {
    if case .native(let o) = self { return o as? Tensor }
    return nil
  }
}

extension Tensor: NativeObject {
  public var typeName: String { "Tensor" }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "shape": return .list(shape.map { .int($0) })
    case "dtype": return .string(dtype.rawValue)
    case "T": return .tensor(T)
    case "ndim": return .int(rank)
    case "size": return .int(count)
    default:
      // `t.sum` without a call: a bound method value.
      guard TensorOps.methods[name] != nil else { return nil }
      return .function(Function(name: name) { [self] args in
        guard let r = try self.callMethod(name, args) else { throw BuiltinError("Tensor has no method '\(name)'") }
        return r
      })
    }
  }

  public var fieldNames: [String] { (["shape", "dtype", "T", "ndim", "size"] + TensorOps.methods.keys).sorted() }
}

extension Tensor: NativeTruth {
  /// NumPy's rule: a one-element tensor is true when nonzero (NaN is true);
  /// any other, empty included, is ambiguous.
  public func truth() throws -> Bool {
    guard count == 1 else {
      throw BuiltinError("the truth value of a tensor with \(count) elements is ambiguous; use .any() or .all()")
    }
    return try item() != 0
  }
}

extension Tensor: NativeMethods {
  public func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    guard let op = TensorOps.methods[name] else { return nil }
    // The function's body, with the tensor as its (uncounted) argument 0.
    var args = arguments
    args.positional.insert(.tensor(self), at: 0)
    args.function = name
    args.receivers = 1
    try args.checkLabels(op.labels)
    return try op.body(args)
  }
}

extension Tensor: NativeIterable {
  /// The slices along the first axis (rows of a matrix).
  public func elements() throws -> [Value] {
    guard rank > 0 else { throw BuiltinError("iteration over a 0-d tensor") }
    return try (0..<shape[0]).map { .tensor(try indexed([.index($0)])) }
  }
}

extension Tensor: NativeOperators {
  public func binary(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
    // Only `Compare.equal` (e.g. inside list equality) reaches here with `==`:
    // there it means "same shape and elements"; the operator itself is elementwise.
    if op == .eq {
      guard let o = other.tensor ?? TensorConvert.scalarTensor(other) else { return .bool(false) }
      return .bool(shape == o.shape && elements(as: Double.self) == o.elements(as: Double.self))
    }
    let names = reversed ? "\(other.typeName) and Tensor" : "Tensor and \(other.typeName)"
    guard let o = other.tensor ?? TensorConvert.scalarTensor(other) else {
      // Another native operand may still know how to combine with a tensor.
      if case .native = other { return nil }
      throw BuiltinError("unsupported operand types for \(op.rawValue): \(names)")
    }
    let (a, b) = reversed ? (o, self) : (self, o)
    return .tensor(try TensorConvert.apply(op, a, b))
  }

  public func negate() throws -> Value? { .tensor(try -self) }
}

/// What `t[i, j] = v` needs: the value with the indexed part replaced (tensors
/// are immutable, so the binding gets a new tensor).
protocol NativeIndexAssignable: NativeObject {
  func assigning(_ items: [IndexArgument], _ body: (inout Value) throws -> Void) throws -> Value
}

extension Tensor: NativeIndexAssignable {
  func assigning(_ items: [IndexArgument], _ body: (inout Value) throws -> Void) throws -> Value {
    var current = Value.tensor(try TensorIndexing.get(self, items))
    try body(&current)
    guard let replacement = current.tensor ?? TensorConvert.scalarTensor(current) else {
      throw BuiltinError("cannot assign \(withArticle(current.typeName)) value into a Tensor")
    }
    return .tensor(try TensorIndexing.set(self, items, replacement))
  }
}

extension Tensor: NativeSubscriptable {
  public func index(_ items: [IndexArgument]) throws -> Value {
    .tensor(try TensorIndexing.get(self, items))
  }
}

/// Conversions between Meta values and tensors, and the operator table.
enum TensorConvert {
  /// A 0-d tensor for an Int (int64), a Float (float32) or a Bool (bool);
  /// nil otherwise. Being 0-d, it never raises a dimensioned operand's dtype
  /// within its category (`x + 1.5` stays float64 for a float64 `x`, `i + 1`
  /// stays int64), as Python numbers mix with PyTorch tensors.
  static func scalarTensor(_ v: Value) -> Tensor? {
    switch v {
    case .int(let i): return try? Tensor(shape: [], elements: [Int64(i)])
    case .float(let f): return Tensor(Float(f))
    case .bool(let b): return try? Tensor(shape: [], elements: [b])
    default: return nil
    }
  }

  /// One element as the Meta value of its kind: Int for int64, Bool for bool,
  /// Float for floats (float32 through its shortest text, see `double`).
  static func value(_ s: ScalarValue, dtype: DType) -> Value {
    switch s {
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(Int(i))
    case .float(let x): return .float(dtype == .float32 ? double(Float(x)) : x)
    }
  }

  /// The dtype named by the `dtype:` argument, or nil when absent.
  static func dtype(_ args: NativeArguments) throws -> DType? {
    guard let v = args.named("dtype") else { return nil }
    if case .nil_ = v { return nil }
    guard case .string(let name) = v, let dtype = DType(named: name) else {
      throw BuiltinError("\(args.function): dtype must be \(DType.names), got \((try? v.printed(quoted: true)) ?? v.typeName)")
    }
    return dtype
  }

  /// A Float32 element as the Double whose shortest text is the Float32's
  /// (so `tensor([0.1]).item()` prints `0.1`, not `0.10000000149011612`).
  static func double(_ f: Float) -> Double {
    guard f.isFinite else { return Double(f) }
    return Double(f.description) ?? Double(f)
  }

  /// `tensor(...)` from a number or nested lists of numbers (which must be
  /// rectangular), of `dtype`; by default bool when every element is a Bool,
  /// else float32 (the spec's default, where PyTorch would pick int64 for Ints).
  static func fromNested(_ v: Value, function: String, dtype: DType? = nil) throws -> Tensor {
    if let t = v.tensor { return try dtype.map { try t.astype($0) } ?? t }
    var shape: [Int] = []
    var probe = v
    var elements = 1
    while case .list(let xs) = probe {
      shape.append(xs.count)
      if shape.count > Tensor.maxRank {
        throw BuiltinError("\(function): lists nested more than \(Tensor.maxRank) deep (a tensor has at most \(Tensor.maxRank) dimensions)")
      }
      // The scalars are gathered into one list first: sized within the list cap before walking.
      let (n, overflow) = elements.multipliedReportingOverflow(by: xs.count)
      elements = overflow ? Int.max : n
      try Operators.checkSize(elements, "list")
      guard let first = xs.first else { break }
      probe = first
    }
    var values: [ScalarValue] = []
    try flatten(v, shape, 0, "", function, &values)
    let allBool = !values.isEmpty && values.allSatisfy { if case .bool = $0 { return true } else { return false } }
    switch dtype ?? (allBool ? .bool : .float32) {
    case .float32:
      return try Tensor(shape: shape, scalars: values.map { if case .int(let i) = $0 { return Float(i) } else { return Float($0.double) } })
    case .float64:
      return try Tensor(shape: shape, elements: values.map { if case .int(let i) = $0 { return Double(i) } else { return $0.double } })
    case .int64:
      return try Tensor(shape: shape, elements: try values.map { s -> Int64 in
        switch s {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .float(let x):
          guard x.isFinite, Swift.abs(x) < 9.2e18 else { throw BuiltinError("\(function): \(x) does not fit in int64") }
          return Int64(x)  // toward zero, as NumPy's astype
        }
      })
    case .bool:
      return try Tensor(shape: shape, elements: values.map { $0.double != 0 })
    }
  }

  private static func flatten(
    _ v: Value, _ shape: [Int], _ depth: Int, _ path: String, _ function: String, _ out: inout [ScalarValue]
  ) throws {
    let at = path.isEmpty ? "" : " at \(path)"
    if depth == shape.count {
      switch v {
      case .int(let i): out.append(.int(Int64(i)))
      case .float(let f): out.append(.float(f))
      case .bool(let b): out.append(.bool(b))
      case .list: throw BuiltinError("\(function): ragged nested lists\(at) (expected a number, got a List)")
      default: throw BuiltinError("\(function): expected numbers, got \(withArticle(v.typeName)) value\(at)")
      }
      return
    }
    guard case .list(let xs) = v else {
      throw BuiltinError("\(function): ragged nested lists\(at) (expected a List of length \(shape[depth]), got \(withArticle(v.typeName)))")
    }
    guard xs.count == shape[depth] else {
      throw BuiltinError("\(function): ragged nested lists\(at) (expected length \(shape[depth]), got \(xs.count))")
    }
    try Operators.checkSize(out.count + xs.count, "list")
    for (i, x) in xs.enumerated() { try flatten(x, shape, depth + 1, "\(path)[\(i)]", function, &out) }
  }

  /// Nested Lists of elements (Ints for int64, Bools for bool, Floats for
  /// floats; one element for a 0-d tensor). Every list level must fit the list
  /// cap (checked before copying anything).
  static func toList(_ t: Tensor) throws -> Value {
    var items = 1
    for d in t.shape {
      let (n, overflow) = items.multipliedReportingOverflow(by: d)
      items = overflow ? Int.max : n
      try Operators.checkSize(items, "list")
    }
    let values: [Value]
    switch t.dtype {
    case .float32: values = t.scalars.map { .float(double($0)) }
    case .float64: values = t.elements(as: Double.self).map { .float($0) }
    case .int64: values = t.elements(as: Int64.self).map { .int(Int($0)) }
    case .bool: values = t.elements(as: Bool.self).map { .bool($0) }
    }
    func build(_ axis: Int, _ start: Int, _ stride: Int) -> Value {
      if axis == t.rank { return values[start] }
      let step = stride / max(t.shape[axis], 1)
      return .list((0..<t.shape[axis]).map { build(axis + 1, start + $0 * step, step) })
    }
    return build(0, 0, t.count)
  }

  /// `a op b` for two tensors (broadcasting); comparisons give 0/1 tensors.
  static func apply(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    switch op {
    case .add: return try a + b
    case .sub: return try a - b
    case .mul: return try a * b
    case .div: return try a / b
    case .pow:
      if a.dtype.isFloatingPoint, b.rank == 0, !b.requiresGrad, b.dtype != .float64 { return try a.pow(try b.item()) }
      return try a.pow(b)
    case .matmul: return try a.matmul(b)
    case .eq: return try a.eq(b)
    case .ne: return try a.ne(b)
    case .lt: return try a.lt(b)
    case .le: return try a.le(b)
    case .gt: return try a.gt(b)
    case .ge: return try a.ge(b)
    case .floorDiv: return try a.floorDivide(b)
    case .mod: return try a.remainder(b)
    }
  }
}

extension Operators {
  /// Operators that must see tensors and tensor trees before the scalar rules:
  /// `==`/`!=` on a tensor are elementwise, and arithmetic on lists or records
  /// holding tensors is leaf by leaf (not list concatenation or repetition).
  /// Nil when neither operand is a tensor, list or record.
  @inline(__always) static func tensorOperands(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value? {
    switch (a, b) {
    case (.native, _), (_, .native), (.list, _), (_, .list), (.record, _), (_, .record):
      return try Tree.operate(op, a, b)
    default: return nil
    }
  }
}

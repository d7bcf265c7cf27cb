// What tensor functions and methods read from their arguments: tensors, shapes,
// axes, kernel sizes. A method call `t.sum(axis: 0)` is the function call
// `sum(t, axis: 0)` with `t` as argument 0, a receiver that messages do not count.

import MetaTensor

extension ArgumentReader {
  /// Positional argument `i`, an Int or a Float, as a Float.
  func float(_ i: Int) throws -> Float { try number(i, as: Float.self) }

  /// A named number as a Float; nil when absent or `nil`.
  func namedFloat(_ label: String) throws -> Float? { try namedNumber(label, as: Float.self) }

  /// A tensor argument; an Int or Float becomes a 0-d tensor.
  func tensor(_ i: Int) throws -> Tensor {
    if let v = argument(i), let t = v.tensor ?? TensorConvert.scalarTensor(v) { return t }
    throw bad(i, "Tensor")
  }

  /// A tensor, or nil when the argument is absent or `nil`.
  func optionalTensor(_ i: Int) throws -> Tensor? {
    guard let v = argument(i), !isNil(v) else { return nil }
    return try tensor(i)
  }

  func namedTensor(_ label: String) throws -> Tensor? {
    guard let v = named(label), !isNil(v) else { return nil }
    if let t = v.tensor ?? TensorConvert.scalarTensor(v) { return t }
    throw badNamed(label, "Tensor", v)
  }

  /// Labels (class indices) as a tensor: a tensor or a List of Ints (int64).
  func labels(_ i: Int) throws -> Tensor {
    if let v = argument(i), case .list = v { return try TensorConvert.fromNested(v, function: function, dtype: .int64) }
    return try tensor(i)
  }

  /// A list of Ints (a shape or axes) at position i; a lone Int counts as `[n]`.
  func ints(_ i: Int, what: String = "List of Ints") throws -> [Int] {
    if let v = argument(i), let r = try intList(v) { return r }
    throw bad(i, what)
  }

  /// `axis:` as a list of axes; nil when absent (all axes).
  func axes(_ label: String = "axis") throws -> [Int]? {
    guard let v = named(label), !isNil(v) else { return nil }
    if let r = try intList(v) { return r }
    throw badNamed(label, "Int or List of Ints", v)
  }

  /// A shape given as a List of Ints or as several Int arguments (`zeros(2, 3)`).
  func shape(from i: Int) throws -> [Int] {
    if count == i + 1 { return try ints(i, what: "shape (List of Ints)") }
    return try (i..<count).map { try int($0) }
  }

  /// Kernel sizes, strides, paddings: an Int or a List of two Ints.
  func size2D(_ v: Value, _ label: String) throws -> Size2D {
    if case .int(let n) = v { return Size2D(n) }
    if case .list(let xs) = v, xs.count == 2, case .int(let h) = xs[0], case .int(let w) = xs[1] {
      return Size2D(h, w)
    }
    throw badNamed(label, "Int or [Int, Int]", v)
  }

  private func intList(_ v: Value) throws -> [Int]? {
    switch v {
    case .int(let n): return [n]
    case .list(let xs):
      var out: [Int] = []
      for x in xs {
        guard case .int(let n) = x else { return nil }
        out.append(n)
      }
      return out
    default: return nil
    }
  }

  private func isNil(_ v: Value) -> Bool {
    if case .nil_ = v { return true }
    return false
  }
}

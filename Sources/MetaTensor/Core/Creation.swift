/// Constructors: constant fills, ranges, identity, random tensors.
extension Tensor {
  /// A tensor of `shape` with every element `value`.
  public static func full(_ shape: [Int], _ value: Float) throws -> Tensor { try filled(shape, value, op: "full") }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) throws -> Tensor { try filled(shape, 0, op: "zeros") }
  /// A tensor of ones.
  public static func ones(_ shape: [Int]) throws -> Tensor { try filled(shape, 1, op: "ones") }

  private static func filled(_ shape: [Int], _ value: Float, op: String) throws -> Tensor {
    _ = try checkedCount(shape, op: op)
    return try make(shape) { $0.initialize(repeating: value) }
  }
  /// Zeros of `dtype` (false for bool).
  public static func zeros(_ shape: [Int], dtype: DType) throws -> Tensor {
    dtype == .float32 ? try zeros(shape) : try zeros(shape).astype(dtype)
  }
  /// Ones of `dtype` (true for bool).
  public static func ones(_ shape: [Int], dtype: DType) throws -> Tensor {
    dtype == .float32 ? try ones(shape) : try ones(shape).astype(dtype)
  }
  /// Zeros shaped like `other`, of its dtype (never tracked).
  public static func zerosLike(_ other: Tensor) throws -> Tensor { try zeros(other.shape, dtype: other.dtype) }
  /// Ones shaped like `other`, of its dtype (never tracked).
  public static func onesLike(_ other: Tensor) throws -> Tensor { try ones(other.shape, dtype: other.dtype) }

  /// The `n` x `m` identity matrix (`m` defaults to `n`).
  public static func eye(_ n: Int, _ m: Int? = nil) throws -> Tensor {
    let cols = m ?? n
    _ = try checkedCount([n, cols], op: "eye")
    return try make([n, cols]) { out in
      out.initialize(repeating: 0)
      for i in 0..<Swift.min(n, cols) { out[i * cols + i] = 1 }
    }
  }

  /// `start, start + step, ...` up to but excluding `stop` (NumPy's `arange`).
  /// The bounds are Doubles, as the language's numbers: the count
  /// `ceil((stop - start) / step)` and each value `start + i * step` are
  /// computed in double precision and only the values rounded to Float, so
  /// `arange(0, 0.3, 0.1)` has 3 elements and `arange(1, 1.3, 0.1)` 4, as NumPy.
  public static func arange(_ start: Double, _ stop: Double, step: Double = 1) throws -> Tensor {
    guard step != 0, step.isFinite, start.isFinite, stop.isFinite else {
      throw TensorError("arange: start, stop and step must be finite and step nonzero")
    }
    let steps = ((stop - start) / step).rounded(.up)
    guard steps < Double(maxElementCount) else { throw TensorError("arange: too many elements") }
    let n = steps > 0 ? Int(steps) : 0
    return try make([n]) { out in
      for i in 0..<n { out[i] = Float(start + Double(i) * step) }
    }
  }

  /// `count` evenly spaced values from `start` to `stop` inclusive.
  public static func linspace(_ start: Float, _ stop: Float, count: Int) throws -> Tensor {
    _ = try checkedCount([count], op: "linspace")
    return try make([count]) { out in
      let span = Double(stop) - Double(start)
      for i in 0..<count {
        out[i] = count == 1 ? start : Float(Double(start) + span * Double(i) / Double(count - 1))
      }
    }
  }

  /// Samples from N(mean, std²).
  public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomState) throws -> Tensor {
    let n = try checkedCount(shape, op: "randn")
    return try Tensor(shape: shape, scalars: rng.normal(count: n, mean: mean, std: std))
  }

  /// Samples uniformly from [low, high).
  public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomState) throws -> Tensor {
    let n = try checkedCount(shape, op: "rand")
    return try Tensor(shape: shape, scalars: rng.uniform(count: n, low: low, high: high))
  }
}

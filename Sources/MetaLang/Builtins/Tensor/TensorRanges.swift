// `arange` and `linspace` of any dtype, counted and computed in double
// precision from the arguments as written (NumPy's rule: `arange(0, 0.3, 0.1)`
// has 3 elements, `arange(1, 1.3, 0.1)` has 4), and the `dtype:` of the
// random creators.

import MetaTensor

enum TensorRanges {
  /// `arange(stop)`, `arange(start, stop)`, `arange(start, stop, step)`:
  /// float32 by default; int64 values are exact when every argument is an Int.
  static func arange(_ args: NativeArguments) throws -> Tensor {
    let dtype = try TensorConvert.dtype(args) ?? .float32
    let (start, stop) = args.count == 1 ? (Value.int(0), args[0]) : (args[0], args[1])
    let step = args.count == 3 ? args[2] : .int(1)
    if dtype == .int64, case .int(let a) = start, case .int(let b) = stop, case .int(let s) = step {
      guard s != 0 else { throw BuiltinError("arange: step must be nonzero") }
      // Count in Int: (b - a) / s rounded up, from magnitudes that cannot overflow.
      let span = Double(b) - Double(a)
      let n = span / Double(s) > 0 ? Int(((span / Double(s)).rounded(.up))) : 0
      guard n <= Tensor.maxElementCount else { throw BuiltinError("arange: too many elements") }
      var values = [Int64](repeating: 0, count: n)
      var v = Int64(a)
      for i in 0..<n { values[i] = v; v = v &+ Int64(s) }
      return try Tensor(shape: [n], elements: values)
    }
    let (a, b, s) = (try number(start, args), try number(stop, args), try number(step, args))
    guard s != 0, a.isFinite, b.isFinite, s.isFinite else {
      throw BuiltinError("arange: start, stop and step must be finite and step nonzero")
    }
    let steps = ((b - a) / s).rounded(.up)
    guard steps < Double(Tensor.maxElementCount) else { throw BuiltinError("arange: too many elements") }
    let n = steps > 0 ? Int(steps) : 0
    let values = (0..<n).map { a + Double($0) * s }
    return try Tensor(shape: [n], elements: values).astype(dtype)
  }

  /// `linspace(start, stop, count)`: both ends included, computed in double.
  static func linspace(_ args: NativeArguments) throws -> Tensor {
    let dtype = try TensorConvert.dtype(args) ?? .float32
    let a = try number(args[0], args), b = try number(args[1], args), count = try args.int(2)
    guard count >= 0 else { throw BuiltinError("linspace: count must be non-negative, got \(count)") }
    guard count <= Tensor.maxElementCount else { throw BuiltinError("linspace: too many elements") }
    let span = b - a
    let values = (0..<count).map { i in count == 1 ? a : (i == count - 1 ? b : a + span * Double(i) / Double(count - 1)) }
    return try Tensor(shape: [count], elements: values).astype(dtype)
  }

  /// The `dtype:` of a sampler: float32 or float64.
  static func floatingDType(_ args: NativeArguments) throws -> DType {
    let dtype = try TensorConvert.dtype(args) ?? .float32
    guard dtype.isFloatingPoint else {
      throw BuiltinError("\(args.function): dtype must be \"float32\" or \"float64\", got \"\(dtype)\"")
    }
    return dtype
  }

  private static func number(_ v: Value, _ args: NativeArguments) throws -> Double {
    switch v {
    case .int(let i): return Double(i)
    case .float(let x): return x
    default: throw BuiltinError("\(args.function): expected a number, got \(withArticle(v.typeName))")
    }
  }
}

// Math builtins and the random stream. A math function given a native value
// (a tensor) calls the object's method of the same name: `exp(t)` is `t.exp()`.

import Foundation
import MetaTensor

extension Builtins {
  static func math() -> [Builtin] {
    var out: [Builtin] = [
      Builtin("abs") { args in
        try args.expect(1)
        switch args[0] {
        case .int(let i):
          if i == Int.min { throw BuiltinError("integer overflow") }
          return .int(Swift.abs(i))
        case .float(let f): return .float(Swift.abs(f))
        default:
          if let r = try native(args, "abs") { return r }
          throw args.bad(0, "number")
        }
      },
      Builtin("round") { args in
        try args.expect(1...2)
        if case .int(let i) = args[0], args.count == 1 { return .int(i) }
        if let r = try native(args, "round") { return r }
        let x = try args.number(0)
        if args.count == 2 { return .float(roundDigits(x, try args.int(1))) }
        return .int(try toInt(.float(x.rounded(.toNearestOrEven))))
      },
      Builtin("floor") { args in
        try args.expect(1)
        if case .int = args[0] { return args[0] }
        if let r = try native(args, "floor") { return r }
        return .int(try toInt(.float(try args.number(0).rounded(.down))))
      },
      Builtin("ceil") { args in
        try args.expect(1)
        if case .int = args[0] { return args[0] }
        if let r = try native(args, "ceil") { return r }
        return .int(try toInt(.float(try args.number(0).rounded(.up))))
      },
      Builtin("log") { args in
        try args.expect(1...2)
        if let r = try native(args, "log") { return r }
        let x = try args.number(0)
        guard x > 0 else { throw BuiltinError("math domain error") }
        if args.count == 2 {
          let b = try args.number(1)
          guard b > 0, b != 1 else { throw BuiltinError("math domain error") }
          return .float(Foundation.log(x) / Foundation.log(b))
        }
        return .float(Foundation.log(x))
      },
      Builtin("atan2") { args in
        try args.expect(2)
        return .float(Foundation.atan2(try args.number(0), try args.number(1)))
      },
      Builtin("pow") { args in
        try args.expect(2)
        return try Operators.binary(.pow, args[0], args[1])
      },
      Builtin("isnan") { args in
        try args.expect(1)
        if case .int = args[0] { return .bool(false) }
        return .bool(try args.number(0).isNaN)
      },
      Builtin("seed") { args in
        try args.expect(1)
        args.rt.random.seed(UInt64(bitPattern: Int64(try args.int(0))))
        return .nil_
      },
      Builtin("random_state") { args in
        // Four Ints (the words' bit patterns): a plain value that save/load keep exactly.
        try args.expect(0)
        return .list(args.rt.random.state.words.map { .int(Int(Int64(bitPattern: $0))) })
      },
      Builtin("set_random_state") { args in
        try args.expect(1)
        let bad = BuiltinError("set_random_state: expected the List of 4 Ints that random_state() gives")
        guard case .list(let items) = args[0] else { throw bad }
        var words = [UInt64]()
        for item in items {
          guard case .int(let w) = item else { throw bad }
          words.append(UInt64(bitPattern: Int64(w)))
        }
        guard let state = RandomState(words: words) else { throw bad }
        args.rt.random.state = state
        return .nil_
      },
      Builtin("random") { args in
        try args.expect(0)
        return .float(args.rt.random.nextDouble())
      },
      Builtin("randint") { args in
        // randint(low, high, shape): the tensor form, high excluded as in PyTorch.
        try args.expect(2...3)
        if args.count == 3 { return try randintTensor(args) }
        let a = try args.int(0), b = try args.int(1)
        guard a <= b else { throw BuiltinError("randint: empty range (\(a) > \(b))") }
        return .int(args.rt.random.nextInt(in: a...b))
      },
    ]
    // Functions of one Float with a domain check.
    let unary: [(String, (Double) -> Double, (Double) -> Bool)] = [
      ("sqrt", Foundation.sqrt, { $0 >= 0 || $0.isNaN }),
      ("exp", Foundation.exp, { _ in true }),
      ("log2", Foundation.log2, { $0 > 0 || $0.isNaN }),
      ("log10", Foundation.log10, { $0 > 0 || $0.isNaN }),
      ("sin", Foundation.sin, { !$0.isInfinite }),
      ("cos", Foundation.cos, { !$0.isInfinite }),
      ("tan", Foundation.tan, { !$0.isInfinite }),
      ("tanh", Foundation.tanh, { _ in true }),
    ]
    for (name, f, domain) in unary {
      out.append(
        Builtin(name) { args in
          try args.expect(1)
          if let r = try native(args, name) { return r }
          let x = try args.number(0)
          guard domain(x) else { throw BuiltinError("math domain error") }
          return .float(f(x))
        })
    }
    return out
  }

  /// `round(x, digits)` as Python does it: correctly rounded through the decimal
  /// text (2.675 is really 2.67499..., so it rounds down).
  static func roundDigits(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite else { return x }
    if digits >= 0 {
      guard digits < 300 else { return x }
      return Double(String(format: "%.\(digits)f", x)) ?? x
    }
    // Past 10^308 every finite Double rounds to zero (and `-digits` could overflow).
    guard digits >= -308 else { return x.sign == .minus ? -0.0 : 0.0 }
    let scale = Foundation.pow(10.0, Double(-digits))
    let r = (x / scale).rounded(.toNearestOrEven) * scale
    return r.isFinite ? r : x
  }

  /// `f(native)` calls `native.f()`; nil when the first argument is not a native object with methods.
  static func native(_ args: Arguments, _ name: String) throws -> Value? {
    guard case .native(let o) = args[0], let m = o as? NativeMethods else { return nil }
    let rest = Array(args.positional.dropFirst())
    return try m.callMethod(name, NativeArguments(positional: rest, named: args.named, function: name))
  }
}

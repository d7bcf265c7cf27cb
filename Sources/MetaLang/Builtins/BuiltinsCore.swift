// Core builtins: printing, conversion, introspection, ranges and errors.

import Foundation

enum Builtins {
  /// Every builtin, installed into the interpreter's base environment.
  static func all() -> [Builtin] {
    let base = core() + help() + interrupts() + collections() + math() + objectBuiltins() + fileBuiltins() + taskBuiltins() + learningIOBuiltins() + omniglotBuiltins()
      + distributionBuiltins() + environmentBuiltins() + distributedBuiltins()
    return base + tensor(over: base)
  }

  /// Constants defined next to the builtins.
  static let constants: [(String, Value)] = [
    ("pi", .float(Double.pi)), ("inf", .float(Double.infinity)), ("nan", .float(Double.nan)),
  ]

  static func core() -> [Builtin] {
    [
      Builtin("print") { args in
        args.rt.output(try printedLine(args))
        return .nil_
      },
      // Like print, to the diagnostics (standard error under `meta`): notes about the
      // run that must not mix with its results.
      Builtin("eprint") { args in
        args.rt.diagnostics(try printedLine(args))
        return .nil_
      },
      Builtin("str") { args in
        try args.expect(1)
        if case .string = args[0] { return args[0] }
        return .string(try args[0].printed())
      },
      Builtin("repr") { args in
        try args.expect(1)
        return .string(try args[0].printed(quoted: true))
      },
      Builtin("type") { args in
        try args.expect(1)
        return .string(args[0].typeName)
      },
      Builtin("len") { args in
        try args.expect(1)
        switch args[0] {
        case .list(let xs): return .int(xs.count)
        case .string(let s): return .int(try args.rt.characterCount(s))
        case .record(let r): return .int(r.count)
        case .native(let o as NativeSized): return .int(o.count)
        default: throw args.bad(0, "List, String or Record")
        }
      },
      Builtin("range") { args in
        try args.expect(1...3)
        let a = try args.int(0)
        let (start, stop) = args.count == 1 ? (0, a) : (a, try args.int(1))
        let step = args.count == 3 ? try args.int(2) : 1
        if step == 0 { throw args.bad(2, detail: "step must not be zero") }
        let n = rangeCount(start, stop, step)
        try Operators.checkSize(n, "list")
        var out: [Value] = []
        out.reserveCapacity(n)
        var i = start
        for _ in 0..<n {
          out.append(.int(i))
          i &+= step
        }
        return .list(out)
      },
      Builtin("error") { args in
        try args.expect(0...1)
        throw BuiltinError(args.count == 0 ? "error" : args[0].description)
      },
      Builtin("clock") { args in
        try args.expect(0)
        return .float(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
      },
      Builtin("int") { args in
        try args.expect(1)
        return .int(try toInt(args[0]))
      },
      Builtin("float") { args in
        try args.expect(1)
        return .float(try toFloat(args[0]))
      },
      Builtin("bool") { args in
        try args.expect(1)
        return .bool(try args[0].truthValue())
      },
      Builtin("contains") { args in
        try args.expect(2)
        return .bool(try contains(args[0], args[1], args))
      },
      Builtin("keys") { args in
        try args.expect(1)
        return .list(try args.record(0).keys.map { .string($0) })
      },
      Builtin("values") { args in
        try args.expect(1)
        return .list(try args.record(0).values)
      },
    ]
  }

  /// `print`'s line: the arguments as `str` shows them, spaced, with a newline.
  static func printedLine(_ args: Arguments) throws -> String {
    var line = TextWriter()
    for i in 0..<args.count {
      if i > 0 { line.append(" ") }
      line.write(args[i], quoted: false)
    }
    return try line.finished() + "\n"
  }

  /// How many values `range(start, stop, step)` yields (0 when empty), without overflow.
  static func rangeCount(_ start: Int, _ stop: Int, _ step: Int) -> Int {
    guard step > 0 ? start < stop : start > stop else { return 0 }
    // The span is below 2^64, so it is exact as a UInt (as the step's magnitude is).
    let span = UInt(bitPattern: step > 0 ? stop &- start : start &- stop)
    let n = (span - 1) / step.magnitude + 1
    return n > UInt(Int.max) ? Int.max : Int(n)
  }

  static func toInt(_ v: Value) throws -> Int {
    switch v {
    case .int(let i): return i
    case .bool(let b): return b ? 1 : 0
    case .float(let f):
      guard f.isFinite, let i = Int(exactly: f.rounded(.towardZero)) else {
        throw BuiltinError("cannot convert \(formatFloat(f)) to Int")
      }
      return i
    case .string(let s):
      let t = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
      guard let i = Int(t) else { throw BuiltinError("invalid literal for int(): \(v.repr)") }
      return i
    default: throw BuiltinError("cannot convert \(withArticle(v.typeName)) value to Int")
    }
  }

  static func toFloat(_ v: Value) throws -> Double {
    switch v {
    case .int(let i): return Double(i)
    case .float(let f): return f
    case .bool(let b): return b ? 1 : 0
    case .string(let s):
      let t = s.trimmingCharacters(in: .whitespaces).lowercased()
      switch t {
      case "inf", "+inf", "infinity": return .infinity
      case "-inf", "-infinity": return -.infinity
      case "nan": return .nan
      default:
        guard let f = Double(t.replacingOccurrences(of: "_", with: "")) else {
          throw BuiltinError("invalid literal for float(): \(v.repr)")
        }
        return f
      }
    default: throw BuiltinError("cannot convert \(withArticle(v.typeName)) value to Float")
    }
  }

  static func contains(_ container: Value, _ item: Value, _ args: Arguments) throws -> Bool {
    switch container {
    case .list(let xs):
      for x in xs where try Compare.equal(x, item) { return true }
      return false
    case .string(let s):
      guard case .string(let sub) = item else { throw args.bad(1, "String") }
      return sub.isEmpty || s.contains(sub)
    case .record(let r):
      guard case .string(let k) = item else { throw args.bad(1, "String") }
      return r[k] != nil
    case .native(let o as MetaObject):
      // Whether an object has a field, as for records: `contains(model, "training")`.
      guard case .string(let k) = item else { throw args.bad(1, "String") }
      return o.fields[k] != nil
    default: throw args.bad(0, "List, String, Record or object")
    }
  }
}

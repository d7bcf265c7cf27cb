// Builtins over collections: enumerate zip map filter reduce sum sorted reversed
// any all min max. Functions passed in are called back through the runtime (each
// call a step); the elements a builtin walks are charged as work (Runtime.charge).

extension Builtins {
  static func collections() -> [Builtin] {
    [
      Builtin("enumerate", labels: ["start"]) { args in
        try args.expect(1)
        var i = 0
        if let s = args.named("start") {
          guard case .int(let v) = s else { throw BuiltinError("'start' to 'enumerate' must be an Int") }
          i = v
        }
        let xs = try args.elements(0)
        try args.rt.charge(xs.count)
        var out: [Value] = []
        for x in xs {
          out.append(.list([.int(i), x]))
          i &+= 1
        }
        try args.rt.nesting.check(out, deeperThan: .list(xs), by: 1)
        return .list(out)
      },
      Builtin("zip") { args in
        try args.expect(1...Int.max)
        let lists = try (0..<args.count).map { try args.elements($0) }
        let n = lists.map(\.count).min() ?? 0
        try args.rt.charge(n * lists.count)
        let out: [Value] = (0..<n).map { i in .list(lists.map { $0[i] }) }
        // As deep as a list of the input lists: one level above the deepest.
        try args.rt.nesting.check(out, deeperThan: .list(lists.map(Value.list)), by: 0)
        return .list(out)
      },
      Builtin("map") { args in
        try args.expect(2)
        let f = try args.callable(0)
        return .list(try map(f, try args.elements(1), args.rt))
      },
      Builtin("filter") { args in
        try args.expect(2)
        let f = try args.callable(0)
        return .list(try filter(f, try args.elements(1), args.rt))
      },
      Builtin("reduce") { args in
        try args.expect(2...3)
        let f = try args.callable(0)
        return try reduce(f, try args.elements(1), args.count == 3 ? args[2] : nil, args.rt)
      },
      Builtin("sum", labels: ["start"]) { args in
        try args.expect(1...2)
        var total = args.count == 2 ? args[1] : (args.named("start") ?? .int(0))
        let xs = try args.elements(0)
        try args.rt.charge(xs.count)
        for x in xs { total = try Operators.binary(.add, total, x) }
        return total
      },
      Builtin("sorted", labels: ["key", "reverse"]) { args in
        try args.expect(1)
        return .list(
          try sorted(
            try args.elements(0), key: args.named("key"), reverse: try args.named("reverse")?.truthValue() ?? false,
            args.rt))
      },
      Builtin("reversed") { args in
        try args.expect(1)
        if case .string(let s) = args[0] {
          try args.rt.charge(s.utf8.count)
          return .string(String(s.reversed()))
        }
        let xs = try args.elements(0)
        try args.rt.charge(xs.count)
        return .list(xs.reversed())
      },
      Builtin("any") { args in
        try args.expect(1)
        let xs = try args.elements(0)
        try args.rt.charge(xs.count)
        return .bool(try xs.contains { try $0.truthValue() })
      },
      Builtin("all") { args in
        try args.expect(1)
        let xs = try args.elements(0)
        try args.rt.charge(xs.count)
        return .bool(try xs.allSatisfy { try $0.truthValue() })
      },
      Builtin("min", labels: ["key"]) { args in try extreme(args, wantMax: false) },
      Builtin("max", labels: ["key"]) { args in try extreme(args, wantMax: true) },
    ]
  }

  static func map(_ f: Value, _ xs: [Value], _ rt: Runtime) throws -> [Value] {
    var out: [Value] = []
    out.reserveCapacity(xs.count)
    for x in xs { out.append(try rt.call(f, [x], at: rt.nativeCallLoc)) }
    // The results go one level down; each is as deep as the cap allows.
    try rt.nesting.check(.list(out), levels: 0)
    return out
  }

  static func filter(_ f: Value, _ xs: [Value], _ rt: Runtime) throws -> [Value] {
    try xs.filter { try rt.call(f, [$0], at: rt.nativeCallLoc).truthValue() }
  }

  static func reduce(_ f: Value, _ xs: [Value], _ initial: Value?, _ rt: Runtime) throws -> Value {
    var items = xs[...]
    guard var acc = initial ?? items.popFirst() else {
      throw BuiltinError("reduce of an empty list with no initial value")
    }
    for x in items { acc = try rt.call(f, [acc, x], at: rt.nativeCallLoc) }
    return acc
  }

  /// A stable sort (ties keep their order), optionally by `key(x)`.
  static func sorted(_ xs: [Value], key: Value?, reverse: Bool, _ rt: Runtime) throws -> [Value] {
    try rt.charge(ListMethods.sortWork(xs.count))
    let keys = try key.map { k in try xs.map { try rt.call(k, [$0], at: rt.nativeCallLoc) } } ?? xs
    var order = Array(xs.indices)
    try order.sort { i, j in
      let c: Int
      do { c = try Compare.compare(keys[i], keys[j]) } catch is Compare.Unordered { c = 0 }
      if c != 0 { return reverse ? c > 0 : c < 0 }
      return i < j
    }
    return order.map { xs[$0] }
  }

  /// `min`/`max` of a list or of several arguments.
  static func extreme(_ args: Arguments, wantMax: Bool) throws -> Value {
    try args.expect(1...Int.max)
    let items = args.count == 1 ? try args.elements(0) : Array(args.positional)
    guard !items.isEmpty else {
      throw BuiltinError("\(args.function)() of an empty list")
    }
    try args.rt.charge(items.count)
    let key = args.named("key")
    var best = items[0]
    var bestKey = try key.map { try args.rt.call($0, [best], at: args.rt.nativeCallLoc) } ?? best
    for x in items.dropFirst() {
      let k = try key.map { try args.rt.call($0, [x], at: args.rt.nativeCallLoc) } ?? x
      let c: Int
      do { c = try Compare.compare(k, bestKey) } catch is Compare.Unordered { c = 0 }
      if wantMax ? c > 0 : c < 0 { best = x; bestKey = k }
    }
    return best
  }
}

// Methods of lists, strings and records. List methods that change the list
// (`append`, `pop`, ...) take it `inout`: called on a variable they mutate it in
// place, like Swift's `mutating` methods.

import Foundation

typealias ListMethod = @Sendable ([Value], inout Arguments) throws -> Value
typealias MutatingListMethod = @Sendable (inout [Value], inout Arguments) throws -> Value
typealias StringMethod = @Sendable (String, inout Arguments) throws -> Value
typealias RecordMethod = @Sendable (Record, inout Arguments) throws -> Value

/// One type's methods by name, each with the named arguments it accepts (others
/// are an error naming the method), as `Builtin.labels` for builtins.
struct MethodTable<Body: Sendable>: Sendable {
  struct Method: Sendable {
    let body: Body
    let labels: [String]
  }
  private let methods: [String: Method]

  /// `labels` names the methods that take named arguments, and which.
  init(labels: [String: [String]] = [:], _ bodies: [String: Body]) {
    var methods: [String: Method] = [:]
    for (name, body) in bodies { methods[name] = Method(body: body, labels: labels[name] ?? []) }
    self.methods = methods
  }

  subscript(name: String) -> Method? { methods[name] }
  var keys: Dictionary<String, Method>.Keys { methods.keys }
}

enum ListMethods {
  static let mutating = MethodTable<MutatingListMethod>(labels: ["sort": ["key", "reverse"]], [
    "append": { xs, args in
      try args.expect(1)
      try Operators.checkSize(xs.count + 1, "list")
      try args.rt.nesting.check(args[0])
      xs.append(args[0])
      return .nil_
    },
    "pop": { xs, args in
      try args.expect(0...1)
      if args.count == 1 { try args.rt.charge(xs.count) }  // the tail moves down
      guard !xs.isEmpty else { throw BuiltinError("pop from an empty list") }
      let i = args.count == 1 ? try Indexing.position(try args.int(0), count: xs.count, kind: "List") : xs.count - 1
      return xs.remove(at: i)
    },
    "insert": { xs, args in
      try args.expect(2)
      let i = try args.int(0)
      // Like Python: out-of-range positions clamp to the ends.
      let p = i < 0 ? max(0, xs.count + i) : min(i, xs.count)
      try Operators.checkSize(xs.count + 1, "list")
      try args.rt.charge(xs.count - p)
      try args.rt.nesting.check(args[1])
      xs.insert(args[1], at: p)
      return .nil_
    },
    "extend": { xs, args in
      try args.expect(1)
      let more = try args.elements(0)
      try Operators.checkSize(xs.count + more.count, "list")
      try args.rt.charge(more.count)
      xs.append(contentsOf: more)
      return .nil_
    },
    "remove": { xs, args in
      try args.expect(1)
      try args.rt.charge(xs.count)
      guard let i = try firstIndex(xs, args[0]) else { throw BuiltinError("remove: value not in list") }
      xs.remove(at: i)
      return .nil_
    },
    "clear": { xs, args in
      try args.expect(0)
      xs.removeAll()
      return .nil_
    },
    "sort": { xs, args in
      try args.expect(0)
      try args.rt.charge(sortWork(xs.count))
      xs = try Builtins.sorted(
        xs, key: args.named("key"), reverse: try args.named("reverse")?.truthValue() ?? false, args.rt)
      return .nil_
    },
    "reverse": { xs, args in
      try args.expect(0)
      try args.rt.charge(xs.count)
      xs.reverse()
      return .nil_
    },
  ])

  static let table = MethodTable<ListMethod>(labels: ["sorted": ["key", "reverse"]], [
    "map": { xs, args in
      try args.expect(1)
      return .list(try Builtins.map(try args.callable(0), xs, args.rt))
    },
    "filter": { xs, args in
      try args.expect(1)
      return .list(try Builtins.filter(try args.callable(0), xs, args.rt))
    },
    "reduce": { xs, args in
      try args.expect(1...2)
      return try Builtins.reduce(try args.callable(0), xs, args.count == 2 ? args[1] : nil, args.rt)
    },
    "index": { xs, args in
      try args.expect(1)
      try args.rt.charge(xs.count)
      guard let i = try firstIndex(xs, args[0]) else { throw BuiltinError("index: value not in list") }
      return .int(i)
    },
    "count": { xs, args in
      try args.expect(1)
      try args.rt.charge(xs.count)
      return .int(try xs.reduce(0) { try Compare.equal($1, args[0]) ? $0 + 1 : $0 })
    },
    "contains": { xs, args in
      try args.expect(1)
      try args.rt.charge(xs.count)
      return .bool(try firstIndex(xs, args[0]) != nil)
    },
    "sorted": { xs, args in
      try args.expect(0)
      try args.rt.charge(sortWork(xs.count))
      return .list(
        try Builtins.sorted(xs, key: args.named("key"), reverse: try args.named("reverse")?.truthValue() ?? false, args.rt))
    },
    "reversed": { xs, args in
      try args.expect(0)
      try args.rt.charge(xs.count)
      return .list(xs.reversed())
    },
    "join": { xs, args in
      try args.expect(1)
      return .string(try StringMethods.join(try args.string(0), xs))
    },
    "copy": { xs, args in
      try args.expect(0)
      try args.rt.charge(xs.count)
      return .list(xs)
    },
  ])

  /// Comparisons a sort of `n` values makes, about.
  static func sortWork(_ n: Int) -> Int { n * (Int.bitWidth - n.leadingZeroBitCount) }

  static func firstIndex(_ xs: [Value], _ v: Value) throws -> Int? {
    for (i, x) in xs.enumerated() where try Compare.equal(x, v) { return i }
    return nil
  }
}

enum StringMethods {
  static let table = MethodTable<StringMethod>([
    "upper": { s, args in
      try args.expect(0)
      try args.rt.charge(s.utf8.count)
      return .string(s.uppercased())
    },
    "lower": { s, args in
      try args.expect(0)
      try args.rt.charge(s.utf8.count)
      return .string(s.lowercased())
    },
    "strip": { s, args in
      try args.expect(0)
      try args.rt.charge(s.utf8.count)
      return .string(s.trimmingWhitespace())
    },
    "split": { s, args in
      try args.expect(0...1)
      if args.count == 0 {
        try args.rt.charge(s.utf8.count)
        return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
      }
      let sep = try args.string(0)
      guard !sep.isEmpty else { throw BuiltinError("split: empty separator") }
      return .list(pieces(of: s, around: try args.rt.ranges(of: sep, in: s)).map { .string(String($0)) })
    },
    "join": { s, args in
      try args.expect(1)
      return .string(try join(s, try args.elements(0)))
    },
    "replace": { s, args in
      try args.expect(2)
      let old = try args.string(0), new = try args.string(1)
      guard !old.isEmpty else { throw BuiltinError("replace: empty pattern") }
      let found = try args.rt.ranges(of: old, in: s)
      try Operators.checkSize(s.utf8.count + found.count * (new.utf8.count - old.utf8.count), "string")
      return .string(pieces(of: s, around: found).joined(separator: new))
    },
    "startswith": { s, args in
      try args.expect(1)
      let prefix = try args.string(0)
      try args.rt.charge(prefix.utf8.count)
      return .bool(s.hasPrefix(prefix))
    },
    "endswith": { s, args in
      try args.expect(1)
      let suffix = try args.string(0)
      try args.rt.charge(suffix.utf8.count)
      return .bool(s.hasSuffix(suffix))
    },
    "find": { s, args in
      try args.expect(1)
      let sub = try args.string(0)
      if sub.isEmpty { return .int(0) }
      guard let r = try args.rt.firstRange(of: sub, in: s) else { return .int(-1) }
      return .int(try args.rt.characterOffset(of: r.lowerBound, in: s))
    },
    "contains": { s, args in
      try args.expect(1)
      let sub = try args.string(0)
      return .bool(try sub.isEmpty || args.rt.firstRange(of: sub, in: s) != nil)
    },
  ])

  /// The parts of `s` between the `ranges` (in order, not overlapping).
  static func pieces(of s: String, around ranges: [Range<String.Index>]) -> [Substring] {
    var out: [Substring] = []
    out.reserveCapacity(ranges.count + 1)
    var start = s.startIndex
    for r in ranges {
      out.append(s[start..<r.lowerBound])
      start = r.upperBound
    }
    out.append(s[start...])
    return out
  }

  /// `sep.join(items)`: items must be strings, and the result within
  /// `Interpreter.maxCollectionSize` bytes (checked before joining).
  static func join(_ sep: String, _ items: [Value]) throws -> String {
    var parts: [String] = []
    parts.reserveCapacity(items.count)
    let (separators, overflow) = sep.utf8.count.multipliedReportingOverflow(by: max(items.count - 1, 0))
    var bytes = overflow ? Int.max : separators
    for (i, v) in items.enumerated() {
      guard case .string(let s) = v else {
        throw BuiltinError("join: item \(i + 1) is \(withArticle(v.typeName)), not a String")
      }
      bytes = bytes > Int.max - s.utf8.count ? Int.max : bytes + s.utf8.count
      parts.append(s)
    }
    try Operators.checkSize(bytes, "string")
    return parts.joined(separator: sep)
  }
}

enum RecordMethods {
  static let table = MethodTable<RecordMethod>([
    "keys": { r, args in try args.expect(0); return .list(r.keys.map { .string($0) }) },
    "values": { r, args in try args.expect(0); return .list(r.values) },
    "items": { r, args in
      try args.expect(0)
      let out: [Value] = r.fields.map { .list([.string($0.0), $0.1]) }
      try args.rt.nesting.check(out, deeperThan: .record(r), by: 1)
      return .list(out)
    },
    "has": { r, args in try args.expect(1); return .bool(r[try args.string(0)] != nil) },
    "get": { r, args in
      try args.expect(1...2)
      return r[try args.string(0)] ?? (args.count == 2 ? args[1] : .nil_)
    },
  ])
}

extension String {
  func trimmingWhitespace() -> String {
    var sub = self[...]
    while let f = sub.first, f.isWhitespace { sub.removeFirst() }
    while let l = sub.last, l.isWhitespace { sub.removeLast() }
    return String(sub)
  }
}

// Shape ops of the spec's op set beyond the core ones: `permute`, `flip`,
// `tile`, `split`, `chunk`, `pad`, `gather`, `sort`, `argsort`, `topk`,
// `einsum`. Ops that give several tensors return a List of them.

import MetaTensor

extension TensorOps {
  static let shapingMore: [TensorOp] = [
    TensorOp("permute") { args in
      try args.expect(2...Int.max)
      return .tensor(try args.tensor(0).permute(try args.shape(from: 1)))
    },
    TensorOp("flip", labels: ["axis"]) { args in
      try args.expect(1...2)
      let axes = args.count == 2 ? try args.ints(1, what: "Int or List of Ints") : try args.axes()
      return .tensor(try args.tensor(0).flip(axes: axes))
    },
    TensorOp("tile") { args in
      try args.expect(2...Int.max)
      return .tensor(try args.tensor(0).tile(try args.shape(from: 1)))
    },
    TensorOp("split", labels: ["axis"]) { args in
      try args.expect(2)
      let t = try args.tensor(0), axis = try args.namedInt("axis") ?? 0
      if case .int(let size) = args[1] { return tensors(try t.split(size: size, axis: axis)) }
      return tensors(try t.split(sizes: try args.ints(1, what: "Int or List of Ints"), axis: axis))
    },
    TensorOp("chunk", labels: ["axis"]) { args in
      try args.expect(2)
      return tensors(try args.tensor(0).chunk(try args.int(1), axis: try args.namedInt("axis") ?? 0))
    },
    TensorOp("pad", labels: ["value"]) { args in
      try args.expect(2)
      let t = try args.tensor(0)
      return .tensor(try t.pad(try padWidths(args, rank: t.rank), value: try args.namedFloat("value") ?? 0))
    },
    TensorOp("gather") { args in
      try args.expect(3)
      return .tensor(try args.tensor(0).gather(narrowingTo: try indexTensor(args, 2), axis: try args.int(1)))
    },
    TensorOp("sort", labels: ["axis", "descending"]) { args in
      try args.expect(1)
      let r = try args.tensor(0).sort(axis: try args.namedInt("axis") ?? -1, descending: args.namedBool("descending", default: false))
      return tensors([r.values, r.indices])
    },
    TensorOp("argsort", labels: ["axis", "descending"]) { args in
      try args.expect(1)
      return .tensor(try args.tensor(0).argsort(axis: try args.namedInt("axis") ?? -1, descending: args.namedBool("descending", default: false)))
    },
    TensorOp("topk", labels: ["axis", "largest"]) { args in
      try args.expect(2)
      let r = try args.tensor(0).topk(try args.int(1), axis: try args.namedInt("axis") ?? -1,
                                      largest: args.namedBool("largest", default: true))
      return tensors([r.values, r.indices])
    },
    TensorOp("einsum", method: false) { args in
      try args.expect(2...Int.max)
      let spec = try args.string(0)
      // einsum("ij,jk", a, b) or einsum("ij,jk", [a, b]).
      if args.count == 2, case .list = args[1] { return .tensor(try MetaTensor.einsum(spec, try tensorList(args, 1))) }
      return .tensor(try MetaTensor.einsum(spec, try (1..<args.count).map { try args.tensor($0) }))
    },
  ]

  static func tensors(_ ts: [Tensor]) -> Value { .list(ts.map { .tensor($0) }) }

  /// Indices given as a tensor, or as nested Lists: int64 when every entry is
  /// an Int (exact at any size), else a float tensor whose entries must be
  /// whole numbers (so `[[0.5]]` is an error, not index 0).
  static func indexTensor(_ args: NativeArguments, _ i: Int) throws -> Tensor {
    guard case .list = args[i] else { return try args.tensor(i) }
    func onlyInts(_ v: Value) -> Bool {
      switch v {
      case .int: return true
      case .list(let xs): return xs.allSatisfy(onlyInts)
      default: return false
      }
    }
    return try TensorConvert.fromNested(args[i], function: args.function, dtype: onlyInts(args[i]) ? .int64 : nil)
  }

  /// `pad`'s widths: `n` (every axis, both sides); one `[before, after]`
  /// pair per axis, first axis first (NumPy's `pad`; a single pair covers
  /// every axis); or a flat List of Ints in PyTorch's `F.pad` order, the
  /// last axis first (`[left, right, top, bottom]`), covering the last
  /// `count / 2` axes.
  static func padWidths(_ args: NativeArguments, rank: Int) throws -> [(before: Int, after: Int)] {
    let expected = "Int, [[before, after], ...] or a flat List of Ints (last axis first)"
    func pair(_ v: Value) -> (Int, Int)? {
      if case .list(let xs) = v, xs.count == 2, case .int(let b) = xs[0], case .int(let a) = xs[1] { return (b, a) }
      return nil
    }
    switch args[1] {
    case .int(let n): return [(before: Int, after: Int)](repeating: (n, n), count: rank)
    case .list(let xs) where !xs.isEmpty && xs.allSatisfy({ if case .int = $0 { true } else { false } }):
      guard xs.count % 2 == 0, xs.count / 2 <= rank else {
        throw BuiltinError("pad: a flat List of widths needs two Ints per axis, last axis first, for at most \(rank) axes (got \(xs.count))")
      }
      var widths = [(before: Int, after: Int)](repeating: (0, 0), count: rank)
      for k in 0..<xs.count / 2 {
        guard case .int(let b) = xs[2 * k], case .int(let a) = xs[2 * k + 1] else { throw args.bad(1, expected) }
        widths[rank - 1 - k] = (b, a)
      }
      return widths
    case .list(let xs):
      let pairs = xs.compactMap(pair)
      guard pairs.count == xs.count, !pairs.isEmpty else { throw args.bad(1, expected) }
      if pairs.count == 1 && rank != 1 { return [(before: Int, after: Int)](repeating: pairs[0], count: rank) }
      return pairs.map { (before: $0.0, after: $0.1) }
    default: throw args.bad(1, expected)
    }
  }
}

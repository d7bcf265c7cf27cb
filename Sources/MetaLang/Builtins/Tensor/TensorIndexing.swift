// `t[0, 1:3, :]`, `t[:, -1]`, `t[::2]`, `t[nil]` (new axis), gathers with an
// int64 index tensor or a List of Ints (`t[idx]` picks rows, NumPy's fancy
// indexing along the first axis), and boolean masks (`t[t > 0]`), for reading
// and for assignment.

import MetaTensor

enum TensorIndexing {
  static func get(_ t: Tensor, _ items: [IndexArgument]) throws -> Tensor {
    if items.count == 1, case .single(let key) = items[0], let picks = try gatherIndices(key) {
      if picks.dtype == .bool { return try t.masked(picks) }
      guard t.rank > 0 else { throw BuiltinError("cannot gather from a 0-d tensor") }
      return try t.indexSelect(picks, axis: 0)
    }
    return try t.indexed(try basicIndices(items, rank: t.rank))
  }

  /// `t[items] = value`: through a mask, at gathered rows, or into a basic region.
  static func set(_ t: Tensor, _ items: [IndexArgument], _ value: Tensor) throws -> Tensor {
    if items.count == 1, case .single(let key) = items[0], let picks = try gatherIndices(key) {
      if picks.dtype == .bool { return try t.replacingMasked(picks, with: value) }
      return try t.replacingRows(at: picks, with: value)
    }
    return try t.replacing(try basicIndices(items, rank: t.rank), with: value)
  }

  /// The positions of a gather or a mask: a tensor, a List of Ints (int64) or
  /// of Bools (a mask); nil for a basic index.
  private static func gatherIndices(_ key: Value) throws -> Tensor? {
    switch key {
    case .native(let o as Tensor): return o
    case .list(let xs):
      if !xs.isEmpty, xs.allSatisfy({ if case .bool = $0 { return true } else { return false } }) {
        return try TensorConvert.fromNested(key, function: "index", dtype: .bool)
      }
      var positions: [Int64] = []
      for x in xs {
        guard case .int(let i) = x else {
          throw BuiltinError("Tensor index list must hold Ints or Bools (got \(withArticle(x.typeName)) value)")
        }
        positions.append(Int64(i))
      }
      return try Tensor(shape: [positions.count], elements: positions)
    default: return nil
    }
  }

  /// Subscript items as MetaTensor indices: Ints, slices and `nil` (a new axis).
  static func basicIndices(_ items: [IndexArgument], rank: Int) throws -> [TensorIndex] {
    let ellipses = items.filter { if case .ellipsis = $0 { return true } else { return false } }.count
    guard ellipses <= 1 else { throw BuiltinError("an index can only have a single ellipsis ('...')") }
    // `...` stands for as many whole axes as the other items leave (nil adds an axis, consuming none).
    let consuming = items.filter { item in
      switch item {
      case .ellipsis, .single(.nil_): return false
      default: return true
      }
    }.count
    return try items.flatMap { item -> [TensorIndex] in
      switch item {
      case .ellipsis: return [TensorIndex](repeating: .all, count: Swift.max(0, rank - consuming))
      default: return [try basicIndex(item)]
      }
    }
  }

  private static func basicIndex(_ item: IndexArgument) throws -> TensorIndex {
      switch item {
      case .ellipsis: return .all
      case .slice(let start, let stop, let step):
        if step == 0 { throw BuiltinError("slice step cannot be zero") }
        if start == nil && stop == nil && step == nil { return .all }
        return .slice(start: start, stop: stop, step: step)
      case .single(.int(let i)): return .index(i)
      case .single(.nil_): return .newAxis
      case .single(let v):
        if v.tensor != nil || { if case .list = v { return true } else { return false } }() {
          throw BuiltinError("an index tensor must be the only index (t[idx])")
        }
        throw BuiltinError("Tensor index must be an Int, a slice, nil, '...' or an index tensor (got \(v.typeName))")
      }
  }
}

// all_reduce, broadcast and barrier over a Communicator: each a layout check
// (one small all-reduce, so ranks passing different trees get an error naming
// the difference instead of a hang or garbage) and then one call for the data.

import MetaTensor

struct Collectives {
  let comm: any Communicator
  /// The builtin's name, for messages.
  let function: String

  enum Reduction: String, CaseIterable {
    case sum, mean, max, min
  }

  /// Every rank's `tree` combined leaf by leaf; tensors keep their dtype, Int numbers stay
  /// Int except under "mean". The result is a constant (no gradient flows through the call).
  func allReduce(_ tree: Value, _ how: Reduction) throws -> Value {
    let t = try CollectiveTree(tree, function: function)
    try agree(t, call: "all_reduce(op: \"\(how.rawValue)\")")
    if t.leaves.isEmpty { return tree }
    let op: CollectiveOp = switch how {
    case .sum, .mean: .sum
    case .max: .max
    case .min: .min
    }
    try Self.checkReducible(t, how, function)
    let floats32 = t.leaves.allSatisfy { $0.tensor?.dtype == .float32 }
    let total = t.leaves.reduce(0) { $0 + $1.count }
    if floats32 {
      var buffer = [Float](); buffer.reserveCapacity(total)
      for leaf in t.leaves { buffer += leaf.value.tensor?.scalars ?? [] }
      try send(&buffer) { try comm.allReduce($0, count: total, type: .float32, op: op) }
      if how == .mean { let n = Float(comm.size); for i in buffer.indices { buffer[i] /= n } }
      var at = 0
      return try t.rebuilt(t.leaves.map { leaf in
        defer { at += leaf.count }
        guard case .tensor(_, let shape) = leaf.kind else { throw BuiltinError("internal: \(function): a float32 leaf that is not a tensor") }
        return .tensor(try Tensor(shape: shape, scalars: Array(buffer[at..<at + leaf.count])))
      })
    }
    // Mixed dtypes or numbers: one float64 buffer (exact for float32 and for integers below 2^53).
    var buffer = [Double](); buffer.reserveCapacity(total)
    for leaf in t.leaves {
      switch (leaf.value, leaf.tensor) {
      case (.int(let i), _): buffer.append(try exactDouble(Int64(i), leaf.path))
      case (.float(let x), _): buffer.append(x)
      case (_, let x?) where x.dtype == .int64: for i in x.elements(as: Int64.self) { buffer.append(try exactDouble(i, leaf.path)) }
      case (_, let x?): buffer += x.elements(as: Double.self)
      default: break
      }
    }
    try send(&buffer) { try comm.allReduce($0, count: total, type: .float64, op: op) }
    if how == .mean { let n = Double(comm.size); for i in buffer.indices { buffer[i] /= n } }
    var at = 0
    return try t.rebuilt(t.leaves.map { leaf in
      defer { at += leaf.count }
      let part = buffer[at..<at + leaf.count]
      switch leaf.kind {
      case .int where how != .mean: return .int(Int(try exactInt(part[part.startIndex], leaf.path)))
      case .int, .float: return .float(part[part.startIndex])
      case .tensor(let d, let shape):
        switch d {
        case .float32: return .tensor(try Tensor(shape: shape, scalars: part.map { Float($0) }))
        case .float64: return .tensor(try Tensor(shape: shape, elements: Array(part)))
        default: return .tensor(try Tensor(shape: shape, elements: try part.map { try exactInt($0, leaf.path) }))
        }
      }
    })
  }

  /// `root`'s tree on every rank (the trees must be laid out alike: same paths, dtypes and shapes).
  func broadcast(_ tree: Value, root: Int) throws -> Value {
    let t = try CollectiveTree(tree, function: function)
    try agree(t, call: "broadcast(root: \(root))")
    if t.leaves.isEmpty { return tree }
    var bytes: [UInt8] = []
    for leaf in t.leaves {
      switch (leaf.value, leaf.tensor) {
      case (.int(let i), _): append(&bytes, [Int64(i)])
      case (.float(let x), _): append(&bytes, [x])
      case (_, let x?):
        switch x.dtype {
        case .float32: append(&bytes, x.scalars)
        case .float64: append(&bytes, x.elements(as: Double.self))
        case .int64: append(&bytes, x.elements(as: Int64.self))
        case .bool: append(&bytes, x.elements(as: Bool.self))
        }
      default: break
      }
    }
    let count = bytes.count
    try send(&bytes) { try comm.broadcast($0, count: count, type: .byte, root: root) }
    var at = 0
    return try t.rebuilt(t.leaves.map { leaf in
      switch leaf.kind {
      case .int: return .int(Int(read(bytes, &at, 1, as: Int64.self)[0]))
      case .float: return .float(read(bytes, &at, 1, as: Double.self)[0])
      case .tensor(let d, let shape):
        let n = leaf.count
        switch d {
        case .float32: return .tensor(try Tensor(shape: shape, scalars: read(bytes, &at, n, as: Float.self)))
        case .float64: return .tensor(try Tensor(shape: shape, elements: read(bytes, &at, n, as: Double.self)))
        case .int64: return .tensor(try Tensor(shape: shape, elements: read(bytes, &at, n, as: Int64.self)))
        case .bool: return .tensor(try Tensor(shape: shape, elements: read(bytes, &at, n, as: Bool.self)))
        }
      }
    })
  }

  /// Leaves all_reduce cannot combine: bool tensors, and int64 tensors under "mean".
  static func checkReducible(_ t: CollectiveTree, _ how: Reduction, _ function: String) throws {
    for leaf in t.leaves {
      if case .tensor(let d, _) = leaf.kind, d == .bool {
        throw BuiltinError("\(function): a bool tensor at \(leaf.path) cannot be reduced; convert it with astype(\"int64\")")
      }
      if how == .mean, case .tensor(let d, _) = leaf.kind, d == .int64 {
        throw BuiltinError("\(function): op \"mean\" needs float tensors, but \(leaf.path) is int64; reduce with \"sum\" or convert it with astype(\"float32\")")
      }
    }
  }

  // MARK: Agreement

  /// Returns when every rank passed a tree laid out like this one to the same call;
  /// otherwise throws on every rank, naming the first difference from rank 0's tree.
  func agree(_ t: CollectiveTree, call: String) throws {
    let lines = t.layout(call: call)
    let h = layoutFingerprint(lines)
    // max(h) and max(~h) = ~min(h) meet only when every rank has the same h.
    var check: [Int64] = [h, ~h]
    try send(&check) { try comm.allReduce($0, count: 2, type: .int64, op: .max) }
    if check[0] == ~check[1] { return }
    // Rare path: rank 0's layout to everyone, so each rank can say how it differs.
    let mine = Array(lines.joined(separator: "\n").utf8)
    var length: [Int64] = [Int64(mine.count)]
    try send(&length) { try comm.broadcast($0, count: 1, type: .int64, root: 0) }
    var text = comm.rank == 0 ? mine : [UInt8](repeating: 0, count: Int(length[0]))
    let n = text.count
    if n > 0 { try send(&text) { try comm.broadcast($0, count: n, type: .byte, root: 0) } }
    let theirs = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    throw BuiltinError(mismatchMessage(mine: lines, rank0: theirs))
  }

  private func mismatchMessage(mine: [String], rank0: [String]) -> String {
    let me = "rank \(comm.rank)"
    let head = "\(function): the ranks passed different trees, so the call cannot combine them"
    if comm.rank == 0 || mine == rank0 {
      return "\(head): another rank's tree differs from rank 0's (its error names the difference); every rank must pass the same layout (paths, dtypes, shapes)"
    }
    if mine[0] != rank0[0] { return "\(head): rank 0 called \(rank0[0]) where \(me) called \(mine[0])" }
    for i in 1..<max(mine.count, rank0.count) {
      let a = i < rank0.count ? rank0[i] : nil, b = i < mine.count ? mine[i] : nil
      if a == b { continue }
      switch (a, b) {
      case (let a?, let b?): return "\(head): rank 0 has \(a) where \(me) has \(b)"
      case (let a?, nil): return "\(head): rank 0 has \(a), which \(me)'s tree lacks (\(rank0.count - 1) leaves against \(mine.count - 1))"
      case (nil, let b?): return "\(head): \(me) has \(b), which rank 0's tree lacks (\(mine.count - 1) leaves against \(rank0.count - 1))"
      default: break
      }
    }
    return head
  }

  // MARK: Buffers

  /// `body` on the (non-empty) array's storage.
  private func send<T>(_ array: inout [T], _ body: (UnsafeMutableRawPointer) throws -> Void) throws {
    try array.withUnsafeMutableBytes { raw in
      guard let base = raw.baseAddress else { throw BuiltinError("internal: \(function): an empty message buffer") }
      try body(base)
    }
  }

  private func exactDouble(_ i: Int64, _ path: String) throws -> Double {
    guard i.magnitude <= 1 << 53 else {
      throw BuiltinError("\(function): \(i) at \(path.isEmpty ? "the value" : path) is too large to combine exactly (beyond 2^53)")
    }
    return Double(i)
  }

  private func exactInt(_ x: Double, _ path: String) throws -> Int64 {
    guard let i = Int64(exactly: x), i.magnitude <= 1 << 53 else {
      throw BuiltinError("\(function): the combined value at \(path.isEmpty ? "the value" : path) is beyond 2^53, too large for an exact integer")
    }
    return i
  }

  private func append<T>(_ bytes: inout [UInt8], _ values: [T]) {
    values.withUnsafeBytes { bytes += $0 }
  }

  private func read<T: TensorElement>(_ bytes: [UInt8], _ at: inout Int, _ n: Int, as _: T.Type) -> [T] {
    let size = MemoryLayout<T>.stride
    defer { at += n * size }
    return [T](unsafeUninitializedCapacity: n) { buffer, done in
      bytes.withUnsafeBytes { src in
        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[at..<at + n * size]))
      }
      done = n
    }
  }
}

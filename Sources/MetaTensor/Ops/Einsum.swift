/// Einstein summation over any number of operands, built from differentiable
/// views (permute, reshape, diagonal), sums and batched matmul, so gradients
/// of any order come from those ops' own rules.
///
/// `spec` names each operand's axes with letters, comma-separated, and the
/// output's after `->` (`"ij,jk->ik"`). Without `->` the output is every
/// letter used exactly once, in alphabetical order (NumPy's rule). A letter
/// repeated within one operand takes the diagonal (`"ii->i"`, `"ii"` the
/// trace). Letters shared by operands must have equal extents (no
/// broadcasting); `...` is not supported.
public func einsum(_ spec: String, _ operands: [Tensor]) throws -> Tensor {
  let parsed = try EinsumSpec(spec, operands: operands)
  var terms: [(tensor: Tensor, letters: [Character])] = []
  for (k, t) in operands.enumerated() {
    var term = try parsed.diagonal(t, parsed.inputs[k])
    // Letters no other operand or the output uses are summed away first.
    let others = parsed.output + parsed.inputs.enumerated().filter { $0.offset != k }.flatMap { $0.element }
    term = try sumAway(term, keeping: Set(others))
    terms.append(term)
  }
  var current = terms[0]
  for k in 1..<Swift.max(terms.count, 1) {
    let later = Set(parsed.output + parsed.inputs[(k + 1)...].flatMap { $0 })
    current = try contract(current, terms[k], keeping: later)
  }
  current = try sumAway(current, keeping: Set(parsed.output))
  let order = try parsed.output.map { letter in
    guard let i = current.letters.firstIndex(of: letter) else {
      throw TensorError("einsum: output subscript '\(letter)' was lost (internal error)")
    }
    return i
  }
  return try current.tensor.permute(order)
}

/// A validated subscript string.
private struct EinsumSpec {
  var inputs: [[Character]]
  var output: [Character]

  init(_ spec: String, operands: [Tensor]) throws {
    let text = spec.filter { !$0.isWhitespace }
    if text.contains(".") {
      throw TensorError("einsum: '...' (ellipsis) is not supported; name every axis with a letter")
    }
    let sides = text.components(separatedBy: "->")
    guard sides.count <= 2 else { throw TensorError("einsum: '->' appears more than once in \"\(spec)\"") }
    inputs = sides[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0) }
    guard inputs.count == operands.count else {
      throw TensorError("einsum: \"\(spec)\" has \(inputs.count) operand(s) but \(operands.count) tensor(s) were given")
    }
    var sizes: [Character: (size: Int, operand: Int)] = [:]
    var uses: [Character: Int] = [:]
    for (k, letters) in inputs.enumerated() {
      guard letters.count == operands[k].rank else {
        throw TensorError("einsum: operand \(k + 1) has \(operands[k].rank) axes but its subscripts \"\(String(letters))\" name \(letters.count)")
      }
      for (axis, c) in letters.enumerated() {
        guard c.isASCII && c.isLetter else { throw TensorError("einsum: '\(c)' is not a subscript letter (a-z, A-Z)") }
        let n = operands[k].shape[axis]
        if let seen = sizes[c], seen.size != n {
          throw TensorError("einsum: subscript '\(c)' has size \(seen.size) in operand \(seen.operand + 1) but \(n) in operand \(k + 1)")
        }
        sizes[c] = (n, k)
        uses[c, default: 0] += 1
      }
    }
    if sides.count == 2 {
      output = Array(sides[1])
      for (i, c) in output.enumerated() {
        guard c.isASCII && c.isLetter else { throw TensorError("einsum: '\(c)' is not a subscript letter (a-z, A-Z)") }
        guard uses[c] != nil else { throw TensorError("einsum: output subscript '\(c)' does not appear in the inputs") }
        guard !output[..<i].contains(c) else { throw TensorError("einsum: output subscript '\(c)' is repeated") }
      }
    } else {
      output = uses.filter { $0.value == 1 }.map { $0.key }.sorted()
    }
  }

  /// `t` with repeated letters of `letters` merged into their diagonal.
  func diagonal(_ t: Tensor, _ letters: [Character]) throws -> (tensor: Tensor, letters: [Character]) {
    var unique: [Character] = []
    var groups: [[Int]] = []
    for (axis, c) in letters.enumerated() {
      if let i = unique.firstIndex(of: c) { groups[i].append(axis) } else { unique.append(c); groups.append([axis]) }
    }
    if unique.count == letters.count { return (t, letters) }
    return (try t.diagonal(groups), unique)
  }
}

/// Sums the axes whose letters are not in `keeping`.
private func sumAway(_ term: (tensor: Tensor, letters: [Character]), keeping: Set<Character>) throws
  -> (tensor: Tensor, letters: [Character]) {
  let drop = term.letters.indices.filter { !keeping.contains(term.letters[$0]) }
  if drop.isEmpty { return term }
  return (try term.tensor.sum(axes: drop), term.letters.enumerated().filter { !drop.contains($0.offset) }.map { $0.element })
}

/// Two terms multiplied and summed over the letters they share that
/// `keeping` does not need: a batched matmul [batch, M, K] @ [batch, K, N].
private func contract(_ a: (tensor: Tensor, letters: [Character]), _ b: (tensor: Tensor, letters: [Character]),
                      keeping: Set<Character>) throws -> (tensor: Tensor, letters: [Character]) {
  let shared = a.letters.filter { b.letters.contains($0) }
  let batch = shared.filter { keeping.contains($0) }
  let summed = shared.filter { !keeping.contains($0) }
  let aOnly = a.letters.filter { !shared.contains($0) }
  let bOnly = b.letters.filter { !shared.contains($0) }
  func size(_ c: Character) -> Int {
    if let i = a.letters.firstIndex(of: c) { return a.tensor.shape[i] }
    return b.letters.firstIndex(of: c).map { b.tensor.shape[$0] } ?? 1
  }
  func product(_ letters: [Character]) -> Int { letters.reduce(1) { $0 * size($1) } }
  let (nb, m, k, n) = (product(batch), product(aOnly), product(summed), product(bOnly))
  func axes(_ letters: [Character], in term: [Character]) -> [Int] {
    letters.map { c in term.firstIndex(of: c) ?? -1 }  // always found: the letters come from `term`
  }
  let left = try a.tensor.permute(axes(batch + aOnly + summed, in: a.letters))
  let right = try b.tensor.permute(axes(batch + summed + bOnly, in: b.letters))
  let result: Tensor
  if k == 1 {
    // No summation: a broadcast product (an outer product per batch entry).
    result = try left.reshape([nb, m, 1]) * right.reshape([nb, 1, n])
  } else if m == 1 && n == 1 {
    // Dot products per batch entry: multiply and sum, not nb tiny matmuls.
    result = try (left.reshape([nb, k]) * right.reshape([nb, k])).sum(axes: [1])
  } else {
    result = try left.reshape([nb, m, k]).matmul(right.reshape([nb, k, n]))
  }
  let letters = batch + aOnly + bOnly
  return (try result.reshape(letters.map(size)), letters)
}

extension Tensor {
  /// A view of the diagonal over each group of axes (of equal extents): the
  /// group becomes one axis stepping through all of them at once. Differentiable.
  func diagonal(_ groups: [[Int]]) throws -> Tensor {
    for g in groups where g.contains(where: { shape[$0] != shape[g[0]] }) {
      throw TensorError("einsum: a repeated subscript names axes of sizes \(g.map { shape[$0] }) (they must be equal)")
    }
    let inputShape = shape
    return view(groups.map { shape[$0[0]] }, groups.map { $0.reduce(0) { $0 + strides[$1] } }, op: "diagonal",
                backward: { c in [try c.grad.diagonalScatter(groups, into: inputShape)] })
  }

  /// Zeros of `target` with this tensor written along the diagonal `groups`
  /// (the backward of `diagonal`, whose own backward is `diagonal`).
  func diagonalScatter(_ groups: [[Int]], into target: [Int]) throws -> Tensor {
    let node = GradNode.record("diagonal_backward", self, { c in [try c.grad.diagonal(groups)] })
    @inline(__always) func scatter<T: TensorElement>(_: T.Type) throws -> Tensor {
      try Tensor.make(target, of: T.self, node: node) { out in
        guard let dst = out.baseAddress else { return }
        out.initialize(repeating: T.zero)
        let dense = contiguousStrides(target)
        stridedAssign(shape: shape, from: UnsafePointer(pointer(T.self)), strides: strides,
                      to: dst, strides: groups.map { $0.reduce(0) { $0 + dense[$1] } })
      }
    }
    switch dtype {
    case .float32: return try scatter(Float.self)
    case .float64: return try scatter(Double.self)
    case .int64: return try scatter(Int64.self)
    case .bool: return try scatter(Bool.self)
    }
  }
}

/// The reductions of `prod`, `variance`, `std` and `norm` over runs of
/// elements: one contiguous run at a time (the vector kernels of
/// `OpKernels`), or side-by-side runs laid out as the columns of a row-major
/// block (reducing a leading or middle axis in place, without a transposed copy).
enum RunReduction {
  case product
  case variance(ddof: Int)
  case std(ddof: Int)
  case norm2
  case maxAbs

  /// The value of the `n` contiguous elements at `p`.
  func fold(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    switch self {
    case .product: OpKernels.product(p, n)
    case .variance(let ddof): Float(OpKernels.squaredDeviations(p, n) / Double(Swift.max(n - ddof, 0)))
    case .std(let ddof): Float((OpKernels.squaredDeviations(p, n) / Double(Swift.max(n - ddof, 0))).squareRoot())
    case .norm2: Float(OpKernels.sumOfSquares(p, n).squareRoot())
    case .maxAbs: OpKernels.maxAbs(p, n)
    }
  }

  /// The values of the `columns` runs of a `rows x columns` row-major block
  /// at `p` (run j is column j) into `out[0..<columns]`.
  func foldColumns(_ p: UnsafePointer<Float>, rows m: Int, columns k: Int, into out: UnsafeMutablePointer<Float>) {
    switch self {
    case .product: OpKernels.columnProducts(p, rows: m, cols: k, into: out)
    case .maxAbs: OpKernels.columnMaxAbs(p, rows: m, cols: k, into: out)
    case .norm2:
      let sums = columnSums(p, rows: m, columns: k, center: nil)
      for j in 0..<k { out[j] = Float(sums[j].squareRoot()) }
    case .variance(let ddof), .std(let ddof):
      let totals = columnSums(p, rows: m, columns: k, center: nil, square: false)
      let means = totals.map { Float($0 / Double(m)) }
      let deviations = columnSums(p, rows: m, columns: k, center: means)
      let divisor = Double(Swift.max(m - ddof, 0))
      let root: Bool
      if case .std = self { root = true } else { root = false }
      for j in 0..<k {
        let v = deviations[j] / divisor
        out[j] = Float(root ? v.squareRoot() : v)
      }
    }
  }
}

/// Per column, the sum of `(x - center[j])²` (of `x` itself when not `square`,
/// of `x²` without a center): float sums over blocks of 256 rows (the vector
/// kernel), added in Double.
private func columnSums(_ p: UnsafePointer<Float>, rows m: Int, columns k: Int, center: [Float]?,
                        square: Bool = true) -> [Double] {
  var totals = [Double](repeating: 0, count: k)
  var block = [Float](repeating: 0, count: k)
  totals.withUnsafeMutableBufferPointer { total in
    block.withUnsafeMutableBufferPointer { acc in
      guard let accumulator = acc.baseAddress else { return }
      func run(_ c: UnsafePointer<Float>?) {
        for start in stride(from: 0, to: m, by: 256) {
          acc.update(repeating: 0)
          OpKernels.accumulateColumns(p + start &* k, rows: Swift.min(256, m - start), cols: k, center: c,
                                      square: square, into: accumulator)
          for j in 0..<k { total[j] += Double(acc[j]) }
        }
      }
      if let center { center.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }
  }
  return totals
}

extension Tensor {
  /// `reduction` of each run of elements over `axes`, as a tensor of the kept
  /// shape (no graph). Contiguous tensors whose reduced axes are adjacent are
  /// read in place; otherwise the reduced axes are moved last and copied.
  func reduceRuns(_ axes: [Int], _ reduction: RunReduction) throws -> Tensor {
    let outShape = runShape(axes)
    let m = axes.reduce(1) { $0 * shape[$1] }
    if dtype != .float32 { return try reduceRunsWide(axes, reduction, into: outShape, runLength: m) }
    if isContiguous, let first = axes.first, axes == Array(first..<first + axes.count) {
      let outer = shape[..<first].reduce(1, *), inner = shape[(first + axes.count)...].reduce(1, *)
      let base = UnsafePointer(storage.base + offset)
      return try Tensor.make(outShape) { out in
        guard let dst = out.baseAddress else { return }
        for o in 0..<outer {
          if inner == 1 {
            dst[o] = reduction.fold(base + o &* m, m)
          } else {
            reduction.foldColumns(base + o &* m &* inner, rows: m, columns: inner, into: dst + o &* inner)
          }
        }
      }
    }
    let keptAxes = (0..<rank).filter { !axes.contains($0) }
    let moved = try detached().permute(keptAxes + axes)
    let source = moved.isContiguous ? moved : try moved.contiguousCopy()
    return try Tensor.make(outShape) { out in
      let base = UnsafePointer(source.storage.base + source.offset)
      for r in 0..<out.count { out[r] = reduction.fold(base + r &* m, m) }
    }
  }

  /// `reduceRuns` for float64 (in double) and, for products, int64 (wrapping):
  /// the reduced axes moved last and copied, then folded run by run.
  private func reduceRunsWide(_ axes: [Int], _ reduction: RunReduction, into outShape: [Int],
                              runLength m: Int) throws -> Tensor {
    let keptAxes = (0..<rank).filter { !axes.contains($0) }
    let moved = try detached().permute(keptAxes + axes)
    let source = moved.isContiguous ? moved : try moved.contiguousCopy()
    switch (dtype, reduction) {
    case (.int64, .product):
      let p = UnsafePointer(source.pointer(Int64.self))
      return try Tensor.make(outShape, of: Int64.self) { out in
        for r in 0..<out.count {
          var acc: Int64 = 1
          for i in 0..<m { acc &*= p[r &* m &+ i] }
          out[r] = acc
        }
      }
    case (.float64, _):
      let p = UnsafePointer(source.pointer(Double.self))
      return try Tensor.make(outShape, of: Double.self) { out in
        for r in 0..<out.count { out[r] = reduction.foldDouble(p + r &* m, m) }
      }
    default:
      throw TensorError.unsupported(dtype, op: reduction.name)
    }
  }
}

extension RunReduction {
  /// The language op, for errors.
  var name: String {
    switch self {
    case .product: "prod"
    case .variance: "var"
    case .std: "std"
    case .norm2, .maxAbs: "norm"
    }
  }
}

extension RunReduction {
  /// The value of `n` contiguous doubles (sums in plain double: enough for float64 inputs).
  func foldDouble(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
    func squaredDeviations() -> Double {
      guard n > 0 else { return .nan }
      var total = 0.0
      for i in 0..<n { total += p[i] }
      let mean = total / Double(n)
      var squares = 0.0
      for i in 0..<n { squares += (p[i] - mean) * (p[i] - mean) }
      return squares
    }
    switch self {
    case .product:
      var acc = 1.0
      for i in 0..<n { acc *= p[i] }
      return acc
    case .variance(let ddof): return squaredDeviations() / Double(Swift.max(n - ddof, 0))
    case .std(let ddof): return (squaredDeviations() / Double(Swift.max(n - ddof, 0))).squareRoot()
    case .norm2:
      var squares = 0.0
      for i in 0..<n { squares += p[i] * p[i] }
      return squares.squareRoot()
    case .maxAbs:
      var best = 0.0
      for i in 0..<n {
        let v = Swift.abs(p[i])
        if v > best || v.isNaN { best = v }
        if best.isNaN { break }
      }
      return best
    }
  }
}

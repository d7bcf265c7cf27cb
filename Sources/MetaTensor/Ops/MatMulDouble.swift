/// Matrix products of float64 tensors: plain loops, for gradient checks in
/// double precision (sgemm serves float32, the training dtype).
extension Tensor {
  /// `x @ y` for float64 operands of rank >= 2 with broadcast batch axes.
  static func doubleProduct(_ x: Tensor, _ y: Tensor, node: GradNode?) throws -> Tensor {
    let batch = try broadcastShapes(Array(x.shape.dropLast(2)), Array(y.shape.dropLast(2)), op: "matmul")
    let m = x.shape[x.rank - 2], k = x.shape[x.rank - 1], n = y.shape[y.rank - 1]
    let outShape = batch + [m, n]
    _ = try checkedCount(outShape, op: "matmul")
    let a = try x.expand(batch + [m, k]).contiguousCopy(), b = try y.expand(batch + [k, n]).contiguousCopy()
    let pa = a.pointer(Double.self), pb = b.pointer(Double.self)
    return try Tensor.make(outShape, of: Double.self, node: node) { out in
      out.initialize(repeating: 0)
      guard let pc = out.baseAddress else { return }
      for t in 0..<batch.reduce(1, *) {
        let (ta, tb, tc) = (pa + t * m * k, pb + t * k * n, pc + t * m * n)
        for i in 0..<m {
          for p in 0..<k {
            let v = ta[i * k + p]
            for j in 0..<n { tc[i * n + j] += v * tb[p * n + j] }
          }
        }
      }
    }
  }
}

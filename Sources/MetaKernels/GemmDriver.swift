// The packed path: BLIS-style loop nest around the micro-kernel, and the
// split of C into independent slabs for threads.

/// One validated `sgemm` problem; sub-problems are views with shifted pointers.
struct GemmOperands {
  var transA: Bool
  var transB: Bool
  var m: Int
  var n: Int
  var k: Int
  var alpha: Float
  var a: UnsafePointer<Float>
  var lda: Int
  var b: UnsafePointer<Float>
  var ldb: Int
  var beta: Float
  var c: UnsafeMutablePointer<Float>
  var ldc: Int

  /// Pointer to op(A)(i, p).
  func aAt(_ i: Int, _ p: Int) -> UnsafePointer<Float> {
    transA ? a + p * lda + i : a + i * lda + p
  }

  /// Pointer to op(B)(p, j).
  func bAt(_ p: Int, _ j: Int) -> UnsafePointer<Float> {
    transB ? b + j * ldb + p : b + p * ldb + j
  }

  /// The rows `r` of C (and of op(A)).
  func rows(_ r: Range<Int>) -> GemmOperands {
    var s = self
    s.a = aAt(r.lowerBound, 0)
    s.c = c + r.lowerBound * ldc
    s.m = r.count
    return s
  }

  /// The columns `r` of C (and of op(B)).
  func columns(_ r: Range<Int>) -> GemmOperands {
    var s = self
    s.b = bAt(0, r.lowerBound)
    s.c = c + r.lowerBound
    s.n = r.count
    return s
  }
}

/// Multiply-adds a thread must get before another thread is woken: ~20 µs of
/// work at 50 GFLOP/s, several times the 2–4 µs a `parallelFor` hand-off costs
/// (meta-bench, bench/RESULTS.md).
let minFMAsPerThread = 1 << 20

func gemmPacked(_ g: GemmOperands, kernels: GemmKernels, threads: Int) {
  let fmas = Double(g.m) * Double(g.n) * Double(g.k)
  let byWork = Int(min(fmas / Double(minFMAsPerThread), Double(ThreadPool.threadCap)))
  var t = max(1, min(threads, ThreadPool.maxThreads, byWork))
  // Split the longer side of C into slabs of whole register tiles; each slab
  // is an independent product (own packed A and B), so threads never sync.
  let splitColumns = g.n >= g.m
  let unit = splitColumns ? kernels.nr : kernels.mr
  let extent = splitColumns ? g.n : g.m
  let units = (extent + unit - 1) / unit
  t = min(t, units)
  if t <= 1 {
    runBlocked(g, kernels: kernels)
    return
  }
  ThreadPool.shared.parallelFor(count: t, threads: t) { part in
    // Part `part` gets units [lo, hi): an even share, the remainder spread over the first parts.
    let lo = part * (units / t) + min(part, units % t)
    let hi = lo + units / t + (part < units % t ? 1 : 0)
    let range = (lo * unit)..<min(hi * unit, extent)
    runBlocked(splitColumns ? g.columns(range) : g.rows(range), kernels: kernels)
  }
}

private func runBlocked(_ g: GemmOperands, kernels: GemmKernels) {
  let pool = GemmWorkspacePool.shared
  let ws = pool.take()
  blocked(g, kernels: kernels, workspace: ws)
  pool.give(ws)
}

/// The five loops around the micro-kernel (jc, pc, ic, jr, ir), single-threaded.
private func blocked(_ g: GemmOperands, kernels K: GemmKernels, workspace: GemmWorkspace) {
  let mr = K.mr, nr = K.nr
  // Even k blocks (e.g. 300 -> 150 + 150 rather than 256 + 44) keep every
  // block long enough to amortise the C tile update.
  let kBlocks = (g.k + K.kc - 1) / K.kc
  let kc = (g.k + kBlocks - 1) / kBlocks
  let nc = min(K.nc, roundUp(g.n, nr))
  let mc = min(K.mc, roundUp(g.m, mr))
  // B first: its size is a multiple of nr floats, so A's start stays 64-byte aligned.
  let bufB = workspace.floats(kc * nc + mc * kc)
  let bufA = bufB + kc * nc
  let micro = K.micro
  let ldc = Int64(g.ldc)

  var jc = 0
  while jc < g.n {
    let ncur = min(nc, g.n - jc)
    var pc = 0
    while pc < g.k {
      let kcur = min(kc, g.k - pc)
      let kc64 = Int64(kcur)
      packB(trans: g.transB, b: g.bAt(pc, jc), ldb: g.ldb, kc: kcur, nc: ncur, nr: nr, into: bufB)
      // Later k blocks accumulate onto what the first one wrote.
      let beta: Float = pc == 0 ? g.beta : 1
      var ic = 0
      while ic < g.m {
        let mcur = min(mc, g.m - ic)
        packA(trans: g.transA, a: g.aAt(ic, pc), lda: g.lda, mc: mcur, kc: kcur, mr: mr, into: bufA)
        var jr = 0
        while jr < ncur {
          let nrCur = Int64(min(nr, ncur - jr))
          let bPanel = UnsafePointer(bufB + jr * kcur)
          var ir = 0
          while ir < mcur {
            micro(
              kc64, UnsafePointer(bufA + ir * kcur), bPanel, g.c + (ic + ir) * g.ldc + jc + jr,
              ldc, g.alpha, beta, Int64(min(mr, mcur - ir)), nrCur)
            ir += mr
          }
          jr += nr
        }
        ic += mc
      }
      pc += kcur
    }
    jc += ncur
  }
}

@inline(__always)
func roundUp(_ x: Int, _ unit: Int) -> Int { (x + unit - 1) / unit * unit }

// meta-bench: float32 matmul GFLOP/s of MetaKernels.sgemm for square n on 1
// and 2 threads, the per-call cost of small products, and the thread pool's
// dispatch overhead. Timing matches bench/matmul_numpy.py: one warm-up call,
// then calls per sample doubled until a sample takes >= --min-time seconds,
// then --reps samples; median and best per-call time are reported.
//
//   swift run -c release meta-bench [--threads 1,2] [--sizes 64,128,...]
//                                   [--reps 7] [--min-time 0.2] [--json] [--cpu-time]
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MetaKernels

struct Options {
  var threads = [1, 2]
  var sizes = [64, 128, 256, 512, 1024, 2048]
  var reps = 7
  var minTime = 0.2
  var json = false
  var small = true
  /// Time with this process's CPU clock instead of the wall clock: on a machine
  /// shared with other jobs this excludes time the benchmark was descheduled.
  /// Only meaningful for 1 thread (with more, CPU time adds up across threads).
  var cpuTime = false
}

func parseOptions() -> Options? {
  var o = Options()
  var args = CommandLine.arguments.dropFirst()
  func ints(_ s: String?) -> [Int]? {
    guard let s else { return nil }
    let v = s.split(separator: ",").compactMap { Int($0) }
    return v.isEmpty || v.contains(where: { $0 <= 0 }) ? nil : v
  }
  while let flag = args.popFirst() {
    switch flag {
    case "--threads": guard let v = ints(args.popFirst()) else { return nil }; o.threads = v
    case "--sizes": guard let v = ints(args.popFirst()) else { return nil }; o.sizes = v
    case "--reps": guard let v = ints(args.popFirst())?.first else { return nil }; o.reps = v
    case "--min-time":
      guard let s = args.popFirst(), let v = Double(s), v > 0 else { return nil }
      o.minTime = v
    case "--json": o.json = true
    case "--no-small": o.small = false
    case "--cpu-time": o.cpuTime = true
    default: return nil
    }
  }
  return o
}

func now(_ clock: clockid_t) -> Double {
  var ts = timespec()
  clock_gettime(clock, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Per-call seconds of `body`: (median, best) over `reps` calibrated samples.
func measure(
  reps: Int, minTime: Double, clock: clockid_t, _ body: () -> Void
) -> (median: Double, best: Double) {
  body()
  var calls = 1
  while true {
    let t0 = now(clock)
    for _ in 0..<calls { body() }
    if now(clock) - t0 >= minTime { break }
    calls *= 2
  }
  var samples: [Double] = []
  for _ in 0..<reps {
    let t0 = now(clock)
    for _ in 0..<calls { body() }
    samples.append((now(clock) - t0) / Double(calls))
  }
  samples.sort()
  return (samples[samples.count / 2], samples[0])
}

/// Deterministic uniform [-1, 1) data (the values do not affect the speed).
func randomFloats(_ n: Int, seed: UInt64) -> [Float] {
  var s = seed
  return (0..<n).map { _ in
    s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Float(Int64(bitPattern: s >> 11) % 2_000_000) / 1_000_000 - 1
  }
}

/// Times C = op(A) op(B) for m x k times k x n; returns per-call seconds.
func timeProduct(
  m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, threads: Int,
  reps: Int, minTime: Double, clock: clockid_t
) -> (median: Double, best: Double) {
  let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2)
  var c = [Float](repeating: 0, count: m * n)
  return a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        guard let ap = pa.baseAddress, let bp = pb.baseAddress, let cp = pc.baseAddress else {
          return (0, 0)
        }
        return measure(reps: reps, minTime: minTime, clock: clock) {
          sgemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: ap,
            lda: transA ? m : k, b: bp, ldb: transB ? k : n, beta: 0, c: cp, ldc: n,
            threads: threads)
        }
      }
    }
  }
}

guard let opts = parseOptions() else {
  print("usage: meta-bench [--threads 1,2] [--sizes 64,128] [--reps N] [--min-time S]")
  print("                  [--json] [--no-small] [--cpu-time]")
  exit(2)
}

let clock = opts.cpuTime ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC
var rows: [String] = []
print("meta-bench: sgemm float32, C = A*B (square n), per-call time: median / best of \(opts.reps)")
print("threads      n   GFLOP/s(med)  GFLOP/s(best)     ms(med)")
for t in opts.threads {
  ThreadPool.maxThreads = t
  for n in opts.sizes {
    let r = timeProduct(
      m: n, n: n, k: n, threads: t, reps: opts.reps, minTime: opts.minTime, clock: clock)
    let flops = 2 * Double(n) * Double(n) * Double(n)
    let gMed = flops / r.median / 1e9, gBest = flops / r.best / 1e9
    print(pad(t, 7) + pad(n, 7) + pad(gMed, 14) + pad(gBest, 15) + pad(r.median * 1e3, 12, digits: 3))
    rows.append("{\"threads\":\(t),\"n\":\(n),\"gflops_median\":\(gMed),\"gflops_best\":\(gBest)}")
  }
}
ThreadPool.maxThreads = ThreadPool.coreCount

var smallRows: [String] = []
if opts.small {
  print("\nsmall products, 1 thread, ns per call (median / best)")
  let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
    ("[10,40]@[40,40]", 10, 40, 40, false, false),
    ("[25,1]@[1,40]", 25, 40, 1, false, false),
    ("[10,40]@[40,40]^T", 10, 40, 40, false, true),
    ("[10,40]^T@[10,40]", 40, 40, 10, true, false),
    ("[100,40]@[40,1]", 100, 1, 40, false, false),
    ("[40,100]^T@[40,1]", 100, 1, 40, true, false),
    ("[25,1]@[40,1]^T", 25, 40, 1, false, true),
    ("[1,1]@[1,1]", 1, 1, 1, false, false),
    ("[32,32]@[32,32]", 32, 32, 32, false, false),
    ("[48,48]@[48,48]", 48, 48, 48, false, false),
    ("[64,64]@[64,64]", 64, 64, 64, false, false),
  ]
  for (label, m, n, k, ta, tb) in shapes {
    let r = timeProduct(
      m: m, n: n, k: k, transA: ta, transB: tb, threads: 1, reps: opts.reps, minTime: 0.05,
      clock: clock)
    let g = 2 * Double(m * n * k) / r.median / 1e9
    let name = label + String(repeating: " ", count: max(0, 20 - label.count))
    print(name + pad(r.median * 1e9, 9) + pad(r.best * 1e9, 9) + "  (\(pad(g, 0)) GFLOP/s)")
    smallRows.append(
      "{\"shape\":\"\(label)\",\"ns_median\":\(r.median * 1e9),\"ns_best\":\(r.best * 1e9)}")
  }
  if ThreadPool.coreCount > 1 {
    let pool = ThreadPool(threadLimit: 2)
    let r = measure(reps: opts.reps, minTime: 0.05, clock: clock) { pool.parallelFor(count: 2) { _ in } }
    print("ThreadPool.parallelFor(count: 2), empty body: "
      + "\(pad(r.median * 1e9, 0)) ns median, \(pad(r.best * 1e9, 0)) ns best")
    smallRows.append(
      "{\"shape\":\"parallelFor(2) empty\",\"ns_median\":\(r.median * 1e9),\"ns_best\":\(r.best * 1e9)}")
  }
}
if opts.json {
  let matmul = rows.joined(separator: ","), small = smallRows.joined(separator: ",")
  print("RESULT {\"matmul\":[\(matmul)],\"small\":[\(small)]}")
}

func pad(_ v: Int, _ width: Int) -> String {
  let s = String(v)
  return String(repeating: " ", count: max(0, width - s.count)) + s
}

func pad(_ v: Double, _ width: Int, digits: Int = 1) -> String {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let r = (v * scale).rounded() / scale
  var s = String(r)
  if let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) - 1 < digits {
    s += String(repeating: "0", count: digits - (s.distance(from: dot, to: s.endIndex) - 1))
  }
  return String(repeating: " ", count: max(0, width - s.count)) + s
}

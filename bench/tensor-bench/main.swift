// `swift run -c release tensor-bench [maml] [--reps N] [--min-time S] [--threads T] [--json] [--only NAME] [--calls N]`
//
// Per-op cost of MetaTensor on small tensors (the meta-learning inner loop)
// and element-wise / reduction throughput on 1M float32. Timing mirrors
// bench/tensor_numpy.py: calibrate the call count so one sample takes at least
// --min-time seconds, take --reps samples, report the median (and best).
// With --json the last line is `RESULT {...}` for bench/run_tensor.sh.
import Foundation
import MetaKernels
import MetaTensor

struct Options {
  var reps = 7
  var minTime = 0.1
  var threads = [1, 2]
  var json = false
  /// Only ops whose name contains this (for profiling one op).
  var only = ""
  /// Run the MAML meta-iteration benchmark (MAML.swift) instead of the op table.
  var maml = false
  /// With `maml`: run exactly this many meta-iterations per shape and report
  /// their mean (for instruction counts under `perf stat`), instead of timing.
  var iterations = 0
  /// With `--only`: call each op exactly this many times and report nothing
  /// but the mean (for cycle counts under `perf stat` on a loaded machine).
  var calls = 0
}

func parseOptions() -> Options? {
  var o = Options()
  var args = CommandLine.arguments.dropFirst().makeIterator()
  while let arg = args.next() {
    switch arg {
    case "--reps": guard let v = args.next().flatMap(Int.init), v > 0 else { return nil }; o.reps = v
    case "--min-time": guard let v = args.next().flatMap(Double.init), v > 0 else { return nil }; o.minTime = v
    case "--threads":
      let list = (args.next() ?? "").split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
      guard !list.isEmpty else { return nil }
      o.threads = list
    case "--json": o.json = true
    case "maml": o.maml = true
    case "--iterations": guard let v = args.next().flatMap(Int.init), v > 0 else { return nil }; o.iterations = v
    case "--only": guard let v = args.next() else { return nil }; o.only = v
    case "--calls": guard let v = args.next().flatMap(Int.init), v > 0 else { return nil }; o.calls = v
    default: return nil
    }
  }
  return o
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Median and best seconds per call of `body`.
func measure(_ options: Options, _ body: () throws -> Void) rethrows -> (median: Double, best: Double) {
  try body()
  if options.calls > 0 {
    let t0 = now()
    for _ in 0..<options.calls { try body() }
    let mean = (now() - t0) / Double(options.calls)
    return (mean, mean)
  }
  var calls = 1
  while true {
    let t0 = now()
    for _ in 0..<calls { try body() }
    if now() - t0 >= options.minTime || calls >= 1 << 30 { break }
    calls *= 2
  }
  var samples: [Double] = []
  for _ in 0..<options.reps {
    let t0 = now()
    for _ in 0..<calls { try body() }
    samples.append((now() - t0) / Double(calls))
  }
  samples.sort()
  return (samples[samples.count / 2], samples[0])
}

/// Deterministic pseudo-random values in [-2, 2) (the bench needs no quality).
func values(_ n: Int, seed: UInt64) -> [Float] {
  var state = seed &* 6364136223846793005 &+ 1442695040888963407
  return (0..<n).map { _ in
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Float(state >> 40) / Float(1 << 24) * 4 - 2
  }
}

func tensor(_ shape: [Int], seed: UInt64) throws -> Tensor {
  try Tensor(shape: shape, scalars: values(shape.reduce(1, *), seed: seed))
}

guard let options = parseOptions() else {
  print("usage: tensor-bench [maml] [--reps N] [--min-time S] [--threads 1,2] [--json] [--only NAME] [--calls N]")
  exit(2)
}

var rows: [[String: Any]] = []
@MainActor func record(_ group: String, _ name: String, threads: Int, _ t: (median: Double, best: Double)) {
  if !options.only.isEmpty && !name.contains(options.only) { return }
  rows.append(["group": group, "op": name, "threads": threads,
               "us_median": t.median * 1e6, "us_best": t.best * 1e6])
  if !options.json {
    let pad = name.padding(toLength: 28, withPad: " ", startingAt: 0)
    print(String(format: "%@  %@ t=%d  median %10.3f us   best %10.3f us", group, pad, threads,
                 t.median * 1e6, t.best * 1e6))
  }
}

table: do {
  if options.maml {
    try runMAMLBench(options) { record("maml", $0, threads: $1, $2) }
    break table
  }
  // Small ops: one thread (they never split anyway).
  ThreadPool.maxThreads = 1
  let x = try tensor([10, 40], seed: 1), y = try tensor([10, 40], seed: 2)
  let bias = try tensor([40], seed: 3), w = try tensor([40, 40], seed: 4)
  let col25 = try tensor([25, 1], seed: 5), col10 = try tensor([10, 1], seed: 6)
  let row = try tensor([1, 40], seed: 7)
  let small: [(String, () throws -> Tensor)] = [
    ("add [10,40]+[10,40]", { try x + y }),
    ("bias add [10,40]+[40]", { try x + bias }),
    ("scalar mul 2*[10,40]", { try 2 * x }),
    ("relu [10,40]", { try x.relu() }),
    ("tanh [10,40]", { try x.tanh() }),
    ("exp [10,40]", { try x.exp() }),
    ("sigmoid [10,40]", { try x.sigmoid() }),
    ("sum [10,40]", { try x.sum() }),
    ("matmul [10,40]@[40,40]", { try x.matmul(w) }),
    ("matmul [25,1]@[1,40]", { try col25.matmul(row) }),
    ("matmul [10,1]@[1,40]", { try col10.matmul(row) }),
  ]
  for (name, op) in small {
    if !options.only.isEmpty && !name.contains(options.only) { continue }
    record("small", name, threads: 1, try measure(options) { _ = try op() })
  }

  // 1M float32 throughput, per thread count.
  let n = 1 << 20
  let a = try tensor([n], seed: 11), b = try tensor([n], seed: 12), c = try tensor([n], seed: 13)
  let positive = try a.abs() + 0.5
  let square = try a.reshape([1024, 1024])
  for t in options.threads {
    ThreadPool.maxThreads = t
    let large: [(String, () throws -> Tensor)] = [
      ("a*b+c (allocating)", { try a * b + c }),
      ("a+b (allocating)", { try a + b }),
      ("exp(a)", { try a.exp() }),
      ("tanh(a)", { try a.tanh() }),
      ("sigmoid(a)", { try a.sigmoid() }),
      ("log(|a|+0.5)", { try positive.log() }),
      ("sum(a)", { try a.sum() }),
      ("max(a)", { try a.max() }),
      ("sum rows [1024,1024] axis 1", { try square.sum(axes: [1]) }),
      ("sum cols [1024,1024] axis 0", { try square.sum(axes: [0]) }),
      ("sum(a.T) [1024,1024]", { try square.T.sum() }),
      ("bias grad [1024,1024]->[1024]", { try square.sumToShape([1024]) }),
    ]
    for (name, op) in large {
      if !options.only.isEmpty && !name.contains(options.only) { continue }
      record("1M", name, threads: t, try measure(options) { _ = try op() })
    }
  }
} catch {
  print("tensor-bench: \(error)")
  exit(1)
}

if options.json, let data = try? JSONSerialization.data(withJSONObject: ["rows": rows]),
   let text = String(data: data, encoding: .utf8) {
  print("RESULT " + text)
}

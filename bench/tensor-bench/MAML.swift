// `tensor-bench maml`: one second-order MAML sine meta-iteration (Finn et al.:
// MLP 1-40-40-1 ReLU, K = 10 support and 10 query points, 25 tasks, one inner
// SGD step at lr 0.01, Adam 1e-3 outer) at the MetaTensor level, in the two
// shapes the stdlib uses: (a) a loop over tasks, (b) batched over a task axis.
import Foundation
import MetaKernels
import MetaTensor

/// Sizes and rates of the benchmark (issue 4).
struct MAMLConfig {
  var tasks = 25
  var shots = 10
  var hidden = 40
  var innerLR: Float = 0.01
  var outerLR: Float = 1e-3
}

/// One meta-batch of sine tasks: per-task `[shots, 1]` tensors and the same
/// data stacked as `[tasks, shots, 1]`.
struct SineBatch {
  let xs: [Tensor], ys: [Tensor], xq: [Tensor], yq: [Tensor]
  let xsAll: Tensor, ysAll: Tensor, xqAll: Tensor, yqAll: Tensor

  /// Amplitude in [0.1, 5], phase in [0, π], inputs in [-5, 5] (Finn et al.).
  init(_ config: MAMLConfig, seed: UInt64) throws {
    let u = values(config.tasks * (2 + 4 * config.shots), seed: seed).map { ($0 + 2) / 4 }  // [0, 1)
    var next = 0
    func take() -> Float { defer { next += 1 }; return u[next] }
    var sx: [Float] = [], sy: [Float] = [], qx: [Float] = [], qy: [Float] = []
    for _ in 0..<config.tasks {
      let amplitude = 0.1 + 4.9 * take(), phase = Float.pi * take()
      for _ in 0..<config.shots {
        let a = 10 * take() - 5, b = 10 * take() - 5
        sx.append(a); sy.append(amplitude * Foundation.sin(a + phase))
        qx.append(b); qy.append(amplitude * Foundation.sin(b + phase))
      }
    }
    let shape = [config.tasks, config.shots, 1]
    xsAll = try Tensor(shape: shape, scalars: sx); ysAll = try Tensor(shape: shape, scalars: sy)
    xqAll = try Tensor(shape: shape, scalars: qx); yqAll = try Tensor(shape: shape, scalars: qy)
    func split(_ t: Tensor) throws -> [Tensor] {
      try (0..<config.tasks).map { try t[.index($0)].contiguous() }
    }
    xs = try split(xsAll); ys = try split(ysAll); xq = try split(xqAll); yq = try split(yqAll)
  }
}

/// θ = [w1 [1,h], b1 [h], w2 [h,h], b2 [h], w3 [h,1], b3 [1]], uniform ±1/√fan-in.
func mamlParameters(_ config: MAMLConfig, seed: UInt64) throws -> [Tensor] {
  let h = config.hidden
  let shapes = [[1, h], [h], [h, h], [h], [h, 1], [1]]
  let fanIn = [1, 1, h, h, h, h]
  return try shapes.indices.map { i in
    let scale = 1 / Float(fanIn[i]).squareRoot() / 2
    return try Tensor(shape: shapes[i], scalars: values(shapes[i].reduce(1, *), seed: seed + UInt64(i)).map { $0 * scale })
  }
}

/// relu(x @ w1 + b1) → relu(· @ w2 + b2) → · @ w3 + b3. With a task axis,
/// pass biases as `[tasks, 1, n]`.
func mlp(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
  let h1 = try (x.matmul(p[0]) + p[1]).relu()
  let h2 = try (h1.matmul(p[2]) + p[3]).relu()
  return try h2.matmul(p[4]) + p[5]
}

/// (a) The meta-loss (mean over tasks of the query mse after one inner step)
/// and its gradient, one task at a time.
func mamlLoop(_ params: [Tensor], _ batch: SineBatch, _ config: MAMLConfig) throws -> (Float, [Tensor]) {
  let theta = params.map { $0.requiringGrad() }
  var total = Tensor(0)
  for t in 0..<config.tasks {
    let inner = try mse(mlp(theta, batch.xs[t]), batch.ys[t])
    let g = try gradients(of: inner, wrt: theta, createGraph: true)
    let fast = try zip(theta, g).map { try $0 - config.innerLR * $1 }
    total = try total + mse(mlp(fast, batch.xq[t]), batch.yq[t])
  }
  let meta = try total / Float(config.tasks)
  return (try meta.item(), try gradients(of: meta, wrt: theta))
}

/// (b) The same, batched: θ expanded over a task axis, batched matmuls.
func mamlBatched(_ params: [Tensor], _ batch: SineBatch, _ config: MAMLConfig) throws -> (Float, [Tensor]) {
  let theta = params.map { $0.requiringGrad() }
  let n = config.tasks
  let expanded = try theta.map { try $0.unsqueeze(0).expand([n] + $0.shape) }
  func forward(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
    try mlp([p[0], p[1].unsqueeze(-2), p[2], p[3].unsqueeze(-2), p[4], p[5].unsqueeze(-2)], x)
  }
  // Sum over tasks of each task's mean: the per-task inner gradients.
  let inner = try mse(forward(expanded, batch.xsAll), batch.ysAll) * Float(n)
  let g = try gradients(of: inner, wrt: expanded, createGraph: true)
  let fast = try zip(expanded, g).map { try $0 - config.innerLR * $1 }
  let meta = try (forward(fast, batch.xqAll) - batch.yqAll).square().mean()
  return (try meta.item(), try gradients(of: meta, wrt: theta))
}

/// Adam (β 0.9, 0.999, ε 1e-8) on plain arrays: outside the measured graph work.
struct Adam {
  var m: [[Float]], v: [[Float]], step = 0
  let lr: Float

  init(_ params: [Tensor], lr: Float) {
    m = params.map { [Float](repeating: 0, count: $0.count) }
    v = m
    self.lr = lr
  }

  mutating func update(_ params: [Tensor], _ grads: [Tensor]) throws -> [Tensor] {
    step += 1
    let c1 = 1 - Float(Foundation.pow(0.9, Double(step))), c2 = 1 - Float(Foundation.pow(0.999, Double(step)))
    return try params.indices.map { i in
      var p = params[i].scalars
      let g = grads[i].scalars
      for j in p.indices {
        m[i][j] = 0.9 * m[i][j] + 0.1 * g[j]
        v[i][j] = 0.999 * v[i][j] + 0.001 * g[j] * g[j]
        p[j] -= lr * (m[i][j] / c1) / ((v[i][j] / c2).squareRoot() + 1e-8)
      }
      return try Tensor(shape: params[i].shape, scalars: p)
    }
  }
}

/// Times both shapes (meta-iterations per second, median of `reps` samples)
/// for each thread count, after checking that they agree; `report` gets each
/// (shape, threads, seconds per iteration).
func runMAMLBench(_ options: Options, report: (String, Int, (median: Double, best: Double)) -> Void) throws {
  let config = MAMLConfig()
  let batches = try (0..<4).map { try SineBatch(config, seed: 100 + UInt64($0)) }
  let start = try mamlParameters(config, seed: 7)

  let (lossA, gradA) = try mamlLoop(start, batches[0], config)
  let (lossB, gradB) = try mamlBatched(start, batches[0], config)
  var worst: Float = 0
  for (a, b) in zip(gradA, gradB) {
    for (x, y) in zip(a.scalars, b.scalars) { worst = Swift.max(worst, Swift.abs(x - y)) }
  }
  print(String(format: "maml  meta-loss (a) %.6f (b) %.6f; meta-gradients differ by at most %.2e", lossA, lossB, worst))

  for (name, step) in [("(a) per-task loop", mamlLoop), ("(b) batched tasks", mamlBatched)] {
    if !options.only.isEmpty && !name.contains(options.only) { continue }
    for t in options.threads {
      ThreadPool.maxThreads = t
      var params = start
      var adam = Adam(params, lr: config.outerLR)
      var iteration = 0
      func metaIteration() throws {
        let (_, grads) = try step(params, batches[iteration % batches.count], config)
        params = try adam.update(params, grads)
        iteration += 1
      }
      let time: (median: Double, best: Double)
      if options.iterations > 0 {
        // CPU time of this thread: on a machine shared with builds, wall time
        // mostly measures the others.
        let t0 = threadCPUTime(), w0 = now()
        for _ in 0..<options.iterations { try metaIteration() }
        let cpu = (threadCPUTime() - t0) / Double(options.iterations)
        let wall = (now() - w0) / Double(options.iterations)
        time = (cpu, cpu)
        if !options.json {
          print(String(format: "maml  %@ t=%d  %.1f us CPU, %.1f us wall per iteration", name, t, cpu * 1e6, wall * 1e6))
        }
      } else {
        time = try measure(options, metaIteration)
      }
      report(name, t, time)
      if !options.json {
        print(String(format: "maml  %@ t=%d  %8.1f it/s median, %8.1f best", name, t, 1 / time.median, 1 / time.best))
      }
    }
  }
}

/// Seconds of CPU time used by the calling thread.
func threadCPUTime() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// Neural-network ops: convolution, pooling, batch normalization, losses and
// metrics, pairwise distances. All differentiable (to any order) except the
// metric `accuracy`.

import MetaTensor

extension Builtins {
  static let nnOps: [TensorOp] = [
    TensorOp("conv2d", labels: ["stride", "padding"], method: false) { args in
      try args.expect(2...3)
      let stride = try args.named("stride").map { try args.size2D($0, "stride") } ?? 1
      let padding = try args.named("padding").map { try args.size2D($0, "padding") } ?? 0
      return .tensor(
        try MetaTensor.conv2d(
          try args.tensor(0), try args.tensor(1), bias: try args.optionalTensor(2), stride: stride, padding: padding))
    },
    pool("max_pool2d") { x, k, s, p in try maxPool2d(x, kernel: k, stride: s, padding: p) },
    pool("avg_pool2d") { x, k, s, p in try avgPool2d(x, kernel: k, stride: s, padding: p) },
    // With running statistics the result is a record `{out, running_mean, running_var}`
    // (the updated statistics, to carry to the next call); without, just the output.
    TensorOp("batch_norm", labels: ["running_mean", "running_var", "training", "momentum", "eps"], method: false) {
      args in
      try args.expect(1...3)
      let runningMean = try args.namedTensor("running_mean"), runningVar = try args.namedTensor("running_var")
      let r = try batchNorm(
        try args.tensor(0), gamma: try args.optionalTensor(1), beta: try args.optionalTensor(2),
        runningMean: runningMean, runningVar: runningVar,
        training: args.namedBool("training", default: true),
        momentum: try args.namedFloat("momentum") ?? 0.1, eps: try args.namedFloat("eps") ?? 1e-5)
      guard let mean = r.runningMean, let variance = r.runningVar else { return .tensor(r.output) }
      return .record(Record([("out", .tensor(r.output)), ("running_mean", .tensor(mean)), ("running_var", .tensor(variance))]))
    },
    TensorOp("mse", method: false) { args in
      try args.expect(2)
      return .tensor(try MetaTensor.mse(try args.tensor(0), try args.tensor(1)))
    },
    TensorOp("cross_entropy", method: false) { args in
      try args.expect(2)
      return .tensor(try crossEntropy(try args.tensor(0), try args.labels(1)))
    },
    // A metric, so a plain Float (not differentiable).
    TensorOp("accuracy", method: false) { args in
      try args.expect(2)
      return .float(TensorConvert.double(try MetaTensor.accuracy(try args.tensor(0), try args.labels(1)).item()))
    },
    TensorOp("pairwise_distances", method: false) { args in
      try args.expect(2)
      return .tensor(try pairwiseSquaredDistances(try args.tensor(0), try args.tensor(1)))
    },
  ]

  /// `name(x, kernel, stride:, padding:)`; the stride defaults to the kernel.
  private static func pool(
    _ name: String, _ f: @escaping @Sendable (Tensor, Size2D, Size2D?, Size2D) throws -> Tensor
  ) -> TensorOp {
    TensorOp(name, labels: ["stride", "padding"], method: false) { args in
      try args.expect(2)
      let kernel = try args.size2D(args[1], "kernel")
      let stride = try args.named("stride").flatMap { v -> Size2D? in
        if case .nil_ = v { return nil }
        return try args.size2D(v, "stride")
      }
      let padding = try args.named("padding").map { try args.size2D($0, "padding") } ?? 0
      return .tensor(try f(try args.tensor(0), kernel, stride, padding))
    }
  }
}

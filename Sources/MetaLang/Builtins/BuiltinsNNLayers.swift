// Functional layers: `layer_norm` and `dropout` (whose mask comes from the
// interpreter's stream). The `nn` module's layers are built on these.

import MetaTensor

extension Builtins {
  static let nnLayerOps: [TensorOp] = [
    // layer_norm(x, normalized_shape, weight, bias, eps: 1e-5), as PyTorch's F.layer_norm.
    TensorOp("layer_norm", labels: ["eps"], method: false) { args in
      try args.expect(2...4)
      let shape = try args.ints(1, what: "normalized_shape (Int or List of Ints)")
      return .tensor(
        try layerNorm(
          try args.tensor(0), normalizedShape: shape, weight: try args.optionalTensor(2),
          bias: try args.optionalTensor(3), eps: try args.namedFloat("eps") ?? 1e-5))
    },
    // dropout(x, p = 0.5, training: true), as PyTorch's F.dropout.
    TensorOp("dropout", labels: ["training"], method: false) { args in
      try args.expect(1...2)
      let x = try args.tensor(0)
      let p = args.count == 2 ? try args.float(1) : 0.5
      let training = args.namedBool("training", default: true)
      return .tensor(try args.runtime().random.withState { try dropout(x, p: p, training: training, using: &$0) })
    },
  ]
}

// Comparing Meta's values with the fixture's: shapes exactly, NaN with NaN, an
// infinity with the same infinity, other numbers within rtol·|expected| +
// atol·scale, where scale is max(1, the largest finite |expected| of the array).

import Foundation
import MetaLang
import MetaTensor

/// Meta's answer, read back into plain numbers.
enum Observed {
  case tensor(dtype: String?, shape: [Int], data: [Double])
  case value(Value)
}

enum Compare {
  /// Nil when `got` matches `expected`; otherwise what differs.
  static func mismatch(_ expected: FixtureValue, _ got: Observed, rtol: Double, atol: Double) -> String? {
    switch (expected, got) {
    case (.tensor(let dtype, let shape, let data), .tensor(let gotDtype, let gotShape, let gotData)):
      if let gotDtype, gotDtype != dtype { return "dtype \(gotDtype), expected \(dtype)" }
      if gotShape != shape { return "shape \(gotShape), expected \(shape)" }
      let exact = dtype == "int64" || dtype == "bool"
      return elements(data, gotData, shape: shape, rtol: exact ? 0 : rtol, atol: exact ? 0 : atol)
    case (.tensor(_, let shape, _), .value(let v)):
      return "got \(describe(v)), expected a tensor of shape \(shape)"
    case (.list(let xs), .value(.list(let ys))):
      guard xs.count == ys.count else { return "a List of \(ys.count), expected \(xs.count) items" }
      for (i, (x, y)) in zip(xs, ys).enumerated() {
        if let m = mismatch(x, observe(y), rtol: rtol, atol: atol) { return "item \(i): \(m)" }
      }
      return nil
    case (.float(let e), .value(.float(let g))):
      return elements([e], [g], shape: [], rtol: rtol, atol: atol)
    case (.int(let e), .value(.int(let g))) where e == g: return nil
    case (.bool(let e), .value(.bool(let g))) where e == g: return nil
    case (.string(let e), .value(.string(let g))) where e == g: return nil
    case (_, .tensor(_, let shape, let data)):
      return "got a tensor of shape \(shape) \(preview(data)), expected \(describe(expected))"
    case (_, .value(let v)):
      return "got \(describe(v)), expected \(describe(expected))"
    }
  }

  /// The first failing element's story: how many differ and the worst one.
  static func elements(_ e: [Double], _ g: [Double], shape: [Int], rtol: Double, atol: Double) -> String? {
    let scale = max(1, e.filter(\.isFinite).map(Swift.abs).max() ?? 1)
    var bad = 0, worst = -1, worstExcess = -Double.infinity
    for i in e.indices {
      let ok: Bool
      var excess = Double.infinity
      if e[i].isNaN {
        ok = g[i].isNaN
      } else if e[i].isInfinite {
        ok = g[i] == e[i]
      } else {
        let allowed = rtol * Swift.abs(e[i]) + atol * scale
        ok = g[i].isFinite && Swift.abs(g[i] - e[i]) <= allowed
        if g[i].isFinite { excess = Swift.abs(g[i] - e[i]) / max(allowed, .leastNormalMagnitude) }
      }
      if !ok {
        bad += 1
        if excess > worstExcess { worstExcess = excess; worst = i }
      }
    }
    guard bad > 0 else { return nil }
    let at = shape.isEmpty ? "" : " at \(multiIndex(worst, shape))"
    return "\(bad) of \(e.count) elements differ; worst\(at): expected \(e[worst]), got \(g[worst])"
      + " (rtol \(rtol), atol \(atol)·\(scale))"
  }

  static func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
    var rest = flat
    var out = Array(repeating: 0, count: shape.count)
    for k in shape.indices.reversed() where shape[k] > 0 {
      out[k] = rest % shape[k]
      rest /= shape[k]
    }
    return out
  }

  /// A Meta value as numbers: tensors as their elements, everything else as it is.
  static func observe(_ v: Value) -> Observed {
    guard let t = v.tensor else { return .value(v) }
    return .tensor(dtype: nil, shape: t.shape, data: t.scalars.map(Double.init))
  }

  static func describe(_ v: Value) -> String {
    let s = "\(v.typeName) \(v)"
    return s.count > 120 ? String(s.prefix(120)) + "…" : s
  }

  static func describe(_ f: FixtureValue) -> String {
    switch f {
    case .tensor(let dtype, let shape, let data): return "a \(dtype) tensor of shape \(shape) \(preview(data))"
    case .float(let x): return "Float \(x)"
    case .int(let n): return "Int \(n)"
    case .bool(let b): return "Bool \(b)"
    case .string(let s): return "String \(s)"
    case .list(let xs): return "a List of \(xs.count)"
    case .error(let e): return "an error (PyTorch: \(e))"
    }
  }

  static func preview(_ data: [Double]) -> String {
    data.count <= 6 ? "\(data)" : "\(Array(data.prefix(6)))…"
  }
}

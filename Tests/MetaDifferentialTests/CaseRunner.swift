// Runs one differential case in a Meta interpreter, through the embedding API only:
// the inputs become globals, the expression the body of `fn(<wrt>) { EXPR }`, and
// the gradients are taken by Meta's own `grad`:
//   first order   grad(fn(P) { (f(P) * w).sum() }, argnums: [0, ...])(P)
//   second order  grad(fn(P) { let g = <first order>(P); (g[0] * v0).sum() + ... }, argnums: ...)(P)

import Foundation
import MetaLang
import MetaTensor

struct CaseRunner {
  let interp: Interpreter

  init() {
    interp = Interpreter(seed: 0, output: { _ in })
    // A runaway case fails instead of hanging the suite.
    interp.limits = Interpreter.Limits(maxSeconds: 60)
  }

  /// Nil when Meta agrees with PyTorch on the value and every gradient; else the first difference.
  func run(_ c: DifferentialCase) -> String? {
    do {
      return try check(c)
    } catch {
      let message = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
      return "error: \(message)"
    }
  }

  private func check(_ c: DifferentialCase) throws -> String? {
    for (name, value) in c.inputs { interp[global: name] = try metaValue(value) }
    let params = c.wrt.joined(separator: ", ")
    let f = try interp.evaluate("fn(\(params)) { \(c.expr) }", name: c.name)
    let args = try c.wrt.map { name -> Value in
      guard let v = interp[global: name] else { throw FixtureError("wrt names a missing input \(name)") }
      return v
    }
    let out: Value
    do {
      out = try interp.call(f, args)
    } catch {
      if case .error = c.output { return Self.swiftName(in: "\(error)".split(separator: "\n").first.map(String.init) ?? "") }
      throw error
    }
    if case .error(let e) = c.output {
      return "no error, expected one (PyTorch: \(e)); got \(Compare.describe(out))"
    }
    if let m = Compare.mismatch(c.output, try observe(out), rtol: c.rtol, atol: c.atol) { return "output: \(m)" }
    guard !c.wrt.isEmpty, let w = c.w, !c.grad.isEmpty else { return nil }

    interp[global: "__f"] = f
    interp[global: "__w"] = try metaValue(w)
    let argnums = "argnums: [\(c.wrt.indices.map(String.init).joined(separator: ", "))]"
    let first = "grad(fn(\(params)) { (__f(\(params)) * __w).sum() }, \(argnums))"
    let grads = try interp.call(try interp.evaluate(first, name: c.name + " (gradient)"), args)
    if let m = try compareGradients(c.wrt, grads, c.grad, c) { return "gradient \(m)" }
    guard !c.grad2.isEmpty else { return nil }

    var terms: [String] = []
    for (i, name) in c.wrt.enumerated() {
      guard let v = c.v[name] else { throw FixtureError("no v for \(name)") }
      interp[global: "__v\(i)"] = try metaValue(v)
      terms.append("(__g[\(i)] * __v\(i)).sum()")
    }
    let second = "grad(fn(\(params)) { let __g = \(first)(\(params)); \(terms.joined(separator: " + ")) }, \(argnums))"
    let hvp = try interp.call(try interp.evaluate(second, name: c.name + " (second order)"), args)
    if let m = try compareGradients(c.wrt, hvp, c.grad2, c) { return "second-order gradient \(m)" }
    return nil
  }

  /// Errors name ops by their language names (`one_hot`, not `oneHot`): a camelCase
  /// word before a colon in the message is a Swift name leaking out.
  static func swiftName(in message: String) -> String? {
    guard let r = message.range(of: #"\b[a-z]+[A-Z][A-Za-z0-9]*:"#, options: .regularExpression) else { return nil }
    return "the error names `\(message[r].dropLast())`, not the op's language name: \(message)"
  }

  private func compareGradients(
    _ names: [String], _ got: Value, _ expected: [String: FixtureValue], _ c: DifferentialCase
  ) throws -> String? {
    guard case .list(let gs) = got, gs.count == names.count else { return "not a List of \(names.count)" }
    for (name, g) in zip(names, gs) {
      guard let e = expected[name] else { continue }
      if let m = Compare.mismatch(e, try observe(g), rtol: c.rtol, atol: c.atol) { return "w.r.t. \(name): \(m)" }
    }
    return nil
  }

  /// A fixture input as a Meta value. Float32 tensors are built by the host; other
  /// dtypes through Meta's own `tensor(..., dtype:)`, so they wait for dtypes.
  func metaValue(_ v: FixtureValue) throws -> Value {
    switch v {
    case .tensor(let dtype, let shape, let data):
      if dtype == "float32" { return .tensor(try Tensor(shape: shape, scalars: data.map(Float.init))) }
      let items = data.map { x in dtype == "bool" ? (x != 0 ? "true" : "false") : dtype == "int64" ? "\(Int(x))" : "\(x)" }
      let shapeText = "[\(shape.map(String.init).joined(separator: ", "))]"
      return try interp.evaluate("tensor([\(items.joined(separator: ", "))], dtype: \"\(dtype)\").reshape(\(shapeText))")
    case .float(let x): return .float(x)
    case .int(let n): return .int(n)
    case .bool(let b): return .bool(b)
    case .string(let s): return .string(s)
    case .list(let xs): return .list(try xs.map(metaValue))
    case .error: throw FixtureError("an error is not an input")
    }
  }

  /// Meta's value as numbers. A tensor's dtype is read when Meta's tensors have one;
  /// other dtypes than float32 are read back through `tolist()`.
  func observe(_ v: Value) throws -> Observed {
    guard let t = v.tensor else { return .value(v) }
    var dtype: String?
    if case .string(let d)? = try? t.field("dtype") { dtype = d }
    guard let dtype, dtype != "float32" else { return .tensor(dtype: dtype, shape: t.shape, data: t.scalars.map(Double.init)) }
    interp[global: "__out"] = v
    var data: [Double] = []
    func flatten(_ x: Value) {
      switch x {
      case .list(let xs): xs.forEach(flatten)
      case .int(let n): data.append(Double(n))
      case .float(let f): data.append(f)
      case .bool(let b): data.append(b ? 1 : 0)
      default: data.append(.nan)
      }
    }
    flatten(try interp.evaluate("__out.tolist()"))
    return .tensor(dtype: dtype, shape: t.shape, data: data)
  }
}

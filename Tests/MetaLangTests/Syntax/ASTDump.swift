// A compact S-expression rendering of syntax trees, so parser tests can state
// the expected tree in one readable line.

@testable import MetaLang

enum ASTDump {
  static func program(_ p: Program) -> String {
    p.statements.map(stmt).joined(separator: "; ")
  }

  static func stmt(_ s: Stmt) -> String {
    switch s {
    case .expression(let e): return expr(e)
    case .binding(let mutable, let p, let e, _): return "(\(mutable ? "var" : "let") \(pattern(p)) \(expr(e)))"
    case .assign(let t, let op, let v, _): return "(\(op.rawValue) \(expr(t)) \(expr(v)))"
    case .function(let f): return function(f)
    case .whileLoop(let c, let b, _): return "(while \(expr(c)) \(block(b)))"
    case .forLoop(let p, let e, let b, _): return "(for \(pattern(p)) \(expr(e)) \(block(b)))"
    case .breakLoop: return "break"
    case .continueLoop: return "continue"
    case .returnValue(let e, _): return e.map { "(return \(expr($0)))" } ?? "(return)"
    case .assert(let c, let m, _): return "(assert \(expr(c))\(m.map { " " + expr($0) } ?? ""))"
    case .importModule(let n, _): return "(import \(n))"
    case .importFile(let p, let a, _): return "(import \(p.debugDescription) as \(a))"
    }
  }

  static func pattern(_ p: Pattern) -> String {
    switch p {
    case .name(let n, _): return n
    case .list(let items, _): return "[" + items.map(pattern).joined(separator: " ") + "]"
    }
  }

  static func block(_ b: Block) -> String {
    "{" + b.statements.map(stmt).joined(separator: "; ") + "}"
  }

  static func function(_ f: FunctionDecl) -> String {
    let params = f.params.map { p in p.defaultValue.map { "\(p.name)=\(expr($0))" } ?? p.name }
    let name = f.name.map { " " + $0 } ?? ""
    return "(fn\(name) (\(params.joined(separator: " "))) \(block(f.body)))"
  }

  static func literal(_ l: Literal) -> String {
    switch l {
    case .nil_: return "nil"
    case .bool(let b): return "\(b)"
    case .int(let i): return "\(i)"
    case .float(let d): return "\(d)"
    case .string(let s): return s.debugDescription
    }
  }

  static func expr(_ e: Expr) -> String {
    switch e {
    case .literal(let l, _): return literal(l)
    case .interpolated(let parts, _):
      let shown = parts.map { part -> String in
        switch part {
        case .text(let t): return t.debugDescription
        case .expr(let x, let format): return "(\(expr(x))\(format.map { " :" + $0 } ?? ""))"
        }
      }
      return "(str " + shown.joined(separator: " ") + ")"
    case .name(let n, _): return n
    case .list(let items, _): return "(list" + items.map { " " + expr($0) }.joined() + ")"
    case .record(let fields, _):
      return "(record" + fields.map { " \($0.key): \(expr($0.value))" }.joined() + ")"
    case .unary(let op, let x, _): return "(\(op.rawValue) \(expr(x)))"
    case .binary(let op, let a, let b, _): return "(\(op.rawValue) \(expr(a)) \(expr(b)))"
    case .logical(let op, let a, let b, _): return "(\(op.rawValue) \(expr(a)) \(expr(b)))"
    case .call(let f, let args, _):
      let shown = args.map { a in (a.label.map { $0 + ": " } ?? "") + expr(a.value) }
      return "(call \(expr(f))" + shown.map { " " + $0 }.joined() + ")"
    case .index(let t, let items, _):
      let shown = items.map { item -> String in
        switch item {
        case .single(let x): return expr(x)
        case .slice(let a, let b, let c):
          return "(: \(a.map(expr) ?? "_") \(b.map(expr) ?? "_") \(c.map(expr) ?? "_"))"
        case .ellipsis: return "..."
        }
      }
      return "(index \(expr(t))" + shown.map { " " + $0 }.joined() + ")"
    case .field(let r, let name, _): return "(. \(expr(r)) \(name))"
    case .function(let f): return function(f)
    case .ifElse(let c, let t, let o, _):
      return "(if \(expr(c)) \(block(t))\(o.map { " " + block($0) } ?? ""))"
    case .tryCatch(let body, let name, let handler, _):
      return "(try \(block(body)) \(name ?? "_") \(block(handler)))"
    }
  }
}

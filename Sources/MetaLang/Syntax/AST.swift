// The syntax tree the parser produces. It says what the source wrote and
// where; the resolver turns it into the executable form the interpreter runs.
// Internal: only SourceLoc (in errors) and BinaryOp (native operators) are public.

/// A position in a source file: 1-based line and column (column counts
/// Unicode scalars from the start of the line).
public struct SourceLoc: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public init(line: Int, column: Int) { self.line = line; self.column = column }
  public var description: String { "\(line):\(column)" }
}

/// A literal that needs no evaluation.
enum Literal: Sendable, Equatable {
  case nil_
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
}

/// One piece of an interpolated string: raw text, or `{expr:format}`.
enum StringPart: Sendable {
  case text(String)
  /// `format` is the text after the `:` (e.g. ".4f"), nil when absent.
  case expr(Expr, format: String?)
}

enum UnaryOp: String, Sendable { case negate = "-", not = "not" }

public enum BinaryOp: String, Sendable {
  case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%"
  case pow = "**", matmul = "@"
  case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

enum LogicalOp: String, Sendable { case and, or }

/// `=`, or a compound assignment `+= -= *= /=`.
enum AssignOp: String, Sendable {
  case assign = "=", add = "+=", sub = "-=", mul = "*=", div = "/="
  /// The binary operator a compound assignment applies, nil for `=`.
  var binary: BinaryOp? {
    switch self {
    case .assign: nil
    case .add: .add
    case .sub: .sub
    case .mul: .mul
    case .div: .div
    }
  }
}

/// An argument at a call site: `f(x)` or `f(by: x)`.
struct Argument: Sendable {
  var label: String?
  var value: Expr
  var loc: SourceLoc
  init(label: String?, value: Expr, loc: SourceLoc) {
    self.label = label; self.value = value; self.loc = loc
  }
}

/// One subscript inside `[ ]`: `i`, or a slice `a:b:c` with any part omitted.
enum IndexItem: Sendable {
  case single(Expr)
  case slice(start: Expr?, stop: Expr?, step: Expr?)
  /// `...`: every axis not otherwise indexed (tensors).
  case ellipsis
}

/// A declared parameter: `x` or `x = default`.
struct Param: Sendable {
  var name: String
  var defaultValue: Expr?
  var loc: SourceLoc
  init(name: String, defaultValue: Expr?, loc: SourceLoc) {
    self.name = name; self.defaultValue = defaultValue; self.loc = loc
  }
}

/// `fn name(params) { body }`; `name` is nil for an anonymous `fn(x) { ... }`.
struct FunctionDecl: Sendable {
  var name: String?
  var params: [Param]
  var body: Block
  var loc: SourceLoc
  init(name: String?, params: [Param], body: Block, loc: SourceLoc) {
    self.name = name; self.params = params; self.body = body; self.loc = loc
  }
}

/// `{ stmt; stmt; expr }`. Its value is that of its last statement when that
/// statement is an expression, otherwise nil.
struct Block: Sendable {
  var statements: [Stmt]
  var loc: SourceLoc
  init(statements: [Stmt], loc: SourceLoc) { self.statements = statements; self.loc = loc }
}

/// The left side of `let`/`var`/`for`: a name, or a list pattern `[a, b]`
/// that destructures a list of exactly that length.
indirect enum Pattern: Sendable {
  case name(String, SourceLoc)
  case list([Pattern], SourceLoc)
}

indirect enum Expr: Sendable {
  case literal(Literal, SourceLoc)
  /// `"loss {x:.3f}"`; a string without `{` is a `.literal(.string)`.
  case interpolated([StringPart], SourceLoc)
  case name(String, SourceLoc)
  case list([Expr], SourceLoc)
  /// `{lr: 0.1, "odd key": 2}`; keys in source order.
  case record([(key: String, value: Expr)], SourceLoc)
  case unary(UnaryOp, Expr, SourceLoc)
  case binary(BinaryOp, Expr, Expr, SourceLoc)
  /// `and`/`or` short-circuit and yield one of their operands, as in Python.
  case logical(LogicalOp, Expr, Expr, SourceLoc)
  case call(Expr, [Argument], SourceLoc)
  case index(Expr, [IndexItem], SourceLoc)
  case field(Expr, String, SourceLoc)
  case function(FunctionDecl)
  /// `if c { } else if d { } else { }`: `otherwise` is nil when there is no else.
  case ifElse(condition: Expr, then: Block, otherwise: Block?, SourceLoc)
  /// `try { } catch err { }`; `errorName` is nil for `catch { }`.
  case tryCatch(body: Block, errorName: String?, handler: Block, SourceLoc)

  var loc: SourceLoc {
    switch self {
    case .literal(_, let l), .interpolated(_, let l), .name(_, let l), .list(_, let l),
      .record(_, let l), .unary(_, _, let l), .binary(_, _, _, let l), .logical(_, _, _, let l),
      .call(_, _, let l), .index(_, _, let l), .field(_, _, let l),
      .ifElse(_, _, _, let l), .tryCatch(_, _, _, let l):
      return l
    case .function(let f): return f.loc
    }
  }
}

indirect enum Stmt: Sendable {
  case expression(Expr)
  /// `let p = e` (`mutable` false) or `var p = e`.
  case binding(mutable: Bool, Pattern, Expr, SourceLoc)
  /// `target op value`; target is a `.name`, `.field` or `.index` expression.
  case assign(target: Expr, AssignOp, value: Expr, SourceLoc)
  /// `fn name(...) { }` at statement level: binds `name` (constant), visible
  /// inside its own body so it can recurse.
  case function(FunctionDecl)
  case whileLoop(condition: Expr, body: Block, SourceLoc)
  case forLoop(Pattern, iterable: Expr, body: Block, SourceLoc)
  case breakLoop(SourceLoc)
  case continueLoop(SourceLoc)
  case returnValue(Expr?, SourceLoc)
  case assert(Expr, message: Expr?, SourceLoc)
  /// `import nn`: binds `nn` to the module record of `stdlib/nn.meta`.
  case importModule(name: String, SourceLoc)
  /// `import "lib/util.meta" as util`.
  case importFile(path: String, alias: String, SourceLoc)

  var loc: SourceLoc {
    switch self {
    case .expression(let e): return e.loc
    case .function(let f): return f.loc
    case .binding(_, _, _, let l), .assign(_, _, _, let l), .whileLoop(_, _, let l),
      .forLoop(_, _, _, let l), .breakLoop(let l), .continueLoop(let l), .returnValue(_, let l),
      .assert(_, _, let l), .importModule(_, let l), .importFile(_, _, let l):
      return l
    }
  }
}

/// A parsed file or REPL input.
struct Program: Sendable {
  var statements: [Stmt]
  init(statements: [Stmt]) { self.statements = statements }
}

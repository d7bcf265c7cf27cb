// Resolving expressions into nodes.

extension Resolver {
  func expr(_ e: Expr) -> ExprNode {
    _ = poll?.tick(e.loc)  // once stopped, the statement loop skips the rest
    switch e {
    case .literal(let lit, let loc):
      return ConstNode(literalValue(lit), loc: loc)

    case .interpolated(let parts, let loc):
      return InterpolationNode(
        parts.map { part in
          switch part {
          case .text(let s): return .text(s)
          case .expr(let e, let format): return .value(expr(e), format: format)
          }
        }, loc: loc)

    case .name(let name, let loc):
      return read(name, loc)

    case .list(let items, let loc):
      return ListNode(items.map { expr($0) }, loc: loc)

    case .record(let fields, let loc):
      return RecordNode(keys: fields.map(\.key), values: fields.map { expr($0.value) }, loc: loc)

    case .unary(let op, let operand, let loc):
      switch op {
      case .negate:
        // Fold `-3` and `-2.5` so negative literals cost nothing.
        if case .literal(.int(let i), _) = operand, i != Int.min { return ConstNode(.int(-i), loc: loc) }
        if case .literal(.float(let f), _) = operand { return ConstNode(.float(-f), loc: loc) }
        return NegateNode(expr(operand), loc: loc)
      case .not:
        return NotNode(expr(operand), loc: loc)
      }

    case .binary(let op, let lhs, let rhs, let loc):
      return BinaryNode.make(op, expr(lhs), expr(rhs), loc: loc)

    case .logical(let op, let lhs, let rhs, let loc):
      return LogicalNode(isAnd: op == .and, expr(lhs), expr(rhs), loc: loc)

    case .call(let callee, let args, let loc):
      return call(callee, args, loc)

    case .index(let base, let items, let loc):
      let b = expr(base)
      return IndexNode(base: b, items: items.map(indexItem), loc: loc)

    case .field(let base, let name, let loc):
      return FieldNode(base: expr(base), name: name, loc: loc)

    case .function(let decl):
      return ClosureNode(proto: function(decl), loc: decl.loc)

    case .ifElse(let c, let then, let otherwise, let loc):
      return IfExpr(condition: expr(c), then: blockExpr(then), otherwise: otherwise.map { blockExpr($0) }, loc: loc)

    case .tryCatch(let body, let errorName, let handler, let loc):
      let bodyNode = blockExpr(body)
      var target: BindTarget?
      let handlerNode = blockExpr(handler, errorName: errorName, errorTarget: &target)
      return TryExpr(body: bodyNode, errorTarget: target, handler: handlerNode, loc: loc)
    }
  }

  func literalValue(_ lit: Literal) -> Value {
    switch lit {
    case .nil_: .nil_
    case .bool(let b): .bool(b)
    case .int(let i): .int(i)
    case .float(let f): .float(f)
    case .string(let s): .string(s)
    }
  }

  func indexItem(_ item: IndexItem) -> IndexItemNode {
    switch item {
    case .single(let e): .single(expr(e))
    case .slice(let a, let b, let c): .slice(a.map { expr($0) }, b.map { expr($0) }, c.map { expr($0) })
    case .ellipsis: .ellipsis
    }
  }

  private func call(_ callee: Expr, _ args: [Argument], _ loc: SourceLoc) -> ExprNode {
    var seenNamed = false
    var labels: [String] = []
    var named = Set<String>()  // a set: a call may have 100,000 named arguments
    for a in args {
      if let label = a.label {
        if !named.insert(label).inserted { fail("argument '\(label)' given twice", a.loc) }
        seenNamed = true
        labels.append(label)
      } else {
        if seenNamed { fail("positional argument after named argument", a.loc) }
        labels.append("")
      }
    }
    if case .field(let base, let name, _) = callee {
      // Caught before running when the binding is known to hold a list; any other value
      // (a tensor's `sort`, a record's `append` field) is judged by its method at run
      // time, where only a mutating list method on a `let` list is refused.
      if case .name(let root, _) = base, ListMethods.mutating[name] != nil, isLetList(root) {
        fail("cannot mutate constant '\(root)'", loc)
      }
      let place = isPlace(base) ? placePath(base, forAssignment: false) : nil
      let receiver = place.map { PlaceRead(path: $0, loc: base.loc) } ?? expr(base)
      return MethodCallNode(
        receiver: receiver, name: name, place: place, args: args.map { expr($0.value) }, labels: labels, loc: loc)
    }
    let f = expr(callee)
    return CallNode(callee: f, args: args.map { expr($0.value) }, labels: labels, loc: loc)
  }

  /// A variable, or fields and single indexes of one: something a method may mutate.
  func isPlace(_ e: Expr) -> Bool {
    switch e {
    case .name: return true
    case .field(let base, _, _): return isPlace(base)
    case .index(let base, let items, _):
      guard items.count == 1, case .single = items[0] else { return false }
      return isPlace(base)
    default: return false
    }
  }
}

/// Reads a place (the receiver of a method call that turned out not to mutate).
final class PlaceRead: ExprNode {
  let path: PlacePath
  init(path: PlacePath, loc: SourceLoc) { self.path = path; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    try path.read(rt, try path.keys(rt), loc)
  }
}

// Resolving statements and blocks. A block in "tail" position (a function body,
// the top-level program) turns its final expression into a `return`, so a
// function's value never has to travel as a thrown signal.

extension Resolver {
  func statements(_ stmts: [Stmt], tail: Bool) -> [StmtNode] {
    var out: [StmtNode] = []
    out.reserveCapacity(stmts.count)
    for (i, s) in stmts.enumerated() {
      if let poll, poll.tick(s.loc) { break }
      out.append(tail && i == stmts.count - 1 ? tailStatement(s) : statement(s))
    }
    return out
  }

  /// A block as a statement, in its own scope.
  func block(_ b: Block, tail: Bool = false) -> StmtNode {
    pushBlock()
    defer { popBlock() }
    let body = statements(b.statements, tail: tail)
    return body.count == 1 ? body[0] : SeqStmt(body)
  }

  /// A block as a value (`if`/`try` in expression position).
  func blockExpr(_ b: Block, errorName: String? = nil, errorTarget: inout BindTarget?) -> ExprNode {
    pushBlock()
    defer { popBlock() }
    if let errorName { errorTarget = declare(errorName, constant: true, b.loc) }
    var stmts = b.statements
    var result: ExprNode?
    if case .expression(let e)? = stmts.last {
      stmts.removeLast()
      let body = statements(stmts, tail: false)
      result = expr(e)
      if body.isEmpty, let result { return result }
      return BlockExpr(body: SeqStmt(body), result: result, loc: b.loc)
    }
    return BlockExpr(body: SeqStmt(statements(stmts, tail: false)), result: nil, loc: b.loc)
  }

  func blockExpr(_ b: Block) -> ExprNode {
    var unused: BindTarget?
    return blockExpr(b, errorTarget: &unused)
  }

  private func tailStatement(_ s: Stmt) -> StmtNode {
    guard case .expression(let e) = s else { return statement(s) }
    switch e {
    case .ifElse(let c, let then, let otherwise, _):
      return IfStmt(condition: expr(c), then: block(then, tail: true), otherwise: otherwise.map { block($0, tail: true) })
    case .tryCatch(let body, let errorName, let handler, let loc):
      return tryStatement(body, errorName, handler, loc, tail: true)
    default:
      return ReturnStmt(expr(e))
    }
  }

  private func tryStatement(_ body: Block, _ errorName: String?, _ handler: Block, _ loc: SourceLoc, tail: Bool) -> StmtNode {
    let bodyNode = block(body, tail: tail)
    pushBlock()
    defer { popBlock() }
    let target = errorName.map { declare($0, constant: true, loc) }
    let handlerBody = statements(handler.statements, tail: tail)
    return TryStmt(body: bodyNode, errorTarget: target, handler: SeqStmt(handlerBody))
  }

  func statement(_ s: Stmt) -> StmtNode {
    switch s {
    case .expression(let e):
      switch e {
      case .ifElse(let c, let then, let otherwise, _):
        return IfStmt(condition: expr(c), then: block(then), otherwise: otherwise.map { block($0) })
      case .tryCatch(let body, let errorName, let handler, let loc):
        return tryStatement(body, errorName, handler, loc, tail: false)
      default:
        return ExprStmt(expr(e))
      }

    case .binding(let mutable, let pattern, let value, _):
      let v = expr(value)
      let letList = !mutable && Self.isListLiteral(value)
      return DefineStmt(target: declarePattern(pattern, constant: !mutable, isLet: !mutable, isLetList: letList), value: v)

    case .assign(let target, let op, let value, let loc):
      return assignment(target, op.binary, expr(value), loc)

    case .function(let decl):
      let name = decl.name ?? "<fn>"
      if atGlobalLevel {
        let target = declare(name, constant: true, decl.loc)
        return DefineStmt(target: target, value: ClosureNode(proto: function(decl), loc: decl.loc))
      }
      let v = declareLocal(name, constant: true, decl.loc)
      let target = LocalBind(slot: v.slot)
      v.users.append(target)
      return LocalFunctionStmt(target: target, closure: ClosureNode(proto: function(decl, isLocal: true), loc: decl.loc))

    case .whileLoop(let c, let body, let loc):
      let condition = expr(c)
      current.loopDepth += 1
      defer { current.loopDepth -= 1 }
      return WhileStmt(condition: condition, body: block(body), loc: loc)

    case .forLoop(let pattern, let iterable, let body, let loc):
      let source = expr(iterable)
      pushBlock()
      defer { popBlock() }
      let target = declarePattern(pattern, constant: true)
      current.loopDepth += 1
      defer { current.loopDepth -= 1 }
      let bodyNode = block(body)
      if let call = source as? CallNode, call.args.count >= 1, call.args.count <= 3,
        call.positionalCount == call.args.count, (call.callee as? GlobalGet)?.name == "range"
      {
        return ForRangeStmt(target: target, call: call, body: bodyNode, loc: loc)
      }
      return ForStmt(target: target, iterable: source, body: bodyNode, loc: loc)

    case .breakLoop(let loc):
      if current.loopDepth == 0 { fail("'break' outside a loop", loc) }
      return BreakStmt()

    case .continueLoop(let loc):
      if current.loopDepth == 0 { fail("'continue' outside a loop", loc) }
      return ContinueStmt()

    case .returnValue(let value, let loc):
      if current.isScript { fail("'return' outside a function", loc) }
      return ReturnStmt(value.map { expr($0) })

    case .assert(let c, let message, let loc):
      return AssertStmt(condition: expr(c), message: message.map { expr($0) }, loc: loc)

    case .importModule(let name, let loc):
      return ImportStmt(source: .module(name), target: declare(name, constant: true, loc), loc: loc)

    case .importFile(let path, let alias, let loc):
      return ImportStmt(source: .file(path), target: declare(alias, constant: true, loc), loc: loc)
    }
  }

  /// Compiles a function literal or declaration into a prototype.
  func function(_ decl: FunctionDecl, isLocal: Bool = false) -> FunctionProto {
    let proto = FunctionProto(name: decl.name ?? "<fn>", file: file, directory: directory)
    proto.declaration = decl.loc
    let scope = FunctionScope(proto: proto, isScript: false)
    functions.append(scope)
    defer { functions.removeLast() }
    for p in decl.params {
      // A default sees the parameters before it.
      let d = p.defaultValue.map { expr($0) }
      if scope.blocks[0][p.name] != nil { fail("duplicate parameter '\(p.name)'", p.loc) }
      let v = VarInfo(name: p.name, slot: scope.vars.count, isConst: false)
      scope.vars.append(v)
      scope.blocks[0][p.name] = v
      proto.params.append(.init(name: p.name, defaultValue: d))
    }
    // After the parameters, which must fill the first slots (defaults see the outer binding).
    if isLocal { scope.selfName = decl.name }
    if ReturnFinder.contains(decl.body) {
      pushBlock()
      let body = statements(decl.body.statements, tail: true)
      popBlock()
      proto.body = body.count == 1 ? body[0] : SeqStmt(body)
    } else {
      // No `return`: the body is one expression, evaluated without a Flow round trip.
      proto.bodyExpr = blockExpr(decl.body)
    }
    finish(scope)
    return proto
  }

  // MARK: Assignment

  func assignment(_ target: Expr, _ op: BinaryOp?, _ value: ExprNode, _ loc: SourceLoc) -> StmtNode {
    switch target {
    case .name(let name, let nameLoc):
      switch lookup(name) {
      case .local(let v):
        if v.isConst { fail("cannot assign to constant '\(name)'", nameLoc) }
        let node = LocalAssign(slot: v.slot, op: op, value: value, loc: loc)
        v.users.append(node)
        return node
      case .capture(let i, let v):
        if v.isConst { fail("cannot assign to constant '\(name)'", nameLoc) }
        return CaptureAssign(index: i, op: op, value: value, loc: loc)
      case .global(let env, let slot, let constant, let declared):
        if !declared {
          fail("assignment to undeclared variable '\(name)'", nameLoc)
        } else if constant {
          fail("cannot assign to constant '\(name)'", nameLoc)
        }
        return GlobalAssign(env: env, slot: slot, name: name, op: op, value: value, loc: loc)
      }
    case .index, .field:
      guard let path = placePath(target, forAssignment: true) else { return EmptyStmt() }
      if path.root.isConst { fail("cannot assign to constant '\(path.root.name)'", target.loc) }
      return PathAssign(path: path, op: op, value: value, loc: loc)
    default:
      fail("cannot assign to this expression", target.loc)
      return EmptyStmt()
    }
  }

  /// The place `r.f[i]...` names, rooted at a variable; nil (with an error when
  /// assigning) when it is not rooted at one.
  func placePath(_ e: Expr, forAssignment: Bool) -> PlacePath? {
    var steps: [PathStep] = []
    var node = e
    while true {
      switch node {
      case .name(let name, let loc):
        return PlacePath(root: placeRoot(name, loc, forAssignment: forAssignment), steps: steps.reversed())
      case .field(let base, let name, let loc):
        steps.append(.field(name, loc))
        node = base
      case .index(let base, let items, let loc):
        if items.count == 1, case .single(let key) = items[0] {
          steps.append(.index(expr(key), loc))
        } else {
          steps.append(.items(items.map(indexItem), loc))
        }
        node = base
      default:
        if forAssignment { fail("cannot assign to a part of a temporary value", e.loc) }
        return nil
      }
    }
  }

  private func placeRoot(_ name: String, _ loc: SourceLoc, forAssignment: Bool) -> PlaceRoot {
    switch lookup(name) {
    case .local(let v):
      let root = PlaceRoot(.local(v.slot), name: name, isConst: v.isConst)
      v.users.append(root)
      return root
    case .capture(let i, let v):
      return PlaceRoot(.capture(i), name: name, isConst: v.isConst)
    case .global(let env, let slot, let constant, let declared):
      if forAssignment && !declared { fail("assignment to undeclared variable '\(name)'", loc) }
      // `optim.adam(...)`, `xs.append(1)`: the receiver of a method call is read.
      if !forAssignment && !declared { undeclaredReads.append((name, loc)) }
      return PlaceRoot(.global(env, slot), name: name, isConst: constant)
    }
  }
}

/// Whether a function body has a `return` of its own (nested functions do not count).
enum ReturnFinder {
  static func contains(_ b: Block) -> Bool { b.statements.contains(where: contains) }

  static func contains(_ s: Stmt) -> Bool {
    switch s {
    case .returnValue: return true
    case .expression(let e): return contains(e)
    case .binding(_, _, let e, _), .assign(_, _, let e, _): return contains(e)
    case .whileLoop(let c, let body, _): return contains(c) || contains(body)
    case .forLoop(_, let e, let body, _): return contains(e) || contains(body)
    case .assert(let c, let m, _): return contains(c) || (m.map(contains) ?? false)
    case .function, .breakLoop, .continueLoop, .importModule, .importFile: return false
    }
  }

  static func contains(_ e: Expr) -> Bool {
    switch e {
    case .literal, .name, .function: return false
    case .interpolated(let parts, _):
      return parts.contains { if case .expr(let x, _) = $0 { return contains(x) } else { return false } }
    case .list(let items, _): return items.contains(where: contains)
    case .record(let fields, _): return fields.contains { contains($0.value) }
    case .unary(_, let x, _), .field(let x, _, _): return contains(x)
    case .binary(_, let a, let b, _), .logical(_, let a, let b, _): return contains(a) || contains(b)
    case .call(let f, let args, _): return contains(f) || args.contains { contains($0.value) }
    case .index(let base, let items, _):
      return contains(base) || items.contains { item in
        switch item {
        case .single(let x): return contains(x)
        case .slice(let a, let b, let c): return [a, b, c].contains { $0.map(contains) ?? false }
        case .ellipsis: return false
        }
      }
    case .ifElse(let c, let t, let o, _): return contains(c) || contains(t) || (o.map(contains) ?? false)
    case .tryCatch(let body, _, let handler, _): return contains(body) || contains(handler)
    }
  }
}

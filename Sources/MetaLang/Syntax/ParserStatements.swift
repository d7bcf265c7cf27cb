// Statements, blocks, patterns and function declarations.

extension SyntaxParser {
  func parseStatement() throws -> Stmt {
    let token = current
    switch token.keyword {
    case .let_, .var_: return try parseBinding()
    case .fn where following.identifier != nil: return .function(try parseFunction(named: true))
    case .while_:
      advance()
      let condition = try parseExpression()
      return .whileLoop(condition: condition, body: try parseBlock("after the loop condition"), token.loc)
    case .for_: return try parseFor()
    case .break_:
      advance()
      return .breakLoop(token.loc)
    case .continue_:
      advance()
      return .continueLoop(token.loc)
    case .return_:
      advance()
      return .returnValue(atStatementEnd ? nil : try parseExpression(), token.loc)
    case .assert:
      advance()
      let condition = try parseExpression()
      var message: Expr?
      if accept(.comma) {
        skipNewlines()
        message = try parseExpression()
      }
      return .assert(condition, message: message, token.loc)
    case .import_: return try parseImport()
    default: return try parseExpressionStatement()
    }
  }

  /// An expression, or an assignment when an assignment operator follows it.
  @inline(never)
  private func parseExpressionStatement() throws -> Stmt {
    let target = try parseExpression()
    let op: AssignOp
    switch current.symbol {
    case .assign: op = .assign
    case .plusAssign: op = .add
    case .minusAssign: op = .sub
    case .starAssign: op = .mul
    case .slashAssign: op = .div
    default: return .expression(target)
    }
    advance()
    switch target {
    case .name, .field, .index: break
    default:
      throw fail(
        "cannot assign to this expression (expected a name, field or index before '\(op.rawValue)')",
        at: target.loc)
    }
    skipNewlines()
    let value = try parseExpression()
    return .assign(target: target, op, value: value, target.loc)
  }

  /// `let p = e` / `var p = e`.
  @inline(never)
  private func parseBinding() throws -> Stmt {
    let keyword = advance()
    let pattern = try parsePattern()
    try expect(.assign, "after the pattern")
    skipNewlines()
    let value = try parseExpression()
    return .binding(mutable: keyword.keyword == .var_, pattern, value, keyword.loc)
  }

  /// A name or a list pattern `[a, [b, c]]`.
  @inline(never)
  func parsePattern() throws -> Pattern {
    let token = current
    if let name = token.identifier {
      advance()
      return .name(name, token.loc)
    }
    guard token.symbol == .lbracket else { throw unexpected(token, expected: "a name or a list pattern") }
    advance()
    try openGroup(.bracket, at: token)
    var items: [Pattern] = []
    while !check(.rbracket) {
      items.append(try parsePattern())
      if !accept(.comma) { break }
    }
    if items.isEmpty { throw fail("a list pattern needs at least one name", at: current) }
    try expect(.rbracket, "to close the list pattern")
    closeGroup()
    return .list(items, token.loc)
  }

  /// `for p in e { }`; `for i, x in e` is sugar for the pattern `[i, x]`.
  @inline(never)
  private func parseFor() throws -> Stmt {
    let keyword = advance()
    var patterns = [try parsePattern()]
    while accept(.comma) {
      skipNewlines()
      patterns.append(try parsePattern())
    }
    let pattern: Pattern
    switch patterns.first {
    case let only? where patterns.count == 1: pattern = only
    case .name(_, let loc)?, .list(_, let loc)?: pattern = .list(patterns, loc)
    case nil: throw unexpected(current, expected: "a name or a list pattern")
    }
    guard check(.in_) else { throw unexpected(current, expected: "'in'") }
    advance()
    let iterable = try parseExpression()
    return .forLoop(pattern, iterable: iterable, body: try parseBlock("after the loop's iterable"), keyword.loc)
  }

  /// `import name` or `import "path.meta" as name`.
  @inline(never)
  private func parseImport() throws -> Stmt {
    let keyword = advance()
    let token = current
    if let name = token.identifier {
      advance()
      return .importModule(name: name, keyword.loc)
    }
    guard case .string(let segments) = token.kind else {
      throw unexpected(token, expected: "a module name or a path string")
    }
    guard segments.count == 1, case .text(let path) = segments.first else {
      throw fail("an import path must be a plain string without '{'", at: token)
    }
    advance()
    guard check(.as_) else { throw unexpected(current, expected: "'as' after the import path") }
    advance()
    let alias = try expectIdentifier("a name after 'as'")
    return .importFile(path: path, alias: alias.text, keyword.loc)
  }

  /// `fn name(params) { body }` (`named`) or `fn(params) { body }`.
  @inline(never)
  func parseFunction(named: Bool) throws -> FunctionDecl {
    let keyword = advance()
    var name: String?
    if named {
      name = try expectIdentifier("a function name").text
    } else if current.identifier != nil {
      throw fail(
        "a named function is a statement; write 'fn(...) { }' for a function value",
        at: current)
    }
    let params = try parseParameters()
    let body = try parseBlock("for the function body")
    return FunctionDecl(name: name, params: params, body: body, loc: keyword.loc)
  }

  /// `(x, by = 2.0)`; kept apart from `parseFunction` so the function body's
  /// recursion does not carry this loop's locals in its stack frame.
  @inline(never)
  private func parseParameters() throws -> [Param] {
    let open = try expect(.lparen, "to start the parameter list")
    try openGroup(.paren, at: open)
    var params: [Param] = []
    var names = Set<String>()  // a set: a function may have 100,000 parameters
    while !check(.rparen) {
      let nameToken = try expectIdentifier("a parameter name")
      if !names.insert(nameToken.text).inserted {
        throw fail("duplicate parameter '\(nameToken.text)'", at: nameToken)
      }
      var defaultValue: Expr?
      if accept(.assign) { defaultValue = try parseExpression() }
      params.append(Param(name: nameToken.text, defaultValue: defaultValue, loc: nameToken.loc))
      if !accept(.comma) { break }
    }
    guard check(.rparen) else {
      throw unexpected(current, expected: "',' or ')' in the parameter list opened at \(open.loc)")
    }
    advance()
    closeGroup()
    return params
  }

  /// `{ statements }` where newlines end statements.
  @inline(never)
  func parseBlock(_ context: String) throws -> Block {
    let open = current
    guard open.symbol == .lbrace else { throw unexpected(open, expected: "'{' \(context)") }
    advance()  // before opening the block: inside it, line ends count
    try openGroup(.block, at: open)
    let statements = parseStatementList(inBlock: true)
    guard tokens[index].symbol == .rbrace else {
      throw unexpected(tokens[index], expected: "'}' to close the block opened at \(open.loc)")
    }
    index += 1
    closeGroup()
    return Block(statements: statements, loc: open.loc)
  }
}

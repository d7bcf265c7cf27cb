// Expressions by precedence, lowest first: or, and, not, comparisons,
// + -, * / // % @, unary -, ** (right-assoc), postfix call/index/field.

extension SyntaxParser {
  func parseExpression() throws -> Expr {
    try parseBinary(above: .or)
  }

  /// Binding strength of the binary operators, weakest first. Prefix `not`
  /// sits at `.not`; unary minus binds between `.multiplicative` and `.power`.
  enum Precedence: Int, Comparable {
    case or = 1, and, not, comparison, additive, multiplicative, power
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
  }

  private static func binaryOperator(_ token: Token) -> (Precedence, BinaryOp?, LogicalOp?)? {
    if let keyword = token.keyword {
      switch keyword {
      case .or: return (.or, nil, .or)
      case .and: return (.and, nil, .and)
      default: return nil
      }
    }
    switch token.symbol {
    case .equalEqual: return (.comparison, .eq, nil)
    case .bangEqual: return (.comparison, .ne, nil)
    case .less: return (.comparison, .lt, nil)
    case .lessEqual: return (.comparison, .le, nil)
    case .greater: return (.comparison, .gt, nil)
    case .greaterEqual: return (.comparison, .ge, nil)
    case .plus: return (.additive, .add, nil)
    case .minus: return (.additive, .sub, nil)
    case .star: return (.multiplicative, .mul, nil)
    case .slash: return (.multiplicative, .div, nil)
    case .slashSlash: return (.multiplicative, .floorDiv, nil)
    case .percent: return (.multiplicative, .mod, nil)
    case .at: return (.multiplicative, .matmul, nil)
    case .starStar: return (.power, .pow, nil)
    default: return nil
    }
  }

  /// Precedence climbing over operators binding at least as tightly as
  /// `minimum` (one loop instead of a function per level keeps the native
  /// stack per nesting level small). All binary operators are left-associative
  /// except `**` (right) and comparisons (which do not associate: `a < b < c` is
  /// an error, not Python's chain). Each applied operator is one nesting level,
  /// since it deepens the tree the interpreter walks.
  private func parseBinary(above minimum: Precedence) throws -> Expr {
    var lhs = try parseOperand(above: minimum)
    var levels = 0
    defer { depth -= levels }
    var afterComparison = false
    while let (precedence, binary, logical) = Self.binaryOperator(current).flatMap({ $0.0 >= minimum ? $0 : nil }) {
      if precedence == .comparison, afterComparison {
        throw fail("comparison operators do not chain; use 'and'", at: current)
      }
      let op = advance()
      skipNewlines()
      try enter(at: op)
      levels += 1
      // `**` is right-associative: its right side may hold another `**` (and a unary minus).
      let next = Precedence(rawValue: precedence.rawValue + 1) ?? .power
      let rhs = try parseBinary(above: next)
      if let binary {
        lhs = .binary(binary, lhs, rhs, op.loc)
      } else if let logical {
        lhs = .logical(logical, lhs, rhs, op.loc)
      }
      afterComparison = precedence == .comparison
    }
    return lhs
  }

  /// A prefix `not` (only where the precedence allows it: `a == not b` is an
  /// error), a unary minus (binding looser than `**`: `-x ** 2` is `-(x ** 2)`,
  /// but allowed as any operand: `2 ** -1`, `a * -b`), or a postfix expression.
  private func parseOperand(above minimum: Precedence) throws -> Expr {
    let token = current
    if token.keyword == .not, minimum <= .not {
      advance()
      try enter(at: token)
      defer { depth -= 1 }
      return .unary(.not, try parseBinary(above: .not), token.loc)
    }
    if token.symbol == .minus {
      advance()
      try enter(at: token)
      defer { depth -= 1 }
      return .unary(.negate, try parseBinary(above: .power), token.loc)
    }
    return try parsePostfix()
  }

  // MARK: - Postfix

  /// Calls, indexing and field access, which must start on the same line as
  /// their operand (outside brackets).
  func parsePostfix() throws -> Expr {
    var expr = try parsePrimary()
    var levels = 0
    defer { depth -= levels }
    while true {
      let token = current
      switch token.symbol {
      // The argument list is itself a level; once closed, the call stays one
      // level deeper than its callee.
      case .lparen:
        expr = .call(expr, try parseArguments(), expr.loc)
        depth += 1
        levels += 1
      case .lbracket:
        expr = .index(expr, try parseIndexItems(), token.loc)
        depth += 1
        levels += 1
      case .dot:
        try enter(at: token)
        levels += 1
        advance()
        let name = current
        switch name.kind {
        case .identifier(let text): expr = .field(expr, text, name.loc)
        case .keyword(let keyword): expr = .field(expr, keyword.rawValue, name.loc)
        default: throw unexpected(name, expected: "a field name after '.'")
        }
        advance()
      default:
        return expr
      }
    }
  }

  /// `(x, y, by: 2)`: positional arguments, then named ones.
  @inline(never)
  private func parseArguments() throws -> [Argument] {
    let open = advance()
    try openGroup(.paren, at: open)
    var arguments: [Argument] = []
    var labels = Set<String>()  // a set: a call may have 100,000 named arguments
    while !check(.rparen) {
      let start = current
      var label: String?
      if let name = start.identifier, following.symbol == .colon {
        if !labels.insert(name).inserted {
          throw fail("duplicate argument '\(name)'", at: start)
        }
        label = name
        advance()
        advance()
      } else if arguments.last?.label != nil {
        throw fail("positional argument after named arguments", at: start)
      }
      arguments.append(Argument(label: label, value: try parseExpression(), loc: start.loc))
      if !accept(.comma) { break }
    }
    guard check(.rparen) else {
      throw unexpected(current, expected: "',' or ')' in the call opened at \(open.loc)")
    }
    advance()
    closeGroup()
    return arguments
  }

  /// `[i, 1:3, ::2, :]`: each item an expression or a slice with optional parts.
  @inline(never)
  private func parseIndexItems() throws -> [IndexItem] {
    let open = advance()
    try openGroup(.bracket, at: open)
    var items: [IndexItem] = []
    repeat {
      if check(.rbracket) {
        if items.isEmpty { throw unexpected(current, expected: "an index") }
        break
      }
      items.append(try parseIndexItem())
    } while accept(.comma)
    guard check(.rbracket) else {
      throw unexpected(current, expected: "',' or ']' in the index opened at \(open.loc)")
    }
    advance()
    closeGroup()
    return items
  }

  @inline(never)
  private func parseIndexItem() throws -> IndexItem {
    if accept(.ellipsis) { return .ellipsis }
    let start = check(.colon) ? nil : try parseExpression()
    guard accept(.colon) else {
      guard let start else { throw unexpected(current, expected: "an index") }
      return .single(start)
    }
    let endsPart = { (p: SyntaxParser) in p.check(.colon) || p.check(.comma) || p.check(.rbracket) }
    let stop = endsPart(self) ? nil : try parseExpression()
    var step: Expr?
    if accept(.colon), !(check(.comma) || check(.rbracket)) {
      step = try parseExpression()
    }
    return .slice(start: start, stop: stop, step: step)
  }
}

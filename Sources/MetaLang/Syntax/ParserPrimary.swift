// Primary expressions: literals, strings with interpolation, names,
// parentheses, lists, records, `if`, `try` and anonymous functions.

extension SyntaxParser {
  func parsePrimary() throws -> Expr {
    let token = current
    switch token.kind {
    case .int(let value):
      advance()
      return .literal(.int(value), token.loc)
    case .float(let value):
      advance()
      return .literal(.float(value), token.loc)
    case .string(let segments):
      advance()
      return try parseString(segments, loc: token.loc)
    case .identifier(let name):
      advance()
      return .name(name, token.loc)
    case .keyword(.true_):
      advance()
      return .literal(.bool(true), token.loc)
    case .keyword(.false_):
      advance()
      return .literal(.bool(false), token.loc)
    case .keyword(.nil_):
      advance()
      return .literal(.nil_, token.loc)
    case .keyword(.fn):
      return .function(try parseFunction(named: false))
    case .keyword(.if_):
      return try parseIf()
    case .keyword(.try_):
      return try parseTry()
    case .symbol(.lparen):
      return try parseParenthesized()
    case .symbol(.lbracket):
      return try parseList()
    case .symbol(.lbrace):
      return try parseRecord()
    default:
      throw unexpected(token, expected: "an expression")
    }
  }

  /// `( expr )`
  @inline(never)
  private func parseParenthesized() throws -> Expr {
    let open = advance()
    try openGroup(.paren, at: open)
    let inner = try parseExpression()
    guard check(.rparen) else {
      throw unexpected(current, expected: "')' to close the '(' at \(open.loc)")
    }
    advance()
    closeGroup()
    return inner
  }

  /// A literal, or `.interpolated` when the string has `{expr}` parts.
  @inline(never)
  private func parseString(_ segments: [StringSegment], loc: SourceLoc) throws -> Expr {
    if segments.count == 1, case .text(let text) = segments.first {
      return .literal(.string(text), loc)
    }
    var parts: [StringPart] = []
    for segment in segments {
      switch segment {
      case .text(let text): parts.append(.text(text))
      case .code(let tokens, let format, _):
        parts.append(.expr(try parseEmbedded(tokens), format: format))
      }
    }
    return .interpolated(parts, loc)
  }

  /// Parses the token list of one `{expr}`, then returns to the outer tokens.
  @inline(never)
  private func parseEmbedded(_ embedded: [Token]) throws -> Expr {
    let saved = (tokens, index)
    tokens = embedded.isEmpty ? [Token(kind: .interpolationEnd, loc: SourceLoc(line: 1, column: 1), text: "}")] : embedded
    index = 0
    defer { (tokens, index) = saved }
    try openGroup(.interpolation, at: tokens[0])
    defer { closeGroup() }
    let expr = try parseExpression()
    guard case .interpolationEnd = current.kind else {
      throw unexpected(current, expected: "'}' to end the expression in the string")
    }
    return expr
  }

  /// `[a, b, c,]`
  @inline(never)
  private func parseList() throws -> Expr {
    let open = advance()
    try openGroup(.bracket, at: open)
    var items: [Expr] = []
    while !check(.rbracket) {
      items.append(try parseExpression())
      if !accept(.comma) { break }
    }
    guard check(.rbracket) else {
      throw unexpected(current, expected: "',' or ']' in the list opened at \(open.loc)")
    }
    advance()
    closeGroup()
    return .list(items, open.loc)
  }

  /// `{lr: 0.1, "any key": 2,}`: keys are names, keywords or plain strings.
  @inline(never)
  private func parseRecord() throws -> Expr {
    let open = advance()
    try openGroup(.record, at: open)
    var fields: [(key: String, value: Expr)] = []
    var seen = Set<String>()  // a set: a record literal may have 300,000 keys
    while !check(.rbrace) {
      let keyToken = current
      let key: String
      switch keyToken.kind {
      case .identifier(let name): key = name
      case .keyword(let keyword): key = keyword.rawValue
      case .string(let segments):
        guard segments.count == 1, case .text(let text) = segments.first else {
          throw fail("a record key must be a plain string without '{'", at: keyToken)
        }
        key = text
      default:
        throw unexpected(keyToken, expected: "a field name or '}' in the record opened at \(open.loc)")
      }
      if !seen.insert(key).inserted {
        throw fail("duplicate key '\(key)' in record", at: keyToken)
      }
      advance()
      try expect(.colon, "after the record key")
      fields.append((key: key, value: try parseExpression()))
      if !accept(.comma) { break }
    }
    guard check(.rbrace) else {
      throw unexpected(current, expected: "',' or '}' in the record opened at \(open.loc)")
    }
    advance()
    closeGroup()
    return .record(fields, open.loc)
  }

  /// `if c { } else if d { } else { }`; `else` may start the next line.
  @inline(never)
  private func parseIf() throws -> Expr {
    let keyword = advance()
    let condition = try parseExpression()
    let then = try parseBlock("after the 'if' condition")
    guard nextNonNewline.keyword == .else_ else {
      return .ifElse(condition: condition, then: then, otherwise: nil, keyword.loc)
    }
    skipNewlines()
    advance()
    let otherwise: Block
    if check(.if_) {
      // `else if` nests; each link is one level, like any nested expression.
      try enter(at: current)
      defer { depth -= 1 }
      let nested = try parseIf()
      otherwise = Block(statements: [.expression(nested)], loc: nested.loc)
    } else {
      otherwise = try parseBlock("after 'else'")
    }
    return .ifElse(condition: condition, then: then, otherwise: otherwise, keyword.loc)
  }

  /// `try { } catch err { }` or `try { } catch { }`; `catch` may start the next line.
  @inline(never)
  private func parseTry() throws -> Expr {
    let keyword = advance()
    let body = try parseBlock("after 'try'")
    guard nextNonNewline.keyword == .catch_ else {
      skipNewlines()
      throw unexpected(current, expected: "'catch' after the 'try' block")
    }
    skipNewlines()
    advance()
    var errorName: String?
    if let name = current.identifier {
      advance()
      errorName = name
    }
    let handler = try parseBlock("after 'catch'")
    return .tryCatch(body: body, errorName: errorName, handler: handler, keyword.loc)
  }
}

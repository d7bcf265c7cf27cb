// The parser's entry points and its machinery: token access with the
// newline rules, error reporting, nesting bound and error recovery. The
// grammar itself is in ParserStatements.swift and ParserExpressions.swift,
// and written down normatively in grammar/meta.ebnf.

/// Parses Meta source text.
enum Parser {
  /// Parses a whole file or REPL input. Never throws, never traps: returns the program
  /// (with erroneous statements skipped) plus every syntax error found, in source order
  /// (recovery resynchronizes at statement boundaries, so one run reports many errors).
  ///
  /// `poll` (see CompilePoll) may stop a long parse: the result is then meaningless.
  static func parse(
    _ source: String, file: String, poll: CompilePoll? = nil
  ) -> (program: Program, errors: [MetaError]) {
    let (tokens, lexErrors) = Lexer.tokenize(source, file: file, poll: poll)
    let parser = SyntaxParser(tokens: tokens, file: file)
    parser.poll = poll
    let statements = parser.parseProgram()
    if poll?.stopped != nil { return (Program(statements: []), []) }
    var errors = lexErrors + parser.errors
    // Stable sort: lexer errors first among errors at the same position.
    errors = errors.enumerated().sorted { a, b in
      let (la, lb) = (a.element.loc, b.element.loc)
      if la.line != lb.line { return la.line < lb.line }
      if la.column != lb.column { return la.column < lb.column }
      return a.offset < b.offset
    }.map(\.element)
    return (Program(statements: statements), MetaError.attachingSource(errors, source))
  }

  /// True when `source` ends inside an unfinished construct (an open `(` `[` `{` or
  /// block, a trailing binary operator or comma, an unterminated string): every
  /// error it has is at the end of input, so more lines could complete it.
  static func isIncomplete(_ source: String) -> Bool {
    let errors = parse(source, file: "<input>").errors
    return !errors.isEmpty && errors.allSatisfy(\.atEndOfInput)
  }
}

/// Thrown inside the parser once an error has been recorded; caught by the
/// statement loop, which resynchronizes.
struct SyntaxFailure: Error {}

/// What an open bracket or brace is; decides whether line ends count.
enum Group: Equatable {
  case paren, bracket, record, block
  /// The tokens of `{expr}` inside a string: a separate token list.
  case interpolation

  var ignoresNewlines: Bool { self != .block }

  var closer: Symbol? {
    switch self {
    case .paren: .rparen
    case .bracket: .rbracket
    case .record, .block: .rbrace
    case .interpolation: nil
    }
  }
}

/// The recursive-descent parser. `tokens` always ends with `.endOfInput` or
/// `.interpolationEnd`, and the index never moves past that last token.
/// A class rather than a struct: the recursive functions then share one
/// reference instead of copying a large `self` into each stack frame.
final class SyntaxParser {
  var tokens: [Token]
  var index = 0
  let file: String
  var errors: [MetaError] = []
  var depth = 0
  var groups: [Group] = [] {
    didSet { skipsNewlines = groups.last?.ignoresNewlines ?? false }
  }
  /// Whether the innermost group ignores line ends: read at every token, so kept.
  private var skipsNewlines = false
  /// `groups` as it was when the last error was raised: the brackets that
  /// recovery must skip to the end of.
  var groupsAtFailure: [Group] = []
  /// Stops a long parse: once it has, every token is the last one.
  var poll: CompilePoll?

  init(tokens: [Token], file: String) {
    self.tokens = tokens.isEmpty ? [Token(kind: .endOfInput, loc: SourceLoc(line: 1, column: 1), text: "")] : tokens
    self.file = file
  }

  // MARK: - Tokens

  private var lastIndex: Int { tokens.count - 1 }

  /// Index of the current token: line ends are skipped inside brackets.
  private var currentIndex: Int {
    var i = index
    if skipsNewlines {
      while i < lastIndex, tokens[i].isNewline { i += 1 }
    }
    return i
  }

  var current: Token { tokens[currentIndex] }

  /// The token after the current one (line ends inside brackets skipped).
  var following: Token {
    var i = min(currentIndex + 1, lastIndex)
    if skipsNewlines {
      while i < lastIndex, tokens[i].isNewline { i += 1 }
    }
    return tokens[i]
  }

  /// Consumes and returns the current token.
  @discardableResult
  func advance() -> Token {
    let i = currentIndex
    index = min(i + 1, lastIndex)
    if let poll, poll.tick(tokens[i].loc) { index = lastIndex }
    return tokens[i]
  }

  /// Skips line ends (after a binary operator or a comma they do not end a statement).
  func skipNewlines() {
    while index < lastIndex, tokens[index].isNewline { index += 1 }
  }

  /// The first token at or after the current position that is not a line end,
  /// without consuming anything: for `else`/`catch` on the line after a `}`.
  var nextNonNewline: Token {
    var i = index
    while i < lastIndex, tokens[i].isNewline { i += 1 }
    return tokens[i]
  }

  func check(_ symbol: Symbol) -> Bool { tokens[currentIndex].symbol == symbol }
  func check(_ keyword: Keyword) -> Bool { tokens[currentIndex].keyword == keyword }

  func accept(_ symbol: Symbol) -> Bool {
    guard check(symbol) else { return false }
    advance()
    return true
  }

  @discardableResult
  func expect(_ symbol: Symbol, _ context: String? = nil) throws -> Token {
    guard check(symbol) else {
      throw unexpected(current, expected: "'\(symbol.rawValue)'" + (context.map { " " + $0 } ?? ""))
    }
    return advance()
  }

  func expectIdentifier(_ what: String) throws -> Token {
    guard current.identifier != nil else { throw unexpected(current, expected: what) }
    return advance()
  }

  /// True at a token that ends the current statement.
  var atStatementEnd: Bool {
    switch tokens[index].kind {
    case .newline, .endOfInput, .interpolationEnd, .symbol(.semicolon), .symbol(.rbrace): true
    default: false
    }
  }

  // MARK: - Errors and nesting

  /// Records `message` at `token` (unless the lexer already reported it) and
  /// returns the failure to throw.
  ///
  /// Error paths take the message as an autoclosure and are never inlined, so
  /// building messages adds nothing to the recursive functions' stack frames.
  @inline(never)
  func fail(_ message: @autoclosure () -> String, at token: Token) -> SyntaxFailure {
    groupsAtFailure = groups
    if case .error = token.kind { return SyntaxFailure() }
    let atEnd: Bool
    if case .endOfInput = token.kind { atEnd = true } else { atEnd = false }
    // Every block still open at the end would report it; the innermost says enough.
    if atEnd, errors.contains(where: \.atEndOfInput) { return SyntaxFailure() }
    errors.append(MetaError(.syntax, message(), file: file, loc: token.loc, atEndOfInput: atEnd))
    return SyntaxFailure()
  }

  @inline(never)
  func fail(_ message: @autoclosure () -> String, at loc: SourceLoc) -> SyntaxFailure {
    fail(message(), at: Token(kind: .symbol(.semicolon), loc: loc, text: ""))
  }

  /// `unexpected ')' (expected an expression)`
  @inline(never)
  func unexpected(_ token: Token, expected: @autoclosure () -> String) -> SyntaxFailure {
    fail("unexpected \(token.quoted) (expected \(expected()))", at: token)
  }

  /// Opens one nesting level at `token`; the caller undoes it with `depth -= 1`.
  func enter(at token: Token) throws {
    depth += 1
    if depth > maxParseDepth { throw fail("expression nested too deeply", at: token) }
  }

  /// Opens a bracket or block at `token` (already consumed).
  func openGroup(_ group: Group, at token: Token) throws {
    // Pushed first, so recovery from "nested too deeply" skips to its closer too.
    groups.append(group)
    try enter(at: token)
  }

  func closeGroup() {
    depth -= 1
    groups.removeLast()
  }

  // MARK: - Statement lists and recovery

  func parseProgram() -> [Stmt] {
    parseStatementList(inBlock: false)
  }

  /// Statements up to `}` (in a block) or the end of input, recovering from
  /// errors at statement boundaries. Never throws.
  func parseStatementList(inBlock: Bool) -> [Stmt] {
    var statements: [Stmt] = []
    while true {
      while tokens[index].isNewline || tokens[index].symbol == .semicolon { index += 1 }
      let token = tokens[index]
      switch token.kind {
      case .endOfInput, .interpolationEnd: return statements
      case .symbol(.rbrace) where inBlock: return statements
      case .symbol(.rbrace):
        _ = fail("unexpected '}' (no block to close)", at: token)
        index += 1
        continue
      default: break
      }
      let (mark, savedDepth, start) = (groups.count, depth, index)
      do {
        let statement = try parseStatement()
        if !atStatementEnd {
          throw unexpected(tokens[index], expected: "end of statement")
        }
        statements.append(statement)
      } catch {
        var open = Array(groupsAtFailure.dropFirst(mark))
        if let cut = open.firstIndex(of: .interpolation) { open.removeSubrange(cut...) }
        groups.removeSubrange(min(mark, groups.count)...)
        depth = savedDepth
        synchronize(open: open)
        // A `}` outside any block, or a token recovery stopped on, must not loop forever.
        if index == start { index = min(index + 1, lastIndex) }
      }
    }
  }

  /// Skips the rest of a broken statement: to the line end or `;` that ends it,
  /// past the closers of the brackets `open` that were open at the error, or to
  /// the `}` of the enclosing block. Outside braces, a line starting with a
  /// statement keyword also ends the skip, so one missing `)` does not swallow
  /// the rest of a file (inside a skipped block or record such lines are normal).
  private func synchronize(open: [Group]) {
    var closers = open.compactMap(\.closer)
    if index > 0, tokens[index - 1].isNewline, !closers.contains(.rbrace), startsStatementOnly(index) {
      return
    }
    while index < lastIndex {
      let token = tokens[index]
      switch token.kind {
      case .newline, .symbol(.semicolon):
        if closers.isEmpty { return }
        if token.isNewline, !closers.contains(.rbrace), startsStatementOnly(index + 1) {
          index += 1
          return
        }
      case .symbol(.lparen): closers.append(.rparen)
      case .symbol(.lbracket): closers.append(.rbracket)
      case .symbol(.lbrace): closers.append(.rbrace)
      case .symbol(let s) where s == .rparen || s == .rbracket || s == .rbrace:
        if let k = closers.lastIndex(of: s) {
          closers.removeSubrange(k...)
        } else if s == .rbrace {
          return  // closes the enclosing block
        }
      case .interpolationEnd:
        return
      default: break
      }
      index += 1
    }
  }

  /// True when the token at `i` can only begin a statement (`let`, `fn name`, ...).
  private func startsStatementOnly(_ i: Int) -> Bool {
    switch tokens[i].keyword {
    case .let_, .var_, .while_, .for_, .return_, .break_, .continue_, .import_, .assert: true
    case .fn: i < lastIndex && tokens[i + 1].identifier != nil
    default: false
    }
  }
}

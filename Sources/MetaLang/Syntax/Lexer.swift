// Turns source text into tokens. The lexer never stops at an error: it
// reports it, leaves an `.error` token in its place and carries on, so one
// run finds every lexical mistake.

/// Lexes a whole file into tokens ending with `.endOfInput`.
struct Lexer {
  private let scalars: [Unicode.Scalar]
  private let file: String
  private var pos = 0
  private var line = 1
  private var column = 1
  /// How many string literals enclose the current position (interpolation nests).
  private var stringDepth = 0
  /// Set once an unterminated string has been reported, so the enclosing
  /// strings of an interpolation do not each report it again.
  private var reachedEndInString = false
  private(set) var errors: [MetaError] = []

  init(_ source: String, file: String) {
    self.scalars = Array(source.unicodeScalars)
    self.file = file
  }

  /// Every token of the source; runs of line ends collapse into one `.newline`.
  /// A stopped `poll` ends the list early (with `.endOfInput`).
  static func tokenize(
    _ source: String, file: String, poll: CompilePoll? = nil
  ) -> (tokens: [Token], errors: [MetaError]) {
    var lexer = Lexer(source, file: file)
    var tokens: [Token] = []
    while true {
      var token = lexer.next()
      if let poll, poll.tick(token.loc) { token = Token(kind: .endOfInput, loc: token.loc, text: "") }
      if token.isNewline, tokens.last?.isNewline ?? true { continue }
      tokens.append(token)
      if case .endOfInput = token.kind { break }
    }
    return (tokens, lexer.errors)
  }

  // MARK: - Characters

  private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
    let i = pos + ahead
    return i < scalars.count ? scalars[i] : nil
  }

  private var here: SourceLoc { SourceLoc(line: line, column: column) }

  private mutating func advance() {
    guard pos < scalars.count else { return }
    if scalars[pos] == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
    pos += 1
  }

  /// The source text from scalar `start` to the current position.
  private func text(from start: Int) -> String {
    let slice = scalars[start..<min(pos, scalars.count)]
    // Lexemes are nearly always ASCII; bytes are much faster to assemble than scalars.
    var bytes: [UInt8] = []
    bytes.reserveCapacity(slice.count)
    for c in slice {
      guard c.isASCII else { return String(String.UnicodeScalarView(slice)) }
      bytes.append(UInt8(truncatingIfNeeded: c.value))
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func isDigit(_ c: Unicode.Scalar?) -> Bool {
    guard let c else { return false }
    return c >= "0" && c <= "9"
  }

  private static func isIdentifierStart(_ c: Unicode.Scalar?) -> Bool {
    guard let c else { return false }
    return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
  }

  private static func isIdentifierPart(_ c: Unicode.Scalar?) -> Bool {
    isIdentifierStart(c) || isDigit(c)
  }

  private mutating func report(_ message: String, at loc: SourceLoc, atEnd: Bool = false) {
    errors.append(MetaError(.syntax, message, file: file, loc: loc, atEndOfInput: atEnd))
  }

  // MARK: - Tokens

  /// The next token, skipping blanks and comments.
  mutating func next() -> Token {
    while let c = peek() {
      if c == " " || c == "\t" || c == "\r" {
        advance()
      } else if c == "#" {
        while let d = peek(), d != "\n" { advance() }
      } else {
        break
      }
    }
    let start = pos
    let loc = here
    guard let c = peek() else { return Token(kind: .endOfInput, loc: loc, text: "") }
    if c == "\n" {
      advance()
      return Token(kind: .newline, loc: loc, text: "\\n")
    }
    if Self.isIdentifierStart(c) {
      while Self.isIdentifierPart(peek()) { advance() }
      let word = text(from: start)
      let kind: TokenKind = Keyword(rawValue: word).map { .keyword($0) } ?? .identifier(word)
      return Token(kind: kind, loc: loc, text: word)
    }
    if Self.isDigit(c) || (c == "." && Self.isDigit(peek(1))) {
      return lexNumber(start: start, loc: loc)
    }
    if c == "\"" { return lexString(start: start, loc: loc) }
    if let symbol = lexSymbol() { return Token(kind: .symbol(symbol), loc: loc, text: symbol.rawValue) }
    advance()
    let hint: String
    switch c {
    case "!": hint = " (use 'not' or '!=')"
    case "&": hint = " (use 'and')"
    case "|": hint = " (use 'or')"
    case "'": hint = " (strings use double quotes)"
    default: hint = ""
    }
    report("unexpected character '\(Character(c))'\(hint)", at: loc)
    return Token(kind: .error, loc: loc, text: String(Character(c)))
  }

  /// Longest-match operators and punctuation (a switch on scalars: building a
  /// String per candidate made this the lexer's hot spot).
  private mutating func lexSymbol() -> Symbol? {
    guard let c = peek() else { return nil }
    let next = peek(1)
    let symbol: Symbol
    var length = 1
    switch c {
    case "(": symbol = .lparen
    case ")": symbol = .rparen
    case "[": symbol = .lbracket
    case "]": symbol = .rbracket
    case "{": symbol = .lbrace
    case "}": symbol = .rbrace
    case ",": symbol = .comma
    case ":": symbol = .colon
    case ";": symbol = .semicolon
    case ".": (symbol, length) = next == "." && peek(2) == "." ? (.ellipsis, 3) : (.dot, 1)
    case "%": symbol = .percent
    case "@": symbol = .at
    case "+": (symbol, length) = next == "=" ? (.plusAssign, 2) : (.plus, 1)
    case "-": (symbol, length) = next == "=" ? (.minusAssign, 2) : (.minus, 1)
    case "*":
      (symbol, length) = next == "*" ? (.starStar, 2) : next == "=" ? (.starAssign, 2) : (.star, 1)
    case "/":
      (symbol, length) = next == "/" ? (.slashSlash, 2) : next == "=" ? (.slashAssign, 2) : (.slash, 1)
    case "=": (symbol, length) = next == "=" ? (.equalEqual, 2) : (.assign, 1)
    case "<": (symbol, length) = next == "=" ? (.lessEqual, 2) : (.less, 1)
    case ">": (symbol, length) = next == "=" ? (.greaterEqual, 2) : (.greater, 1)
    case "!" where next == "=": (symbol, length) = (.bangEqual, 2)
    default: return nil
    }
    for _ in 0..<length { advance() }
    return symbol
  }

  // MARK: - Numbers

  private mutating func lexNumber(start: Int, loc: SourceLoc) -> Token {
    var isFloat = false
    while Self.isDigit(peek()) || peek() == "_" { advance() }
    if peek() == ".", Self.isDigit(peek(1)) {
      isFloat = true
      advance()
      while Self.isDigit(peek()) || peek() == "_" { advance() }
    }
    if peek() == "e" || peek() == "E" {
      let signed = peek(1) == "+" || peek(1) == "-"
      if Self.isDigit(peek(signed ? 2 : 1)) {
        isFloat = true
        advance()
        if signed { advance() }
        while Self.isDigit(peek()) || peek() == "_" { advance() }
      }
    }
    // `3abc` or `1e` is one bad literal, not a number followed by a name.
    var malformed = false
    while Self.isIdentifierPart(peek()) {
      malformed = true
      advance()
    }
    let raw = text(from: start)
    // Separators are rare: most literals skip the check and the copy.
    let separated = raw.utf8.contains(UInt8(ascii: "_"))
    if separated {
      let chars = Array(raw.unicodeScalars)
      for (i, c) in chars.enumerated() where c == "_" {
        let before = i > 0 ? chars[i - 1] : nil
        let after = i + 1 < chars.count ? chars[i + 1] : nil
        if !Self.isDigit(before) || !Self.isDigit(after) { malformed = true }
      }
    }
    if malformed {
      report("invalid number literal '\(raw)'", at: loc)
      return Token(kind: .error, loc: loc, text: raw)
    }
    let digits = separated ? raw.replacingAll("_", with: "") : raw
    if isFloat {
      guard let value = Double(digits) else {
        report("invalid number literal '\(raw)'", at: loc)
        return Token(kind: .error, loc: loc, text: raw)
      }
      return Token(kind: .float(value), loc: loc, text: raw)
    }
    guard let value = Int(digits) else {
      report("integer literal \(raw) is too large", at: loc)
      return Token(kind: .error, loc: loc, text: raw)
    }
    return Token(kind: .int(value), loc: loc, text: raw)
  }

  // MARK: - Strings

  /// A string literal at the opening quote. Raw line ends are part of the
  /// string; `{` starts an embedded expression that is lexed as tokens.
  private mutating func lexString(start: Int, loc: SourceLoc) -> Token {
    advance()  // opening quote
    stringDepth += 1
    defer { stringDepth -= 1 }
    if stringDepth > maxParseDepth {
      report("strings nested too deeply", at: loc)
      while peek() != nil { advance() }
      reachedEndInString = true
      return Token(kind: .error, loc: loc, text: "\"")
    }
    var segments: [StringSegment] = []
    var pending = ""
    var failed = false
    while true {
      guard let c = peek() else { return unterminated(loc) }
      if c == "\"" {
        advance()
        break
      }
      if c == "\\" {
        let escapeLoc = here
        advance()
        guard let e = peek() else { return unterminated(loc) }
        advance()
        switch e {
        case "n": pending += "\n"
        case "t": pending += "\t"
        case "r": pending += "\r"
        case "0": pending += "\0"
        case "\"", "\\", "{", "}": pending.unicodeScalars.append(e)
        case "\n":
          report("invalid escape '\\' at end of line in string", at: escapeLoc)
        default:
          report("invalid escape '\\\(Character(e))' in string", at: escapeLoc)
          pending.unicodeScalars.append(e)
        }
        continue
      }
      if c == "{" {
        if !pending.isEmpty { segments.append(.text(pending)) }
        pending = ""
        let braceLoc = here
        advance()
        switch lexEmbedded(braceLoc: braceLoc) {
        case .segment(let segment): segments.append(segment)
        case .endOfInput: return unterminated(loc)
        case .broken: failed = true
        }
        if failed, peek() != "\"" { break }
        continue
      }
      // A file with CRLF line ends gives the same strings as one with LF.
      if !(c == "\r" && peek(1) == "\n") { pending.unicodeScalars.append(c) }
      advance()
    }
    if failed { return Token(kind: .error, loc: loc, text: text(from: start)) }
    if !pending.isEmpty || segments.isEmpty { segments.append(.text(pending)) }
    return Token(kind: .string(segments), loc: loc, text: text(from: start))
  }

  private mutating func unterminated(_ loc: SourceLoc) -> Token {
    if !reachedEndInString { report("unterminated string", at: loc, atEnd: true) }
    reachedEndInString = true
    return Token(kind: .error, loc: loc, text: "\"")
  }

  private enum Embedded {
    case segment(StringSegment)
    /// Input ended inside the expression: the string is unterminated.
    case endOfInput
    /// The format spec ran into a quote or a line end; already reported.
    case broken
  }

  /// The tokens of `{expr}` or `{expr:spec}`, after the `{`. The expression
  /// ends at the first `:` or `}` outside brackets, so `{t[1:2]}` has no spec.
  private mutating func lexEmbedded(braceLoc: SourceLoc) -> Embedded {
    var tokens: [Token] = []
    var depth = 0
    while true {
      let token = next()
      switch token.kind {
      case .endOfInput:
        return .endOfInput
      case .newline:
        continue  // an embedded expression is bracketed: line ends do not matter
      case .error where reachedEndInString:
        return .endOfInput
      case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace):
        depth += 1
      case .symbol(.rparen), .symbol(.rbracket):
        depth = max(0, depth - 1)
      case .symbol(.rbrace) where depth > 0:
        depth -= 1
      case .symbol(.rbrace):
        tokens.append(Token(kind: .interpolationEnd, loc: token.loc, text: "}"))
        return .segment(.code(tokens: tokens, format: nil, loc: braceLoc))
      case .symbol(.colon) where depth == 0:
        tokens.append(Token(kind: .interpolationEnd, loc: token.loc, text: ":"))
        return lexFormatSpec(tokens: tokens, braceLoc: braceLoc)
      default:
        break
      }
      tokens.append(token)
    }
  }

  /// The format spec after `:`, up to the closing `}`.
  private mutating func lexFormatSpec(tokens: [Token], braceLoc: SourceLoc) -> Embedded {
    var spec = ""
    while let c = peek() {
      if c == "}" {
        advance()
        return .segment(.code(tokens: tokens, format: spec, loc: braceLoc))
      }
      if c == "\"" || c == "\n" || c == "{" {
        report("missing '}' after format spec in string", at: here)
        return .broken
      }
      spec.unicodeScalars.append(c)
      advance()
    }
    return .endOfInput
  }
}

extension String {
  /// `self` with every occurrence of `target` replaced (Foundation-free).
  fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}

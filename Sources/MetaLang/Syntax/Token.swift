// The lexer's output: what each piece of source is and where it starts.

/// The reserved words of the language.
enum Keyword: String, CaseIterable, Sendable {
  case let_ = "let", var_ = "var", fn, return_ = "return", if_ = "if", else_ = "else"
  case while_ = "while", for_ = "for", in_ = "in", break_ = "break", continue_ = "continue"
  case import_ = "import", as_ = "as", and, or, not, true_ = "true", false_ = "false"
  case nil_ = "nil", try_ = "try", catch_ = "catch", assert
}

/// Operators and punctuation.
enum Symbol: String, CaseIterable, Sendable {
  case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
  case comma = ",", colon = ":", semicolon = ";", dot = ".", ellipsis = "..."
  case plus = "+", minus = "-", star = "*", slash = "/", slashSlash = "//", percent = "%"
  case starStar = "**", at = "@"
  case equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
  case greaterEqual = ">="
  case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
}

/// One piece of a string literal: text with escapes already decoded, or the
/// tokens of an embedded `{expr:format}`.
enum StringSegment: Sendable {
  case text(String)
  /// `tokens` ends with an `.interpolationEnd` token at the `:` or `}` that closed
  /// the expression; `format` is the text between `:` and `}`.
  case code(tokens: [Token], format: String?, loc: SourceLoc)
}

enum TokenKind: Sendable {
  case int(Int)
  case float(Double)
  case string([StringSegment])
  case identifier(String)
  case keyword(Keyword)
  case symbol(Symbol)
  /// One or more line ends (blank lines and comments collapse into one token).
  case newline
  /// Closes the token list of an interpolated expression (its text is `}` or `:`).
  case interpolationEnd
  /// Stands where the lexer found something it could not read; the lexer has
  /// already reported it, so the parser skips the statement without a second message.
  case error
  case endOfInput
}

/// A token with its start position and the source text it came from.
struct Token: Sendable {
  var kind: TokenKind
  var loc: SourceLoc
  /// The lexeme as written (for strings: the whole literal), used in messages.
  var text: String

  var symbol: Symbol? {
    if case .symbol(let s) = kind { return s }
    return nil
  }

  var keyword: Keyword? {
    if case .keyword(let k) = kind { return k }
    return nil
  }

  var identifier: String? {
    if case .identifier(let name) = kind { return name }
    return nil
  }

  var isNewline: Bool {
    if case .newline = kind { return true }
    return false
  }

  /// How the token is named in "unexpected ..." messages.
  var quoted: String {
    switch kind {
    case .newline: return "newline"
    case .endOfInput: return "end of input"
    case .string:
      let shown = text.count > 24 ? String(text.prefix(20)) + "..." : text
      return "string " + shown
    default: return "'\(text)'"
    }
  }
}

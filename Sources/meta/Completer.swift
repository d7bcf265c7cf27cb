// Tab completion for the REPL: keywords, global names, `value.field` paths,
// a call's named arguments and REPL commands. Pure logic over the interpreter's state; the readline glue
// lives in ReadlineEditor.swift.

import MetaLang

/// Computes completions for the word under the cursor.
struct Completer {
  /// What to offer for a word.
  enum Completions: Equatable {
    /// Replacements for the whole word, sorted.
    case words([String])
    /// Let the line editor complete a file name (after `:load`).
    case fileNames
  }

  static let keywords = [
    "let", "var", "fn", "return", "if", "else", "while", "for", "in", "break", "continue",
    "import", "as", "and", "or", "not", "true", "false", "nil", "try", "catch", "assert",
  ]

  /// Characters that end a word for completion. `.` and `_` are missing on purpose:
  /// `model.par` is one word, completed as a field path.
  static let wordBreakCharacters = " \t\n\"\\'`@$><=;|&{}()[],+-*/%!:#^~"

  /// Word breaks while completing a file name: a path is one word.
  static let fileNameBreakCharacters = " \t\n\"'"

  let interpreter: Interpreter

  /// True when the word under the cursor is a file name (the argument of `:load`).
  static func completesFileName(before: String) -> Bool {
    let lead = before.drop { $0 == " " || $0 == "\t" }
    return lead.hasPrefix(":load ") || lead.hasPrefix(":l ")
  }

  /// - Parameters:
  ///   - word: the text being completed (from the last word break to the cursor).
  ///   - before: the text of the line in front of `word`.
  func complete(word: String, before: String) -> Completions {
    let lead = before.drop { $0 == " " || $0 == "\t" }
    if lead == ":" {
      return .words(REPLCommand.names.filter { $0.hasPrefix(word) }.sorted())
    }
    if Self.completesFileName(before: before) { return .fileNames }
    if let dot = word.lastIndex(of: ".") {
      let path = String(word[..<dot])
      let prefix = String(word[word.index(after: dot)...])
      guard let value = lookUp(path: path) else { return .words([]) }
      let fields = interpreter.fieldNames(of: value).filter { $0.hasPrefix(prefix) }
      return .words(Set(fields).sorted().map { "\(path).\($0)" })
    }
    // Inside a call's parentheses: its named arguments (`keepdims: `) first.
    let arguments = callee(before: before).map { interpreter.argumentNames(of: $0) } ?? []
    let labels = arguments.filter { $0.hasPrefix(word) }.map { $0 + ": " }
    guard !word.isEmpty, !(word.first?.isNumber ?? false) else {
      // An empty word would list everything (but a call's few argument names);
      // a number has nothing to complete.
      return .words(word.isEmpty ? labels : [])
    }
    let names = (Self.keywords + interpreter.globalNames).filter { $0.hasPrefix(word) }
    return .words(labels + Set(names).sorted())
  }

  /// The function whose call the text `before` the cursor is inside (`sum(x, ` →
  /// `sum`), when its name or field path leads to a value; nothing is called.
  func callee(before: String) -> Value? {
    var depth = 0
    var index = before.endIndex
    while index > before.startIndex {
      index = before.index(before: index)
      switch before[index] {
      case ")", "]", "}": depth += 1
      case "[", "{": if depth == 0 { return nil } else { depth -= 1 }
      case "(":
        if depth > 0 { depth -= 1; continue }
        let path = before[..<index].reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        return path.isEmpty ? nil : lookUp(path: String(path.reversed()))
      default: continue
      }
    }
    return nil
  }

  /// The value of a global name or a chain of fields (`a.b.c`). Only looks
  /// values up: nothing is called, so completing cannot run user code.
  func lookUp(path: String) -> Value? {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard let first = parts.first, parts.allSatisfy(Self.isIdentifier),
      var value = interpreter[global: first]
    else { return nil }
    for name in parts.dropFirst() {
      switch value {
      case .record(let record):
        guard let field = record[name] else { return nil }
        value = field
      case .native(let object):
        guard let field = try? object.field(name) else { return nil }
        value = field
      default:
        return nil
      }
    }
    return value
  }

  /// `[A-Za-z_][A-Za-z0-9_]*`
  static func isIdentifier(_ text: String) -> Bool {
    func isLetter(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    let scalars = text.unicodeScalars
    guard let first = scalars.first, isLetter(first) else { return false }
    return scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
  }
}

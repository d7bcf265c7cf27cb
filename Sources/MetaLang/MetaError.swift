// Every error a script can cause is a MetaError: it names the file, line and
// column, says what went wrong, and (at run time) carries the Meta call stack.

/// One frame of the Meta call stack, innermost first in `MetaError.stack`.
public struct StackFrame: Sendable, Equatable {
  /// The function's name, or "<script>" / "<fn>" for top level and anonymous functions.
  public var function: String
  public var file: String
  public var loc: SourceLoc
  public init(function: String, file: String, loc: SourceLoc) {
    self.function = function; self.file = file; self.loc = loc
  }
}

/// An error in a Meta program, raised by the lexer, parser, resolver or interpreter.
public struct MetaError: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    case syntax      // lexer and parser
    case resolve     // names and scopes, found before running
    case runtime     // raised while running, including error(msg)
    case limit       // step, time or recursion limit reached; catchable like any runtime error
    case interrupt   // Interpreter.interrupt() (Ctrl-C); not catchable by `try`
  }

  public var kind: Kind
  public var message: String
  /// The path as given to the interpreter, or a name such as "<string>" or "<repl>".
  public var file: String
  public var loc: SourceLoc
  public var stack: [StackFrame]
  /// True for a syntax error at end of input: the REPL reads another line.
  public var atEndOfInput: Bool
  /// The text of line `loc.line`, filled in by whoever knows the source, so
  /// the error can be shown without going back to the file.
  public var sourceLine: String?
  /// Further errors found in the same pass (the parser and resolver recover and
  /// keep going), each with its own location; `render()` shows them all.
  public var followingErrors: [MetaError] = []
  /// The text of the line of `userCall`, when the error was raised inside the
  /// stdlib: the report shows the user's call first.
  public var userCallLine: String?

  public init(
    _ kind: Kind, _ message: String, file: String, loc: SourceLoc, stack: [StackFrame] = [],
    atEndOfInput: Bool = false
  ) {
    self.kind = kind; self.message = message; self.file = file; self.loc = loc
    self.stack = stack; self.atEndOfInput = atEndOfInput
  }

  /// `file.meta:12:5: error: message`
  public var description: String { "\(Self.position(file, loc)): error: \(message)" }

  /// "file.meta:12:5", or just the file when there is no position (line 0: host
  /// code, not a line of Meta), so a report never shows a made-up `:0:0`.
  static func position(_ file: String, _ loc: SourceLoc) -> String {
    loc.line > 0 ? "\(file):\(loc.line):\(loc.column)" : file
  }

  /// Records the offending line of `source` in `sourceLine`.
  public mutating func attachSource(_ source: String) {
    if sourceLine == nil { sourceLine = Self.line(loc.line, of: source) }
  }

  /// For an error raised inside the stdlib: the innermost frame of the user's
  /// own code, i.e. the user's call that led into it (nil otherwise).
  public var userCall: StackFrame? {
    guard file.hasPrefix(Self.stdlibPrefix) else { return nil }
    return stack.first { !$0.file.hasPrefix(Self.stdlibPrefix) && $0.loc.line > 0 }
  }

  /// How the stdlib's files are named in reports.
  static let stdlibPrefix = "<stdlib>/"

  /// Records the line of `userCall` from `source` (the text of its file).
  public mutating func attachUserCallSource(_ source: String) {
    if userCallLine == nil, let call = userCall { userCallLine = Self.line(call.loc.line, of: source) }
  }

  /// `errors` with their offending lines filled in from `source`, which is scanned
  /// once for all of them (attaching one by one would rescan it per error).
  static func attachingSource(_ errors: [MetaError], _ source: String) -> [MetaError] {
    guard errors.contains(where: { $0.sourceLine == nil }) else { return errors }
    let last = errors.map(\.loc.line).max() ?? 0
    let lines = lineRanges(of: source, upTo: last)
    return errors.map { error in
      var error = error
      let n = error.loc.line
      if error.sourceLine == nil, n >= 1, n <= lines.count { error.sourceLine = text(of: lines[n - 1], in: source) }
      return error
    }
  }

  /// The full report: the headline, the offending source line with a caret
  /// under the column, and the call stack (if any).
  public func render() -> String {
    var out: String
    if let call = userCall {
      // Raised inside the stdlib: the user's call first, then where inside.
      out = "\(Self.position(call.file, call.loc)): error: \(message)"
      if let line = userCallLine { out += Self.pointing(at: call.loc.column, in: line) }
      out += "\n  raised inside the stdlib at \(Self.position(file, loc))"
        + (stack.first.map { " (in \($0.function))" } ?? "")
      if let line = sourceLine { out += Self.pointing(at: loc.column, in: line) }
    } else {
      out = description
      if let line = sourceLine { out += Self.pointing(at: loc.column, in: line) }
    }
    if !stack.isEmpty {
      out += "\nstack traceback:"
      for frame in stack {
        out += "\n    \(Self.position(frame.file, frame.loc)): in \(frame.function)"
      }
    }
    for other in followingErrors { out += "\n" + other.render() }
    return out
  }

  /// The line, indented, and a caret under `column`.
  static func pointing(at column: Int, in line: String) -> String {
    let shown = line.replacingTabs()
    let caretCol = max(1, min(column, shown.unicodeScalars.count + 1))
    return "\n    " + shown + "\n    " + String(repeating: " ", count: caretCol - 1) + "^"
  }

  static func line(_ n: Int, of source: String) -> String? {
    guard n >= 1 else { return nil }
    let lines = lineRanges(of: source, upTo: n)
    return n <= lines.count ? text(of: lines[n - 1], in: source) : nil
  }

  /// Byte ranges of the first `count` lines (split at "\n" bytes, as the lexer counts
  /// lines): a scan of the bytes up to there, not of the whole file as Characters, so
  /// an error in a program of millions of lines costs little.
  private static func lineRanges(of source: String, upTo count: Int) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var source = source
    source.withUTF8 { bytes in
      var start = 0
      while ranges.count < count, start <= bytes.count {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        ranges.append(start..<end)
        start = end + 1
      }
    }
    return ranges
  }

  /// The text of one line from `lineRanges`, without a trailing "\r".
  private static func text(of range: Range<Int>, in source: String) -> String {
    let utf8 = source.utf8
    let from = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    var to = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    if to > from, utf8[utf8.index(before: to)] == UInt8(ascii: "\r") { to = utf8.index(before: to) }
    return String(decoding: utf8[from..<to], as: UTF8.self)
  }
}

/// An error raised by a builtin or a method, located at the call site by the caller.
struct BuiltinError: Error {
  var message: String
  var kind: MetaError.Kind = .runtime
  init(_ message: String, kind: MetaError.Kind = .runtime) { self.message = message; self.kind = kind }
}

extension String {
  /// Tabs become one space so the caret lines up with the column count.
  fileprivate func replacingTabs() -> String {
    String(unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
  }
}

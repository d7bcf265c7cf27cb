// The embedding facade: everything a host program needs, and nothing else.
// The interpreter never prints on its own: `print` output goes to `output`.
//
// STUB: the signatures below are the fixed public API; the bodies are filled
// in by the interpreter work.

import Foundation

/// Arguments passed to a native Swift function registered with `Interpreter.register`.
public struct NativeArguments {
  /// Positional arguments, in order.
  public var positional: [Value]
  /// Named arguments (`f(x, by: 2)` gives `["by": 2]`), in call order.
  public var named: [(label: String, value: Value)]
  public init(positional: [Value], named: [(label: String, value: Value)]) {
    self.positional = positional; self.named = named
  }
}

/// A Meta function value: a closure written in Meta, or a native Swift function.
public final class Function {
  public let name: String
  init(name: String) { self.name = name }
}

/// Runs Meta programs. One interpreter holds one global environment, one
/// random stream and one set of loaded modules.
public final class Interpreter {
  /// Bounds that stop a runaway script with a catchable `limit` error.
  public struct Limits: Sendable {
    /// Evaluation steps (roughly: expressions evaluated) per top-level call; nil for none.
    public var maxSteps: Int?
    /// Wall-clock seconds per top-level call; nil for none.
    public var maxSeconds: Double?
    public init(maxSteps: Int? = nil, maxSeconds: Double? = nil) {
      self.maxSteps = maxSteps; self.maxSeconds = maxSeconds
    }
  }

  /// Receives everything `print` writes, exactly as written (newlines included).
  public var output: (String) -> Void
  public var limits = Limits()
  /// The script's `args` list.
  public var arguments: [String] = []

  /// - Parameters:
  ///   - seed: seeds the interpreter's random stream (`--seed`); nil picks a fixed default.
  ///   - searchPaths: extra directories searched for `import name` before the bundled stdlib
  ///     (the `META_PATH` variable adds to these).
  ///   - output: where `print` writes; standard output by default.
  public init(
    seed: UInt64? = nil, searchPaths: [String] = [],
    output: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
  ) {
    self.output = output
  }

  /// Evaluates `source` (named `name` in error messages) in the global environment and
  /// returns the value of its last statement if that is an expression, else nil.
  @discardableResult
  public func evaluate(_ source: String, name: String = "<string>") throws -> Value {
    throw MetaError(.runtime, "not implemented", file: name, loc: SourceLoc(line: 1, column: 1))
  }

  /// Like `evaluate`, for the REPL: returns the value of the input when it ends in an
  /// expression statement, and nil when it ends in any other statement.
  public func evaluateInteractive(_ source: String, name: String = "<repl>") throws -> Value? {
    throw MetaError(.runtime, "not implemented", file: name, loc: SourceLoc(line: 1, column: 1))
  }

  /// Runs the script at `path` (relative imports resolve against its directory).
  @discardableResult
  public func run(file path: String) throws -> Value {
    throw MetaError(.runtime, "not implemented", file: path, loc: SourceLoc(line: 1, column: 1))
  }

  /// Parses and resolves without running: every error found (empty when clean).
  public func check(_ source: String, name: String) -> [MetaError] { [] }

  /// True when `source` ends inside an unfinished construct (open bracket, trailing
  /// binary operator or comma, unterminated block): the REPL asks for another line.
  public static func isIncomplete(_ source: String) -> Bool { false }

  /// Reads or defines a global variable.
  public subscript(global name: String) -> Value? {
    get { nil }
    set {}
  }

  /// Names of all globals and builtins, for completion.
  public var globalNames: [String] { [] }

  /// Field names of a value (record keys, native fields and methods), for completion.
  public func fieldNames(of value: Value) -> [String] { [] }

  /// Registers a Swift function as the global `name`. An error it throws surfaces
  /// as a Meta runtime error at the call site (catchable with `try`).
  public func register(_ name: String, _ body: @escaping (NativeArguments) throws -> Value) {}

  /// Calls a Meta function value from Swift.
  public func call(_ function: Value, _ arguments: [Value]) throws -> Value { .nil_ }

  /// Stops the running evaluation with an `interrupt` error. Safe to call from any
  /// thread or a signal handler's dispatch source.
  public func interrupt() {}
}

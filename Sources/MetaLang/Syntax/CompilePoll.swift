// Lets the host's time limit and Ctrl-C stop a long compilation (a generated
// program of millions of tokens). The lexer, parser and resolver tick once per
// token, statement or expression; every `Interpreter.checkInterval` ticks the
// check runs. The first error it throws is kept, every phase then winds down at
// once (the lexer stops, the parser jumps to the end of input, the resolver skips
// what is left), and the pipeline throws that error instead of their results.

final class CompilePoll {
  private let check: (SourceLoc) throws -> Void
  private var count = 0
  /// The limit or interrupt error that stopped compiling, if any.
  private(set) var stopped: (any Error)?

  init(_ check: @escaping (SourceLoc) throws -> Void) { self.check = check }

  /// Counts one unit of work at `loc`; true once compiling has been stopped.
  @inline(__always) func tick(_ loc: SourceLoc) -> Bool {
    count &+= 1
    if count % Interpreter.checkInterval == 0, stopped == nil {
      do { try check(loc) } catch { stopped = error }
    }
    return stopped != nil
  }
}

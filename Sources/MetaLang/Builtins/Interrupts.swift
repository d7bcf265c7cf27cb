// `on_interrupt(body, handler)`: what a long loop (the stdlib's `fit`) does on
// Ctrl-C: `handler` runs (to save a checkpoint) before the interrupt ends the
// run. The host decides whether it ends it: a script stops (the interrupt goes
// on up); an interactive session (Interpreter.interruptReturns, which the REPL
// sets) gets handler's value from the call instead, and keeps working.

extension Builtins {
  static func interrupts() -> [Builtin] {
    [
      Builtin("on_interrupt") { args in
        try args.expect(2)
        let body = try args.callable(0), handler = try args.callable(1)
        let rt = args.rt, loc = rt.nativeCallLoc
        do {
          return try rt.call(body, [], at: loc)
        } catch let e as MetaError where e.kind == .interrupt {
          let value = try rt.call(handler, [], at: loc)
          if rt.interruptReturns { return value }
          throw e
        }
      },
    ]
  }
}

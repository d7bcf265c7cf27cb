// The pipeline: source text → tokens and syntax tree (Syntax/) → executable
// nodes (Compile/) → values (Eval/). The main program, every module and the
// prelude go through these two functions; the Interpreter facade and `import`
// are their only callers.

extension Runtime {
  /// The first of `errors` carrying the rest as `followingErrors`, sources attached.
  private static func combined(_ errors: [MetaError], source: String) -> MetaError? {
    var all = MetaError.attachingSource(errors, source)
    guard !all.isEmpty else { return nil }
    var headline = all.removeFirst()
    headline.followingErrors = all
    return headline
  }

  /// Parses and resolves a program for `env`; every error found is thrown as one. Also
  /// says whether the program ends in an expression statement (the REPL shows its value).
  /// Compiling counts against the time limit and stops at Ctrl-C, as running does.
  func compile(
    _ source: String, file: String, directory: String?, env: Env, name: String
  ) throws -> (FunctionProto, endsInExpression: Bool) {
    sources[file] = source
    let poll = compilePoll(file: file)
    let (program, parseErrors) = Parser.parse(source, file: file, poll: poll)
    if let stopped = poll.stopped { throw stopped }
    if let error = Self.combined(parseErrors, source: source) { throw error }
    let resolver = Resolver(rt: self, env: env, file: file, directory: directory)
    resolver.poll = poll
    let saved = env.declarations
    let proto = resolver.compile(program, name: name)
    if poll.stopped != nil || !resolver.errors.isEmpty {
      env.restore(saved)  // a program that did not resolve declares nothing
      if let stopped = poll.stopped { throw stopped }
      if let error = Self.combined(resolver.errors, source: source) { throw error }
    }
    if case .expression? = program.statements.last { return (proto, true) }
    return (proto, false)
  }

  /// Runs a compiled program (the main one at depth 0, a module one level below its
  /// importer). Returns the value of its final expression statement, if it ran.
  func runTopLevel(_ proto: FunctionProto, at loc: SourceLoc) throws -> Value? {
    let nested = activeTopLevels > 0 || depth > 0
    return try withSlots(proto.frameSize, at: loc) { frame in
      activeTopLevels += 1
      defer { activeTopLevels -= 1 }
      return try inFrame(frame, of: proto, from: loc, deeper: nested, swapsCaptures: true, captures: []) {
        try proto.body.exec(self) == .returnValue ? takeReturnValue() : nil
      }
    }
  }
}

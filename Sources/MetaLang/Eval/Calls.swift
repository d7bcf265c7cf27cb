// Calling functions: Meta closures get a frame on the value stack (no heap
// allocation per call), builtins read their arguments from the stack, host
// functions get a `NativeArguments`. Every frame and every builtin's arguments
// are reserved by `withSlots`; every frame is made current by `inFrame`.

extension Runtime {
  /// Runs `body` with `size` slots reserved at the top of the value stack: a frame
  /// for a Meta function (`frame: true`, which also checks the call depth) or a
  /// builtin's arguments. Free slots always hold nil; the reserved ones are nil again after.
  /// (`loc` is read only to report an overflow: read early, it would cost a register.)
  @inline(__always) func withSlots<R>(
    _ size: Int, at loc: @autoclosure () -> SourceLoc, frame: Bool = true,
    _ body: (UnsafeMutablePointer<Value>) throws -> R
  ) throws -> R {
    let base = sp
    // `base + size < stackEnd`, not `stackEnd - base > size`: no division by the stride.
    guard !frame || depth < Interpreter.maxCallDepth, base + size < stackEnd else { throw overflow(loc()) }
    sp = base + size
    defer {
      base.update(repeating: .nil_, count: size)
      sp = base
    }
    return try body(base)
  }

  /// Runs `body` with `frame` (reserved by `withSlots`) as the current frame: `proto`
  /// running, called from `loc`, one level deeper (`deeper: false` for the outermost
  /// program, at depth 0). With `swapsCaptures`, `captures` replace the running
  /// closure's meanwhile (an autoclosure: read only then, which saves a retain).
  @inline(__always) func inFrame<R>(
    _ frame: UnsafeMutablePointer<Value>, of proto: FunctionProto, from loc: SourceLoc, deeper: Bool = true,
    swapsCaptures: Bool = false, captures newCaptures: @autoclosure () -> [Box] = [], _ body: () throws -> R
  ) rethrows -> R {
    let savedFp = fp
    fp = frame
    if deeper { depth &+= 1 }  // below maxCallDepth: `withSlots` checked
    records[depth] = CallRecord(proto: proto, callLoc: loc)
    var savedCaptures: [Box] = []
    if swapsCaptures {
      savedCaptures = captures
      captures = newCaptures()
    }
    defer {
      fp = savedFp
      if deeper { depth &-= 1 }
      if swapsCaptures { captures = savedCaptures }
    }
    return try body()
  }

  @inline(never) func overflow(_ loc: SourceLoc) -> MetaError {
    error("stack overflow", at: loc, kind: .limit)
  }

  /// "attempt to call a nil value (global 'foo')".
  @inline(never) func notCallable(_ v: Value, _ what: String?, _ loc: SourceLoc) -> MetaError {
    let kind = { if case .nil_ = v { return "nil" } else { return v.typeName } }()
    let suffix = what.map { " (\($0))" } ?? ""
    return error("attempt to call \(withArticle(kind)) value\(suffix)", at: loc)
  }

  /// Calls the value of a call node's callee with the node's arguments.
  @inline(__always) func call(_ fv: Value, _ node: CallSite, _ what: @autoclosure () -> String?) throws -> Value {
    guard case .function(let f) = fv else { return try callNonFunction(fv, node, what()) }
    if let proto = f.unretainedProto {
      return try proto._withUnsafeGuaranteedRef { try callClosure(f, $0, node) }
    }
    return try callNative(f, node)
  }

  func callClosure(_ f: Function, _ proto: FunctionProto, _ node: CallSite) throws -> Value {
    let argc = node.unretainedArgs.count
    guard node.allPositional, argc == proto.paramCount, f.captures.isEmpty, proto.plainEntry
    else { return try callClosureGeneral(f, proto, node) }
    // The fast path: positional arguments only, nothing to box or capture.
    return try withSlots(proto.frameSize, at: node.loc) { frame in
      // Free slots always hold nil, so the arguments initialize them instead of
      // assigning, which would destroy the nil first.
      for i in 0..<argc {
        (frame + i).initialize(to: try node.unretainedArgs[i]._withUnsafeGuaranteedRef { try $0.eval(self) })
      }
      try tick(node.loc)
      return try inFrame(frame, of: proto, from: node.loc) { try runBody(proto) }
    }
  }

  /// Runs the body of the function whose frame is now current.
  @inline(__always) func runBody(_ proto: FunctionProto) throws -> Value {
    if let e = proto.unretainedBodyExpr { return try e._withUnsafeGuaranteedRef { try $0.eval(self) } }
    do {
      let flow = try proto.unretainedBody._withUnsafeGuaranteedRef { try $0.exec(self) }
      return flow == .returnValue ? takeReturnValue() : .nil_
    } catch ControlSignal.returnValue {
      return takeReturnValue()
    }
  }

  /// Calls with named arguments, defaults, captured parameters or a closure's captures.
  func callClosureGeneral(_ f: Function, _ proto: FunctionProto, _ node: CallSite) throws -> Value {
    let argc = node.unretainedArgs.count
    return try withSlots(max(proto.frameSize, argc), at: node.loc) { frame in
      for i in 0..<node.positionalCount { frame[i] = try node.args[i].eval(self) }
      var named: [(label: String, value: Value)] = []
      for i in node.positionalCount..<argc { named.append((node.labels[i], try node.args[i].eval(self))) }
      return try enter(f, proto, frame, node.loc, positional: node.positionalCount, named: named)
    }
  }

  /// Runs a closure whose frame `withSlots` reserved and whose arguments are already in
  /// `frame[0...]`: the first `positional` ones, plus `named`.
  func enter(
    _ f: Function, _ proto: FunctionProto, _ frame: UnsafeMutablePointer<Value>, _ loc: SourceLoc,
    positional: Int, named: [(label: String, value: Value)]
  ) throws -> Value {
    try tick(loc)
    var missing: [Int] = []
    if positional != proto.paramCount || !named.isEmpty {
      missing = try bindArguments(proto, frame, loc, positional: positional, named: named)
    }
    return try inFrame(frame, of: proto, from: loc, swapsCaptures: !f.captures.isEmpty, captures: f.captures) {
      if let (slot, boxed) = proto.selfSlot {
        frame[slot] = boxed ? .native(Box(.function(f))) : .function(f)
      }
      // The checks skip retaining the arrays when there is nothing to do.
      if !missing.isEmpty {
        for i in missing {
          if let d = proto.params[i].defaultValue { frame[i] = try d.eval(self) }
        }
      }
      if !proto.boxedParams.isEmpty {
        for s in proto.boxedParams { frame[s] = .native(Box(frame[s])) }
      }
      return try runBody(proto)
    }
  }

  @inline(__always) func takeReturnValue() -> Value {
    let r = returnValue
    returnValue = .nil_
    return r
  }

  /// Matches named arguments to parameters; returns the parameters left for defaults.
  func bindArguments(
    _ proto: FunctionProto, _ frame: UnsafeMutablePointer<Value>, _ loc: SourceLoc,
    positional: Int, named: [(label: String, value: Value)]
  ) throws -> [Int] {
    let params = proto.params
    let fname = proto.name
    if positional > params.count {
      throw error(
        "too many arguments to '\(fname)' (expected at most \(params.count), got \(positional))", at: loc)
    }
    var filled = [Bool](repeating: false, count: params.count)
    for i in 0..<positional { filled[i] = true }
    // Many named arguments are matched through a table, not a scan each (quadratic).
    let table = named.count > 16 ? Dictionary(params.indices.map { (params[$0].name, $0) }) { a, _ in a } : nil
    for (label, value) in named {
      guard let i = table.map({ $0[label] }) ?? params.firstIndex(where: { $0.name == label }) else {
        // A method's receiver is not something the caller names.
        let valid = params.indices.filter { !($0 == 0 && params[0].name == "self") }.map { params[$0].name }
        throw error(ArgumentMessage.unknownLabel(label, fname, valid: valid), at: loc)
      }
      if filled[i] { throw error("argument '\(label)' given twice to '\(fname)'", at: loc) }
      frame[i] = value
      filled[i] = true
    }
    var missing: [Int] = []
    for i in params.indices where !filled[i] {
      guard params[i].defaultValue != nil else {
        throw error("missing argument '\(params[i].name)' to '\(fname)'", at: loc)
      }
      missing.append(i)
    }
    return missing
  }

  func callNative(_ f: Function, _ node: CallSite) throws -> Value {
    let args = node.args
    if let b = f.builtin {
      let n = node.positionalCount
      return try withSlots(n, at: node.loc, frame: false) { base in
        for i in 0..<n { base[i] = try args[i].eval(self) }
        var named: [(label: String, value: Value)] = []
        for i in n..<args.count { named.append((node.labels[i], try args[i].eval(self))) }
        return try invoke(b.name, b.labels, UnsafeMutableBufferPointer(start: base, count: n), named, node.loc, b.body)
      }
    }
    let (positional, named) = try node.evalArguments(self)
    return try callHost(f, NativeArguments(positional: positional, named: named, function: f.name), node.loc)
  }

  /// Runs a builtin, or a method of a list, string or record, on arguments already on
  /// the value stack; it accepts the named arguments in `labels`.
  func invoke<R>(
    _ function: String, _ labels: [String], _ positional: UnsafeMutableBufferPointer<Value>,
    _ named: [(label: String, value: Value)], _ loc: SourceLoc, _ body: (inout Arguments) throws -> R
  ) throws -> R {
    var arguments = Arguments(rt: self, function: function, positional: positional, named: named)
    return try atNativeCall(loc) {
      do {
        try arguments.checkLabels(labels)
        return try body(&arguments)
      } catch { throw locate(error, at: loc) }
    }
  }

  /// Runs native code called from `loc` (a builtin, a host function, a native
  /// object's method or call): a Meta function it calls back (`map`'s function, a
  /// `tasks_from` sampler) is recorded as called from there, so its traceback line
  /// names the real call site, never `0:0`.
  @inline(__always) func atNativeCall<R>(_ loc: SourceLoc, _ body: () throws -> R) rethrows -> R {
    let savedLoc = nativeCallLoc
    nativeCallLoc = loc
    defer { nativeCallLoc = savedLoc }
    return try body()
  }

  /// `invoke` for evaluated arguments: copies them onto the value stack first.
  func withArguments<R>(
    _ function: String, _ labels: [String], _ positional: [Value], _ named: [(label: String, value: Value)],
    _ loc: SourceLoc, _ body: (inout Arguments) throws -> R
  ) throws -> R {
    try withSlots(positional.count, at: loc, frame: false) { base in
      for (i, v) in positional.enumerated() { base[i] = v }
      let buffer = UnsafeMutableBufferPointer(start: base, count: positional.count)
      return try invoke(function, labels, buffer, named, loc, body)
    }
  }

  func callHost(_ f: Function, _ arguments: NativeArguments, _ loc: SourceLoc) throws -> Value {
    if let host = f.host {
      do { return try atNativeCall(loc) { try host(arguments) } } catch { throw locateHostError(error, at: loc) }
    }
    throw notCallable(.function(f), nil, loc)
  }

  func callNonFunction(_ fv: Value, _ node: CallSite, _ what: String?) throws -> Value {
    guard case .native(let o) = fv, o is NativeCallable || o is MetaObject else {
      throw notCallable(fv, what, node.loc)
    }
    let (positional, named) = try node.evalArguments(self)
    return try call(fv, positional, named: named, at: node.loc)
  }

  /// Calls a function value with evaluated arguments (builtins calling back, the host API).
  func call(
    _ fv: Value, _ positional: [Value], named: [(label: String, value: Value)] = [], at loc: SourceLoc
  ) throws -> Value {
    switch fv {
    case .function(let f):
      if let proto = f.proto {
        return try withSlots(max(proto.frameSize, positional.count), at: loc) { frame in
          for (i, v) in positional.enumerated() { frame[i] = v }
          return try enter(f, proto, frame, loc, positional: positional.count, named: named)
        }
      }
      if let b = f.builtin {
        return try withArguments(b.name, b.labels, positional, named, loc, b.body)
      }
      return try callHost(f, NativeArguments(positional: positional, named: named, function: f.name), loc)
    case .native(let o):
      if let object = o as? MetaObject {
        guard let target = object.callTarget else {
          throw error("attempt to call \(withArticle(object.typeName)) value (it has no 'apply' function)", at: loc)
        }
        return try call(target, MetaObject.takesSelf(target) ? [fv] + positional : positional, named: named, at: loc)
      }
      if let c = o as? NativeCallable {
        let arguments = NativeArguments(positional: positional, named: named, function: c.typeName)
        do { return try atNativeCall(loc) { try c.call(arguments) } } catch {
          throw locateHostError(error, at: loc)
        }
      }
      throw notCallable(fv, nil, loc)
    default:
      throw notCallable(fv, nil, loc)
    }
  }
}

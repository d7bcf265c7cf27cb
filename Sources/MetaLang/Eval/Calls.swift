// Calling functions: Meta closures get a frame on the value stack (no heap
// allocation per call), builtins read their arguments from the stack, host
// functions get a `NativeArguments`.

extension Runtime {
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
    let newFp = sp
    let size = proto.frameSize
    guard depth < Interpreter.maxCallDepth, newFp + size < stackEnd else { throw overflow(node.loc) }
    sp = newFp + size
    defer {
      newFp.update(repeating: .nil_, count: size)
      sp = newFp
    }
    // Free slots always hold nil (every frame clears its slots on exit), so the
    // arguments initialize them instead of assigning, which would destroy the nil first.
    for i in 0..<argc {
      (newFp + i).initialize(to: try node.unretainedArgs[i]._withUnsafeGuaranteedRef { try $0.eval(self) })
    }
    try tick(node.loc)
    let savedFp = fp
    fp = newFp
    depth &+= 1  // below maxCallDepth, checked above
    records[depth] = CallRecord(proto: proto, callLoc: node.loc)
    defer {
      fp = savedFp
      depth &-= 1
    }
    return try runBody(proto)
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
    let newFp = sp
    let argc = node.unretainedArgs.count
    let reserved = max(proto.frameSize, argc)
    guard depth < Interpreter.maxCallDepth, newFp + reserved < stackEnd else { throw overflow(node.loc) }
    sp = newFp + reserved
    defer {
      newFp.update(repeating: .nil_, count: reserved)
      sp = newFp
    }
    for i in 0..<node.positionalCount { newFp[i] = try node.args[i].eval(self) }
    var named: [(label: String, value: Value)] = []
    for i in node.positionalCount..<argc { named.append((node.labels[i], try node.args[i].eval(self))) }
    return try enter(f, proto, newFp, node.loc, positional: node.positionalCount, named: named)
  }

  /// Runs a closure whose arguments are already in `newFp[0...]`: all of them when
  /// `named` is nil, else the first `positional` ones plus `named`.
  func enter(
    _ f: Function, _ proto: FunctionProto, _ newFp: UnsafeMutablePointer<Value>, _ loc: SourceLoc,
    positional: Int = 0, named: [(label: String, value: Value)]? = nil
  ) throws -> Value {
    try tick(loc)
    var missing: [Int] = []
    if let named, positional != proto.paramCount || !named.isEmpty {
      missing = try bindArguments(proto, newFp, loc, positional: positional, named: named)
    }
    let savedFp = fp
    fp = newFp
    depth += 1
    records[depth] = CallRecord(proto: proto, callLoc: loc)
    let swapsCaptures = !f.captures.isEmpty
    var savedCaptures: [Box] = []
    if swapsCaptures { savedCaptures = captures; captures = f.captures }
    defer {
      fp = savedFp
      depth -= 1
      if swapsCaptures { captures = savedCaptures }
    }
    if let (slot, boxed) = proto.selfSlot {
      newFp[slot] = boxed ? .native(Box(.function(f))) : .function(f)
    }
    if !missing.isEmpty {
      for i in missing {
        if let d = proto.params[i].defaultValue { newFp[i] = try d.eval(self) }
      }
    }
    if !proto.boxedParams.isEmpty {
      for s in proto.boxedParams { newFp[s] = .native(Box(newFp[s])) }
    }
    return try runBody(proto)
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
        throw error("unknown argument '\(label)' to '\(fname)'", at: loc)
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
      let base = sp
      let n = node.positionalCount
      guard stackEnd - base > n else { throw overflow(node.loc) }
      sp = base + n
      defer {
        for i in 0..<n { base[i] = .nil_ }
        sp = base
      }
      for i in 0..<n { base[i] = try args[i].eval(self) }
      var named: [(label: String, value: Value)] = []
      for i in n..<args.count { named.append((node.labels[i], try args[i].eval(self))) }
      return try invoke(b, UnsafeMutableBufferPointer(start: base, count: n), named, node.loc)
    }
    var positional: [Value] = []
    positional.reserveCapacity(node.positionalCount)
    for i in 0..<node.positionalCount { positional.append(try args[i].eval(self)) }
    var named: [(label: String, value: Value)] = []
    for i in node.positionalCount..<args.count { named.append((node.labels[i], try args[i].eval(self))) }
    return try callHost(f, NativeArguments(positional: positional, named: named), node.loc)
  }

  func invoke(
    _ b: Builtin, _ positional: UnsafeMutableBufferPointer<Value>,
    _ named: [(label: String, value: Value)], _ loc: SourceLoc
  ) throws -> Value {
    for (label, _) in named where !b.labels.contains(label) {
      throw error("unknown argument '\(label)' to '\(b.name)'", at: loc)
    }
    var arguments = Arguments(rt: self, function: b.name, positional: positional, named: named)
    let savedLoc = nativeCallLoc
    nativeCallLoc = loc
    defer { nativeCallLoc = savedLoc }
    do { return try b.body(&arguments) } catch { throw locate(error, at: loc) }
  }

  func callHost(_ f: Function, _ arguments: NativeArguments, _ loc: SourceLoc) throws -> Value {
    let savedLoc = nativeCallLoc
    nativeCallLoc = loc
    defer { nativeCallLoc = savedLoc }
    if let host = f.host {
      do { return try host(arguments) } catch { throw locateHostError(error, at: loc) }
    }
    throw notCallable(.function(f), nil, loc)
  }

  func callNonFunction(_ fv: Value, _ node: CallSite, _ what: String?) throws -> Value {
    guard case .native(let o) = fv, o is NativeCallable || o is MetaObject else { throw notCallable(fv, what, node.loc) }
    var positional: [Value] = []
    for i in 0..<node.positionalCount { positional.append(try node.args[i].eval(self)) }
    var named: [(label: String, value: Value)] = []
    for i in node.positionalCount..<node.args.count {
      named.append((node.labels[i], try node.args[i].eval(self)))
    }
    guard let c = o as? NativeCallable else { return try call(fv, positional, named: named, at: node.loc) }
    do { return try c.call(NativeArguments(positional: positional, named: named)) } catch {
      throw locateHostError(error, at: node.loc)
    }
  }

  /// Calls a function value with evaluated arguments (builtins calling back, the host API).
  func call(
    _ fv: Value, _ positional: [Value], named: [(label: String, value: Value)] = [], at loc: SourceLoc
  ) throws -> Value {
    switch fv {
    case .function(let f):
      if let proto = f.proto {
        let newFp = sp
        let reserved = max(proto.frameSize, positional.count)
        guard depth < Interpreter.maxCallDepth, newFp + reserved < stackEnd else { throw overflow(loc) }
        sp = newFp + reserved
        defer {
          for i in 0..<reserved { newFp[i] = .nil_ }
          sp = newFp
        }
        for (i, v) in positional.enumerated() { newFp[i] = v }
        return try enter(f, proto, newFp, loc, positional: positional.count, named: named)
      }
      if let b = f.builtin {
        let base = sp
        let n = positional.count
        guard stackEnd - base > n else { throw overflow(loc) }
        sp = base + n
        defer {
          for i in 0..<n { base[i] = .nil_ }
          sp = base
        }
        for (i, v) in positional.enumerated() { base[i] = v }
        return try invoke(b, UnsafeMutableBufferPointer(start: base, count: n), named, loc)
      }
      return try callHost(f, NativeArguments(positional: positional, named: named), loc)
    case .native(let o):
      if let object = o as? MetaObject {
        guard let target = object.callTarget else {
          throw error("attempt to call \(withArticle(object.typeName)) value (it has no 'apply' function)", at: loc)
        }
        return try call(target, MetaObject.takesSelf(target) ? [fv] + positional : positional, named: named, at: loc)
      }
      if let c = o as? NativeCallable {
        do { return try c.call(NativeArguments(positional: positional, named: named)) } catch {
          throw locateHostError(error, at: loc)
        }
      }
      throw notCallable(fv, nil, loc)
    default:
      throw notCallable(fv, nil, loc)
    }
  }
}

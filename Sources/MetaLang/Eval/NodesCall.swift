// Call nodes: `f(args)`, `obj.method(args)` (records' function fields, list,
// string and record methods, native methods), and closure creation.

/// A node with call arguments: positional ones first, then named ones.
class CallSite: ExprNode {
  let args: [ExprNode]
  /// `args` without reference counting, for the call fast path.
  let unretainedArgs: UnretainedList<ExprNode>
  /// The label of each argument ("" for positional ones).
  let labels: [String]
  let positionalCount: Int
  /// No named arguments (the call fast path's condition).
  let allPositional: Bool

  init(args: [ExprNode], labels: [String], loc: SourceLoc) {
    self.args = args; self.labels = labels
    unretainedArgs = UnretainedList(args)
    positionalCount = labels.firstIndex(where: { !$0.isEmpty }) ?? labels.count
    allPositional = positionalCount == args.count
    super.init(loc: loc)
  }

  deinit { unretainedArgs.free() }

  /// Evaluates the arguments (for methods, which take values).
  final func evalArguments(_ rt: Runtime) throws -> (positional: [Value], named: [(label: String, value: Value)]) {
    var positional: [Value] = []
    positional.reserveCapacity(positionalCount)
    for i in 0..<positionalCount { positional.append(try args[i].eval(rt)) }
    var named: [(label: String, value: Value)] = []
    for i in positionalCount..<args.count { named.append((labels[i], try args[i].eval(rt))) }
    return (positional, named)
  }
}

final class CallNode: CallSite {
  let callee: ExprNode
  /// Set when the callee is a global (`fib(n - 1)`): read its slot directly.
  /// Without reference counting (`callee` keeps it alive): a retain per call showed in profiles.
  private let globalEnv: Unmanaged<Env>?
  private let globalSlot: Int
  init(callee: ExprNode, args: [ExprNode], labels: [String], loc: SourceLoc) {
    self.callee = callee
    let global = callee as? GlobalGet
    globalEnv = global.map { Unmanaged.passUnretained($0.env) }
    globalSlot = global?.slot ?? 0
    super.init(args: args, labels: labels, loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    // A global holding a Meta function: skip the callee's virtual `eval` (an
    // undefined global holds a native marker, so it takes the general path).
    if let env = globalEnv, case .function(let f) = env._withUnsafeGuaranteedRef({ $0.values[globalSlot] }),
      let proto = f.unretainedProto
    {
      return try proto._withUnsafeGuaranteedRef { try rt.callClosure(f, $0, self) }
    }
    let f = try callee.eval(rt)
    return try rt.call(f, self, callee.calleeDescription)
  }
}

/// `receiver.name(args)`. When the receiver is an assignable place, list methods that
/// mutate (`append`, `pop`, ...) change the stored list in place.
final class MethodCallNode: CallSite {
  let receiver: ExprNode
  let name: String
  let place: PlacePath?
  // The builtin methods called `name`, looked up once.
  let mutatingMethod: MethodTable<MutatingListMethod>.Method?
  let listMethod: MethodTable<ListMethod>.Method?
  let stringMethod: MethodTable<StringMethod>.Method?
  let recordMethod: MethodTable<RecordMethod>.Method?

  init(receiver: ExprNode, name: String, place: PlacePath?, args: [ExprNode], labels: [String], loc: SourceLoc) {
    self.receiver = receiver; self.name = name; self.place = place
    mutatingMethod = ListMethods.mutating[name]
    listMethod = ListMethods.table[name]
    stringMethod = StringMethods.table[name]
    recordMethod = RecordMethods.table[name]
    super.init(args: args, labels: labels, loc: loc)
  }

  override func eval(_ rt: Runtime) throws -> Value {
    var value: Value
    if let place, let method = mutatingMethod {
      let keys = try place.keys(rt)
      value = try place.read(rt, keys, loc)
      if case .list = value {
        value = .nil_  // drop this reference so the stored list is unique
        return try mutate(method, place, keys, rt)
      }
    } else {
      value = try receiver.eval(rt)
    }
    return try dispatch(value, rt)
  }

  private func mutate(
    _ method: MethodTable<MutatingListMethod>.Method, _ place: PlacePath, _ keys: [PathKey], _ rt: Runtime
  ) throws -> Value {
    if place.root.isConst { throw rt.error("cannot mutate constant '\(place.root.name)'", at: loc) }
    let (positional, named) = try evalArguments(rt)
    return try place.modify(rt, keys, loc) { target -> Value in
      guard case .list(var xs) = target else { return .nil_ }
      target = .nil_  // the list is now uniquely ours: no copy on mutation
      defer { target = .list(xs) }
      return try rt.withArguments(name, method.labels, positional, named, loc) { args in try method.body(&xs, &args) }
    }
  }

  private func dispatch(_ value: Value, _ rt: Runtime) throws -> Value {
    switch value {
    case .record(let r):
      if let f = r[name] { return try rt.call(f, self, "field '\(name)'") }
      if let method = recordMethod {
        let (positional, named) = try evalArguments(rt)
        return try rt.withArguments(name, method.labels, positional, named, loc) { args in try method.body(r, &args) }
      }
      throw rt.error("record has no field '\(name)'" + NearestName.hint(name, among: value.memberNames), at: loc)
    case .list(var xs):
      let (positional, named) = try evalArguments(rt)
      if let method = mutatingMethod {
        // A temporary (not a variable): mutate the copy, return the method's result.
        return try rt.withArguments(name, method.labels, positional, named, loc) { args in try method.body(&xs, &args) }
      }
      guard let method = listMethod else {
        throw rt.error("List has no method '\(name)'" + NearestName.hint(name, among: value.memberNames), at: loc)
      }
      return try rt.withArguments(name, method.labels, positional, named, loc) { args in try method.body(xs, &args) }
    case .string(let s):
      guard let method = stringMethod else {
        throw rt.error("String has no method '\(name)'" + NearestName.hint(name, among: value.memberNames), at: loc)
      }
      let (positional, named) = try evalArguments(rt)
      return try rt.withArguments(name, method.labels, positional, named, loc) { args in try method.body(s, &args) }
    case .native(let o):
      if let m = o as? NativeMethods {
        let (positional, named) = try evalArguments(rt)
        let result: Value?
        let arguments = NativeArguments(positional: positional, named: named, function: name)
        do { result = try rt.atNativeCall(loc) { try m.callMethod(name, arguments) } } catch {
          throw rt.locateHostError(error, at: loc)
        }
        if let result { return result }
        return try callField(o, rt, evaluated: (positional, named))
      }
      return try callField(o, rt, evaluated: nil)
    default:
      let kind = { if case .nil_ = value { return "nil" } else { return value.typeName } }()
      throw rt.error("attempt to call method '\(name)' on \(withArticle(kind)) value", at: loc)
    }
  }

  private func callField(
    _ o: any NativeObject, _ rt: Runtime,
    evaluated: (positional: [Value], named: [(label: String, value: Value)])?
  ) throws -> Value {
    let f: Value?
    do { f = try o.field(name) } catch { throw rt.locateHostError(error, at: loc) }
    guard let f else {
      throw rt.error("\(o.typeName) has no method '\(name)'" + NearestName.hint(name, among: o.fieldNames), at: loc)
    }
    if let object = o as? MetaObject, MetaObject.takesSelf(f) {
      // A stdlib method `fn adapt(self, ...)`: the object is its first argument.
      var (positional, named) = try evaluated ?? evalArguments(rt)
      positional.insert(.native(object), at: 0)
      do {
        return try rt.call(f, positional, named: named, at: loc)
      } catch var e as MetaError where e.loc == loc && e.kind == .runtime {
        // An argument error of this very call names the method as the user wrote
        // it (`unknown argument 'stpes' to 'fit'`), not the stdlib function
        // behind it ('metaopt_fit').
        if case .function(let function) = f, function.name != name {
          e.message = e.message.replacingOccurrences(of: "to '\(function.name)'", with: "to '\(name)'")
        }
        throw e
      }
    }
    if let evaluated { return try rt.call(f, evaluated.positional, named: evaluated.named, at: loc) }
    return try rt.call(f, self, "method '\(name)'")
  }
}

/// `fn (params) { body }`: creates a closure, collecting the boxes it captures.
final class ClosureNode: ExprNode {
  let proto: FunctionProto
  init(proto: FunctionProto, loc: SourceLoc) { self.proto = proto; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    var captures: [Box] = []
    captures.reserveCapacity(proto.captureSources.count)
    for source in proto.captureSources {
      switch source {
      case .local(let slot): captures.append(boxIn(rt.fp[slot]))
      case .capture(let i): captures.append(rt.captures[i])
      }
    }
    return .function(Function(proto: proto, captures: captures))
  }
}

// Function values: closures compiled from Meta source, builtins, and host
// functions registered from Swift.

/// A Meta function value: a closure written in Meta, or a native Swift function.
public final class Function {
  public let name: String
  /// Set for closures written in Meta.
  let proto: FunctionProto?
  /// `proto` without reference counting, for the call fast path (`proto` keeps it alive).
  let unretainedProto: Unmanaged<FunctionProto>?
  /// The closure's captured variables (its upvalues), in the order the resolver
  /// numbered them. Only `deinit` changes them, so reads skip the exclusivity checks.
  @exclusivity(unchecked) private(set) var captures: [Box]
  /// Set for builtins (which see the interpreter's runtime).
  let builtin: Builtin?
  /// Set for functions registered by the host.
  let host: ((NativeArguments) throws -> Value)?

  init(name: String) {
    self.name = name; proto = nil; unretainedProto = nil; captures = []; builtin = nil; host = nil
  }

  init(proto: FunctionProto, captures: [Box]) {
    name = proto.name; self.proto = proto; self.captures = captures; builtin = nil; host = nil
    unretainedProto = Unmanaged.passUnretained(proto)
  }

  init(builtin: Builtin) {
    name = builtin.name; proto = nil; unretainedProto = nil; captures = []; self.builtin = builtin; host = nil
  }

  /// A native function value, e.g. a bound method a `NativeObject.field` returns.
  /// An error `body` throws becomes a Meta runtime error at the call site.
  public init(name: String, body: @escaping (NativeArguments) throws -> Value) {
    self.name = name; proto = nil; unretainedProto = nil; captures = []; builtin = nil; host = body
  }

  /// Frees chains of closures iteratively. A closure built from another in a
  /// loop (`f = compose(f, g)`) holds it through a captured variable; left to
  /// Swift, freeing the last link frees the chain recursively, a few stack
  /// frames per link, and a long chain overflows the stack. Here every
  /// closure that dies with this one gives up its captures first, in a loop.
  /// (Chains that pass through lists or records are not followed.)
  deinit {
    guard !captures.isEmpty else { return }
    var boxes = captures
    captures = []
    while var box = boxes.popLast() {
      // A shared box is a live variable; a non-function value ends the chain.
      guard isKnownUniquelyReferenced(&box), case .function(var f) = box.value else { continue }
      box.value = .nil_
      guard isKnownUniquelyReferenced(&f) else { continue }
      boxes.append(contentsOf: f.captures)
      f.captures = []
    }
  }

  /// Names of the parameters (empty for native functions), for tools and messages.
  public var parameterNames: [String] { proto?.params.map(\.name) ?? [] }
}

/// The compiled, shareable part of a Meta function: everything but its captures.
final class FunctionProto {
  struct Param {
    let name: String
    /// Evaluated in the callee's frame (earlier parameters are visible) when the argument is absent.
    let defaultValue: ExprNode?
  }

  /// Where a new closure takes each capture from when it is created.
  enum CaptureSource {
    /// A boxed local of the function creating the closure.
    case local(Int)
    /// One of the creating function's own captures.
    case capture(Int)
  }

  let name: String
  let file: String
  /// The directory relative imports resolve against (nil: the working directory).
  let directory: String?
  /// Where the `fn` keyword stands in `file` (nil for a whole program): `help`
  /// reads the signature and the doc comment above it from the source there.
  var declaration: SourceLoc?
  // Filled in by the resolver, then only read; reads skip the exclusivity checks.
  @exclusivity(unchecked) var params: [Param] = [] {
    didSet { paramCount = params.count }
  }
  @exclusivity(unchecked) private(set) var paramCount = 0
  /// Parameter slots that closures capture: boxed on entry.
  @exclusivity(unchecked) var boxedParams: [Int] = [] {
    didSet { plainEntry = boxedParams.isEmpty && selfSlot == nil }
  }
  /// The hidden local through which a local `fn` names itself (boxed when captured).
  @exclusivity(unchecked) var selfSlot: (slot: Int, boxed: Bool)? {
    didSet { plainEntry = boxedParams.isEmpty && selfSlot == nil }
  }
  /// Nothing to box or bind on entry: calls may take the fast path.
  @exclusivity(unchecked) private(set) var plainEntry = true
  @exclusivity(unchecked) var frameSize = 0
  @exclusivity(unchecked) var captureSources: [CaptureSource] = []
  @exclusivity(unchecked) var body: StmtNode = EmptyStmt() {
    didSet { unretainedBody = Unmanaged.passUnretained(body) }
  }
  /// Set instead of `body` when the function has no `return`: its value is this
  /// expression's, with no `Flow` to check.
  @exclusivity(unchecked) var bodyExpr: ExprNode? {
    didSet { unretainedBodyExpr = bodyExpr.map { Unmanaged.passUnretained($0) } }
  }
  @exclusivity(unchecked) private(set) var unretainedBodyExpr: Unmanaged<ExprNode>?
  /// `body` without reference counting (`body` keeps it alive).
  @exclusivity(unchecked) private(set) var unretainedBody: Unmanaged<StmtNode>

  init(name: String, file: String, directory: String?) {
    self.name = name; self.file = file; self.directory = directory
    unretainedBody = Unmanaged.passUnretained(body)
  }

}

/// A variable that a closure captured: the binding itself, shared by reference.
/// It lives in a frame slot as `.native(box)`; only resolved nodes that know the
/// slot is boxed ever see it.
final class Box: NativeObject {
  @exclusivity(unchecked) var value: Value
  init(_ value: Value) { self.value = value }
  var typeName: String { "Box" }
  var description: String { "<box>" }
}

/// Marks a global slot that has no value yet.
final class UndefinedMarker: NativeObject {
  var typeName: String { "Undefined" }
  var description: String { "<undefined>" }
}

/// A builtin function: native code that sees the runtime and reads its arguments
/// straight from the value stack.
struct Builtin {
  let name: String
  /// Named arguments it accepts (others are an error naming the function).
  let labels: [String]
  let body: (inout Arguments) throws -> Value

  init(_ name: String, labels: [String] = [], _ body: @escaping (inout Arguments) throws -> Value) {
    self.name = name; self.labels = labels; self.body = body
  }
}

// A global environment: the builtins' one, the main program's one, and one per
// module. Names get slots at resolve time, so running code never looks up a string.

/// Global variables by slot. Nodes keep a reference to their environment and read
/// `values[slot]` directly; a slot that was named but never assigned holds the
/// runtime's undefined marker.
final class Env {
  private(set) var names: [String] = []
  private var slots: [String: Int] = [:]
  /// `let`, `fn` and `import` bindings cannot be assigned.
  private(set) var isConst: [Bool] = []
  /// True for names a program declared here (not merely read).
  private(set) var declared: [Bool] = []
  /// Names bound by `let` (not `fn` or `import`), so the resolver can reject `xs.append(v)`.
  private(set) var letBound: Set<String> = []
  /// Read on every global access: skips the exclusivity checks (only `grow` replaces it).
  @exclusivity(unchecked) private(set) var values: UnsafeMutablePointer<Value>
  private var capacity: Int
  let undefined: Value

  init(undefined: Value) {
    self.undefined = undefined
    capacity = 64
    values = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
    values.initialize(repeating: undefined, count: capacity)
  }

  /// A copy of `other`'s names and declarations without its values, so `check`
  /// can resolve a program without touching the real environment.
  init(declarationsOf other: Env) {
    undefined = other.undefined
    capacity = other.capacity
    values = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
    values.initialize(repeating: undefined, count: capacity)
    names = other.names; slots = other.slots; isConst = other.isConst; declared = other.declared
    letBound = other.letBound
  }

  /// The names and declarations (not the values), to undo a program that failed to resolve.
  struct Declarations {
    fileprivate let names: [String]
    fileprivate let slots: [String: Int]
    fileprivate let isConst: [Bool]
    fileprivate let declared: [Bool]
    fileprivate let letBound: Set<String>
  }

  var declarations: Declarations {
    Declarations(names: names, slots: slots, isConst: isConst, declared: declared, letBound: letBound)
  }

  /// Puts back the declarations saved before a resolution that failed. Slots created
  /// since then were never assigned (the program did not run), so they hold `undefined`.
  func restore(_ saved: Declarations) {
    for s in saved.names.count..<max(saved.names.count, names.count) { values[s] = undefined }
    names = saved.names; slots = saved.slots; isConst = saved.isConst; declared = saved.declared
    letBound = saved.letBound
  }

  deinit {
    values.deinitialize(count: capacity)
    values.deallocate()
  }

  var count: Int { names.count }

  func slot(_ name: String) -> Int? { slots[name] }

  /// The slot for `name`, created (undefined) if needed.
  func slotCreating(_ name: String) -> Int {
    if let s = slots[name] { return s }
    let s = names.count
    if s == capacity { grow() }
    names.append(name); slots[name] = s; isConst.append(false); declared.append(false)
    return s
  }

  /// Records a declaration; the value is stored when the declaration runs.
  @discardableResult
  func declare(_ name: String, constant: Bool, isLet: Bool = false) -> Int {
    let s = slotCreating(name)
    isConst[s] = constant; declared[s] = true
    if isLet { letBound.insert(name) } else { letBound.remove(name) }
    return s
  }

  func isDefined(_ slot: Int) -> Bool {
    if case .native(let o) = values[slot], case .native(let u) = undefined, o === u { return false }
    return true
  }

  func value(_ name: String) -> Value? {
    guard let s = slots[name], isDefined(s) else { return nil }
    return values[s]
  }

  /// Defines (or redefines) `name` from Swift.
  func define(_ name: String, _ value: Value, constant: Bool = false) {
    let s = declare(name, constant: constant)
    values[s] = value
  }

  func undefine(_ slot: Int) { values[slot] = undefined }

  /// Names with a value, in slot order.
  var definedNames: [String] { names.indices.filter { isDefined($0) }.map { names[$0] } }

  /// Drops every value (breaks reference cycles through closures when the interpreter goes away).
  func clear() {
    for i in 0..<names.count { values[i] = .nil_ }
  }

  private func grow() {
    let newCapacity = capacity * 2
    let fresh = UnsafeMutablePointer<Value>.allocate(capacity: newCapacity)
    fresh.moveInitialize(from: values, count: capacity)
    (fresh + capacity).initialize(repeating: undefined, count: newCapacity - capacity)
    values.deallocate()
    values = fresh; capacity = newCapacity
  }
}

// Reference cycles among objects. A `MetaObject` is shared by reference and its
// fields may lead back to it (`node.next = node`, a closure in a field that
// captures a variable holding the object, a list of children that point to
// their parent); reference counting alone never frees such a cycle, so a loop
// that builds one per step would grow without bound. The interpreter collects
// them, as CPython does, by trial deletion:
//
// 1. From every object the interpreter made, gather the heap nodes its fields
//    reach: objects, closures, their captured variables (boxes), and the
//    storage of lists and records, with the references between them.
// 2. A node's strong references that are not references between gathered nodes
//    come from outside: a variable, the value stack, the host, a native frame.
// 3. Every node reachable from one referenced from outside is alive; objects
//    left over are garbage, and clearing their fields frees the cycles.
//
// References the walk cannot see (inside host closures or other native objects)
// only make a node look referenced from outside: the collector may miss
// garbage, never free something alive.

/// The objects one interpreter made, collected when only cycles keep them.
/// Collections are paced by the objects made since the last one, so their cost
/// per object stays bounded; the runtime's teardown runs a last one.
final class ObjectRegistry {
  /// Weak, so that an object no cycle holds is freed as soon as it is dropped,
  /// on whichever thread drops it (the runtime zeroes a weak reference safely;
  /// an unretained list that objects leave in their deinit would race with a
  /// collection reading it).
  private struct Entry {
    weak var object: MetaObject?
  }
  private var entries: [Entry] = []
  private var madeSinceCollection = 0
  private var pause = ObjectRegistry.minimumPause

  /// Objects made between collections, at least: a collection walks all that
  /// the objects reach, so a small heap is not walked at every step.
  static let minimumPause = 1000

  func register(_ object: MetaObject) {
    entries.append(Entry(object: object))
    madeSinceCollection += 1
    if madeSinceCollection >= pause { collect() }
  }

  /// Objects alive now.
  var liveCount: Int { entries.reduce(0) { $0 + ($1.object == nil ? 0 : 1) } }

  /// Finds the objects only cycles keep alive and clears their fields.
  func collect() {
    madeSinceCollection = 0
    let scanned = breakUnreachableCycles()
    entries.removeAll { $0.object == nil }
    // Next when as many objects again were made (the heap at most doubles),
    // or the walk was paid for at 64 values per object made.
    pause = max(Self.minimumPause, entries.count, scanned / 64)
  }

  /// The values scanned. The graph, which holds every node, is gone on return.
  private func breakUnreachableCycles() -> Int {
    guard let graph = HeapGraph(entries.compactMap(\.object)) else { return 0 }
    graph.breakUnreachableCycles()
    return graph.valuesScanned
  }
}

/// The heap nodes some objects reach and the references between them.
private struct HeapGraph {
  /// Every gathered node, then a probe that only this array holds.
  let nodes: [AnyObject]
  /// The nodes each node references (one entry per reference): node i's are
  /// `targets[starts[i]..<starts[i + 1]]`.
  let targets: [Int]
  let starts: [Int]
  let valuesScanned: Int

  /// What a node is, to read its references.
  private enum Contents {
    case object(MetaObject)
    case function(Function)
    case box(Box)
    case values([Value])
    case boxes([Box])
  }

  /// Gathers what `objects` reach. Nil where list storage cannot be seen as
  /// an object (arrays are one reference without Objective-C bridging).
  init?(_ objects: [MetaObject]) {
    guard MemoryLayout<[Value]>.size == MemoryLayout<AnyObject>.size else { return nil }
    var nodes: [AnyObject] = []
    var contents: [Contents] = []
    var index: [ObjectIdentifier: Int] = [:]
    func node(_ object: AnyObject, _ c: @autoclosure () -> Contents) -> Int {
      if let i = index[ObjectIdentifier(object)] { return i }
      index[ObjectIdentifier(object)] = nodes.count
      nodes.append(object)
      contents.append(c())
      return nodes.count - 1
    }
    func target(_ v: Value) -> Int? {
      switch v {
      case .list(let xs) where !xs.isEmpty: node(unsafeBitCast(xs, to: AnyObject.self), .values(xs))
      case .record(let r) where r.count > 0: node(unsafeBitCast(r.values, to: AnyObject.self), .values(r.values))
      case .function(let f): node(f, .function(f))
      case .native(let o as MetaObject): node(o, .object(o))
      case .native(let o as Box): node(o, .box(o))
      default: nil
      }
    }
    for o in objects { _ = node(o, .object(o)) }
    var targets: [Int] = []
    var starts = [0]
    var scanned = 0
    // `node` appends while this walks: breadth first, no recursion.
    while starts.count <= nodes.count {
      switch contents[starts.count - 1] {
      case .object(let o): if let t = target(.record(o.fields)) { targets.append(t) }
      case .function(let f):
        if !f.captures.isEmpty { targets.append(node(unsafeBitCast(f.captures, to: AnyObject.self), .boxes(f.captures))) }
      case .box(let b): if let t = target(b.value) { targets.append(t) }
      case .values(let vs):
        scanned += vs.count
        for v in vs { if let t = target(v) { targets.append(t) } }
      case .boxes(let bs):
        for b in bs { targets.append(node(b, .box(b))) }
      }
      starts.append(targets.count)
    }
    nodes.append(Box(.nil_))
    starts.append(targets.count)
    self.nodes = nodes
    self.targets = targets
    self.starts = starts
    self.valuesScanned = scanned
  }

  /// Clears the fields of every gathered object no outside reference reaches
  /// (and the variables of closures among them, which may close cycles too).
  func breakUnreachableCycles() {
    let outside = referencedFromOutside()
    var alive = [Bool](repeating: false, count: nodes.count)
    var stack = outside
    for i in outside { alive[i] = true }
    while let i = stack.popLast() {
      for t in targets[starts[i]..<starts[i + 1]] where !alive[t] {
        alive[t] = true
        stack.append(t)
      }
    }
    for i in nodes.indices where !alive[i] {
      if let o = nodes[i] as? MetaObject { o.fields = Record() }
      if let b = nodes[i] as? Box { b.value = .nil_ }
    }
  }

  /// The nodes with more strong references than the gathered ones account for.
  /// Every node is read the same way, and the probe (held by `nodes` alone)
  /// says what a count with no other reference reads.
  private func referencedFromOutside() -> [Int] {
    let counts = nodes.map { Int(_getRetainCount($0)) }
    guard let unreferenced = counts.last else { return [] }
    var inside = [Int](repeating: 0, count: nodes.count)
    for t in targets { inside[t] += 1 }
    // More references than counted is an outside one; fewer would mean a
    // miscount, and is treated the same way (keep, never free).
    return nodes.indices.filter { counts[$0] != unreferenced + inside[$0] }
  }
}

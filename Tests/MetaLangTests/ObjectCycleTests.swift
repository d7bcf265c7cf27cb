// Objects in reference cycles are collected (Values/ObjectCycles.swift): a loop
// that builds cyclic objects runs in bounded memory, and nothing still reachable
// (from a variable, a shared list, a closure, the host) loses a field.

import XCTest

@testable import MetaLang

final class ObjectCycleTests: XCTestCase {
  func testALoopBuildingCyclesDoesNotGrow() throws {
    let interp = Interpreter(output: { _ in })
    var most = 0
    interp.register("live") { [unowned interp] _ in
      most = max(most, interp.rt.objects.liveCount)
      return .nil_
    }
    try interp.evaluate("""
      for i in range(100000) {
        var a = object("Node", {i: i})
        a.next = a                          # itself
        var b = object("Node", {prev: a, kids: [a, {up: a}]})
        a.child = b                         # each other, through a list and a record
        b.get = fn() { b }                  # through a closure's variable
        if i % 1000 == 0 { live() }
      }
      live()
      """)
    // 200,000 objects were made; the registry holds at most two collections' worth.
    let bound = 2 * (ObjectRegistry.minimumPause + 4)
    XCTAssertLessThan(most, bound, "objects alive at most: \(most)")
    // The nesting gauge remembers the last 8 containers it measured (the last
    // iterations' `kids`); once it has measured others, nothing is left.
    try interp.evaluate("for i in range(10) { let q = [[[i]]] }")
    interp.rt.objects.collect()
    XCTAssertEqual(interp.rt.objects.liveCount, 0)
  }

  func testReachableObjectsKeepTheirFields() throws {
    let interp = Interpreter(output: { _ in })
    try interp.evaluate("""
      var kept = object("Kept", {v: 1})
      kept.me = kept                        # a cycle still held by a variable
      var x = object("X", {v: 2})
      x.list = [x]
      let shared = x.list                   # held only through a list x shares
      x = nil
      fn make() {
        var o = object("O", {v: 3})
        o.me = o
        fn() { o.v }                        # held only by a closure's variable
      }
      let get = make()
      """)
    let held = try interp.evaluate("var h = object(\"H\", {v: 4})\nh.me = h\nh")
    try interp.evaluate("h = nil")
    // Enough objects for several collections.
    try interp.evaluate("for i in range(5000) { var c = object(\"C\", {}); c.c = c }")
    interp.rt.objects.collect()
    let v = try interp.evaluate("[kept.me.me.v, shared[0].list[0].v, get(), len(shared[0].list)]")
    XCTAssertEqual(v.description, "[1, 2, 3, 1]")
    // The host's reference keeps its object whole.
    guard case .native(let h as MetaObject) = held else { return XCTFail("\(held)") }
    XCTAssertEqual(h.description, "H(v: 4, me: H(...))")
    XCTAssertEqual(interp.rt.objects.liveCount, 4)
  }

  /// An interpreter whose `track(object)` keeps a weak reference to the object.
  private func tracking(_ freed: @escaping (MetaObject) -> Void) -> Interpreter {
    let interp = Interpreter(output: { _ in })
    interp.register("track") { args in
      if case .native(let o as MetaObject)? = args.positional.first { freed(o) }
      return .nil_
    }
    return interp
  }

  func testCyclesAreFreedOnceUnreachable() throws {
    weak var freed: MetaObject?
    let interp = tracking { freed = $0 }
    try interp.evaluate("var a = object(\"A\", {})\nvar b = object(\"B\", {a: a})\na.b = b\ntrack(a)")
    try interp.evaluate("a = nil\nb = nil")
    XCTAssertNotNil(freed, "a cycle outlives its last variable until collected")
    interp.rt.objects.collect()
    XCTAssertNil(freed)
  }

  /// The interpreter's teardown collects what its globals held in cycles (the
  /// leak AddressSanitizer reported for Tests/programs/meta/object_cycle.meta).
  func testTeardownFreesCycles() throws {
    weak var freed: MetaObject?
    do {
      let interp = tracking { freed = $0 }
      try interp.evaluate("var a = object(\"Node\", {name: \"a\"})\na.next = a\ntrack(a)")
      XCTAssertNotNil(freed)
    }
    XCTAssertNil(freed)
  }
}

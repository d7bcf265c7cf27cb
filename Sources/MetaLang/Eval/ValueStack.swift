// The memory of the value stack (Runtime's frames). It is allocated zeroed, so
// its pages cost nothing until a deep call first touches them: filling all
// `Interpreter.valueStackSize` slots with nil up front was a sixth of `meta`'s
// start-up (page faults on 6 MB), and destroying them again at exit another part.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum ValueStack {
  /// Whether zeroed memory already holds valid Values that own nothing, which is
  /// all the frame code asks of a free slot (it initializes or assigns a slot
  /// before reading it, and clears it to nil on return). True of Value's layout
  /// (zero is `.bool(false)`); checked, so another layout falls back to nil-filling.
  static let zeroIsFree: Bool = {
    let size = MemoryLayout<Value>.stride
    guard let raw = calloc(1, size) else { return false }
    defer { free(raw) }
    raw.bindMemory(to: Value.self, capacity: 1).initialize(to: .bool(false))
    return UnsafeRawBufferPointer(start: raw, count: size).allSatisfy { $0 == 0 }
  }()

  /// `count` free slots (nil, or zeroes that read as a Value owning nothing).
  static func allocate(_ count: Int) -> UnsafeMutablePointer<Value> {
    // As UnsafeMutablePointer.allocate does, running out of memory here ends the process.
    guard let raw = calloc(count, MemoryLayout<Value>.stride) else {
      fatalError("no memory for the value stack")
    }
    let slots = raw.bindMemory(to: Value.self, capacity: count)
    if !zeroIsFree { slots.initialize(repeating: .nil_, count: count) }
    return slots
  }

  /// Releases a stack whose slots from `live` on are free (no evaluation is running):
  /// only the live ones can own anything.
  static func deallocate(_ slots: UnsafeMutablePointer<Value>, live: Int) {
    slots.deinitialize(count: live)
    free(slots)
  }
}

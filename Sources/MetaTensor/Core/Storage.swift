import Foundation
import Synchronization

/// A reference-counted block of elements of one dtype, shared by a tensor and
/// its views. The buffer comes from `BufferPool.shared` and goes back to it on
/// deinit; its bytes count against the `MemoryBudget` installed on the thread
/// that created it.
final class Storage: @unchecked Sendable {
  /// Elements are written only while building a fresh tensor; afterwards the
  /// storage is read-only, which is what makes sharing it between views safe.
  let raw: UnsafeMutableRawPointer
  /// The elements as Float32: meaningful only when `dtype` is `.float32` (the
  /// float32 kernels read it directly; every other dtype goes through `typed`).
  let base: UnsafeMutablePointer<Float>
  /// Number of elements.
  let count: Int
  let dtype: DType
  /// Pool capacity in Float32 units (the pool's currency).
  private let capacity: Int
  /// Where these bytes were counted, to give them back (tensors die on any thread).
  private let budget: MemoryBudget?

  /// Uninitialised storage for `count` elements of `dtype` (callers fill every
  /// element). Throws an out-of-memory TensorError when the budget refuses the
  /// bytes or the system has none left, instead of aborting in malloc.
  init(count: Int, dtype: DType = .float32) throws {
    let units = Storage.floatUnits(count: count, dtype: dtype)
    let capacity = BufferPool.sizeClass(for: units).capacity
    let bytes = capacity &* MemoryLayout<Float>.stride
    let budget = MemoryBudget.current
    try budget?.reserve(bytes)
    guard let (pointer, _) = BufferPool.shared.take(units) else {
      budget?.release(bytes)
      throw TensorError.outOfMemory(
        "cannot allocate \(bytes) bytes for a tensor of \(count) elements" + (budget?.limitText ?? ""))
    }
    self.count = count
    self.dtype = dtype
    self.raw = UnsafeMutableRawPointer(pointer)
    self.base = pointer
    self.capacity = capacity
    self.budget = budget
    Storage.bind(raw, dtype: dtype, count: count)
  }

  /// Storage for one float32 element, made where nothing can throw (`Tensor(1.0)`):
  /// its 64 bytes are counted but never refused by the budget. Only the system
  /// refusing 64 bytes ends the process here, as it would at any Swift allocation.
  init(scalar value: Float) {
    let capacity = BufferPool.sizeClass(for: 1).capacity
    budget = MemoryBudget.current
    budget?.reserve(unchecked: capacity &* MemoryLayout<Float>.stride)
    guard let (pointer, _) = BufferPool.shared.take(1) else {
      fatalError("out of memory: cannot allocate \(capacity * MemoryLayout<Float>.stride) bytes")
    }
    pointer.initialize(to: value)
    self.count = 1
    self.dtype = .float32
    self.raw = UnsafeMutableRawPointer(pointer)
    self.base = pointer
    self.capacity = capacity
  }

  /// The elements as `T`, which must be the Swift type of `dtype` (callers
  /// dispatch on `dtype` first).
  @inline(__always)
  func typed<T: TensorElement>(_: T.Type) -> UnsafeMutablePointer<T> {
    raw.assumingMemoryBound(to: T.self)
  }

  /// Float32 units (4 bytes) holding `count` elements of `dtype`.
  static func floatUnits(count: Int, dtype: DType) -> Int {
    switch dtype {
    case .float32: return count
    case .bool: return (count &+ 3) / 4
    case .int64, .float64: return count &* 2
    }
  }

  /// Pooled buffers are reused across dtypes: bind the memory to this one's type.
  private static func bind(_ raw: UnsafeMutableRawPointer, dtype: DType, count: Int) {
    switch dtype {
    case .float32: raw.bindMemory(to: Float.self, capacity: count)
    case .float64: raw.bindMemory(to: Double.self, capacity: count)
    case .int64: raw.bindMemory(to: Int64.self, capacity: count)
    case .bool: raw.bindMemory(to: Bool.self, capacity: count)
    }
  }

  deinit {
    if dtype != .float32 { raw.bindMemory(to: Float.self, capacity: capacity) }
    BufferPool.shared.give(base, capacity: capacity)
    budget?.release(capacity &* MemoryLayout<Float>.stride)
  }
}

/// Free lists of Float buffers by size class, so repeated training steps reuse
/// memory instead of calling malloc (and, for large buffers, taking fresh page
/// faults) for every intermediate. Thread-safe.
///
/// Size classes: powers of two up to 4096 elements, then four classes per
/// octave (5/4, 6/4, 7/4, 8/4 of the lower power of two), so a buffer wastes
/// at most 25% and a 60 MB activation is not rounded up to 128 MB.
/// Bounds: each class keeps at most `perClass` buffers and at most half of
/// `maxBytes` (one size cannot crowd out all others); the pool as a whole
/// keeps at most `maxBytes`. Beyond that, returned buffers are freed.
final class BufferPool: Sendable {
  /// Total bytes the shared pool may hold idle: 1 GiB, enough for a training
  /// step's worth of large conv activations (tens of MB each at batch 300)
  /// to be recycled between steps, small next to a training machine's memory.
  static let defaultMaxBytes = 1 << 30
  /// Idle buffers kept per size class in the shared pool (`maxBytes` still
  /// bounds them): a TRPO Fisher-vector product frees hundreds of [2000, 64]
  /// activations' gradients at once; with 64 slots most went back to malloc,
  /// and the next product took a fresh page fault for every 4 KiB of them.
  static let defaultPerClass = 1024
  /// Idle buffers kept per small class (at most `smallClassLimit` elements)
  /// in the shared pool: a second-order MAML step holds thousands of small
  /// tensors at once and frees them together; with 64 slots most of them
  /// went back to malloc and the next step paid malloc again (at most
  /// 4096 x 4 KiB = 16 MiB per class).
  static let defaultSmallPerClass = 4096
  /// Classes up to this many elements count as small.
  static let smallClassLimit = 1024
  /// Number of small classes (16, 32, ..., 1024 elements).
  private static let smallClassCount = sizeClass(for: smallClassLimit).index + 1

  static let shared = BufferPool(maxBytes: defaultMaxBytes, perClass: defaultPerClass,
                                 smallPerClass: defaultSmallPerClass)

  /// Number of size classes: enough for `Tensor.maxElementCount` elements.
  static let classCount = 96

  /// Free buffers as address bit patterns (Sendable, unlike pointers), in one
  /// flat array of slots (`smallPerClass` per small class, then `perClass`
  /// per other class): no nested arrays to touch under the lock.
  private struct State {
    var slots: [UInt]
    var counts = [Int](repeating: 0, count: BufferPool.classCount)
    var classBytes = [Int](repeating: 0, count: BufferPool.classCount)
    var bytes = 0

    init(slotCount: Int) { slots = [UInt](repeating: 0, count: slotCount) }
  }
  private let state: Mutex<State>
  private let maxBytes: Int
  private let perClass: Int
  private let smallPerClass: Int

  /// A pool holding at most `maxBytes` idle bytes and `perClass` idle buffers
  /// per class (`smallPerClass`, default `perClass`, for the small classes).
  init(maxBytes: Int, perClass: Int, smallPerClass: Int? = nil) {
    self.maxBytes = Swift.max(maxBytes, 0)
    self.perClass = Swift.max(perClass, 0)
    self.smallPerClass = Swift.max(smallPerClass ?? perClass, 0)
    state = Mutex(State(slotCount: Self.smallClassCount * self.smallPerClass
                          + (Self.classCount - Self.smallClassCount) * self.perClass))
  }

  /// First slot and number of slots of class `index` (< classCount).
  @inline(__always)
  private func slotRange(_ index: Int) -> (start: Int, count: Int) {
    let small = Self.smallClassCount
    if index < small { return (index &* smallPerClass, smallPerClass) }
    return (small &* smallPerClass &+ (index &- small) &* perClass, perClass)
  }

  /// The size class serving `count` elements and its buffer capacity.
  /// Idempotent on capacities: `sizeClass(for: c).capacity == c` for any
  /// capacity it returns.
  static func sizeClass(for count: Int) -> (index: Int, capacity: Int) {
    let n = Swift.max(count, 16)
    let log2Ceiling = Int.bitWidth - (n - 1).leadingZeroBitCount  // 2^l >= n > 2^(l-1)
    if log2Ceiling <= 12 { return (log2Ceiling - 4, 1 << log2Ceiling) }
    // Beyond any valid tensor: exact size, never pooled (and no overflow below).
    if log2Ceiling > 40 { return (classCount, n) }
    let e = log2Ceiling - 1  // 2^e < n <= 2^(e+1)
    let step = 1 << (e - 2)
    let multiple = (n + step - 1) / step  // 5...8
    return (9 + (e - 12) * 4 + (multiple - 5), multiple * step)
  }

  /// A buffer of at least `count` elements and its actual capacity; nil when the
  /// system has no memory for it, even after the idle buffers are freed.
  func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int)? {
    let (index, capacity) = Self.sizeClass(for: count)
    if index < Self.classCount {
      let bytes = capacity * MemoryLayout<Float>.stride
      let start = slotRange(index).start
      let reused: UInt? = state.withLock { s in
        let n = s.counts[index]
        guard n > 0 else { return nil }
        s.counts[index] = n - 1
        s.bytes -= bytes
        s.classBytes[index] -= bytes
        return s.slots[start + n - 1]
      }
      if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) { return (pointer, capacity) }
    }
    if let fresh = Self.allocate(capacity) { return (fresh, capacity) }
    drain()  // idle buffers of other sizes may be what the system is missing
    return Self.allocate(capacity).map { ($0, capacity) }
  }

  /// Buffers start on a cache line: vector loads then never straddle two lines
  /// (with 16-byte malloc alignment the same small matmul ran at 0.96 or 1.9 µs
  /// depending on where its operands happened to land).
  static let alignment = 64

  /// A fresh buffer, or nil when the system refuses (Swift's own allocation would abort).
  static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Float>? {
    var raw: UnsafeMutableRawPointer?
    let bytes = Swift.max(1, capacity) * MemoryLayout<Float>.stride
    guard posix_memalign(&raw, alignment, bytes) == 0, let raw else { return nil }
    return raw.bindMemory(to: Float.self, capacity: capacity)
  }

  /// Returns a buffer from `take` (with the capacity it reported).
  func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    let index = Self.sizeClass(for: capacity).index
    let bytes = capacity * MemoryLayout<Float>.stride
    let address = UInt(bitPattern: pointer)
    let limit = maxBytes, classLimit = maxBytes / 2
    let kept = index < Self.classCount && state.withLock { [slots = slotRange(index)] s -> Bool in
      let n = s.counts[index]
      guard n < slots.count, s.bytes + bytes <= limit,
            s.classBytes[index] + bytes <= classLimit else { return false }
      s.slots[slots.start + n] = address
      s.counts[index] = n + 1
      s.bytes += bytes
      s.classBytes[index] += bytes
      return true
    }
    if !kept { free(pointer) }
  }

  /// Bytes currently held in free lists (for tests and diagnostics).
  var pooledBytes: Int { state.withLock { $0.bytes } }

  /// Frees every idle buffer (memory pressure, tests).
  func drain() {
    let ranges = (0..<BufferPool.classCount).map(slotRange)
    let addresses = state.withLock { s -> [UInt] in
      var all: [UInt] = []
      for c in 0..<BufferPool.classCount {
        all += s.slots[ranges[c].start ..< ranges[c].start + s.counts[c]]
      }
      s.counts = [Int](repeating: 0, count: BufferPool.classCount)
      s.classBytes = s.counts
      s.bytes = 0
      return all
    }
    for a in addresses { free(UnsafeMutableRawPointer(bitPattern: a)) }
  }

  deinit { drain() }
}

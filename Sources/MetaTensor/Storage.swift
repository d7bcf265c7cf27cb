import Synchronization

/// A reference-counted block of Float32 elements shared by a tensor and its views.
/// The buffer comes from `BufferPool.shared` and goes back to it on deinit.
final class Storage: @unchecked Sendable {
  /// Elements are written only while building a fresh tensor; afterwards the
  /// storage is read-only, which is what makes sharing it between views safe.
  let base: UnsafeMutablePointer<Float>
  let count: Int
  private let capacity: Int

  /// Uninitialised storage for `count` elements (callers fill every element).
  init(count: Int) {
    self.count = count
    let (pointer, capacity) = BufferPool.shared.take(count)
    self.base = pointer
    self.capacity = capacity
  }

  deinit { BufferPool.shared.give(base, capacity: capacity) }
}

/// Size-bucketed free lists of Float buffers, so repeated training steps reuse
/// memory instead of calling malloc for every intermediate. Thread-safe; the
/// total bytes kept are bounded, beyond which buffers are simply freed.
final class BufferPool: Sendable {
  static let shared = BufferPool(maxBytes: 256 << 20, perBucket: 64)

  /// Free buffers as address bit patterns (Sendable, unlike pointers).
  private struct State {
    var buckets: [[UInt]] = Array(repeating: [], count: 64)
    var bytes = 0
  }
  private let state = Mutex(State())
  private let maxBytes: Int
  private let perBucket: Int

  init(maxBytes: Int, perBucket: Int) {
    self.maxBytes = maxBytes
    self.perBucket = perBucket
  }

  /// Bucket `b` holds buffers of exactly `16 << b` elements (at least 16, so
  /// tiny tensors share one bucket).
  private static func bucket(for count: Int) -> Int {
    let needed = max(count, 16)
    let bits = Int.bitWidth - (needed - 1).leadingZeroBitCount
    return max(0, bits - 4)
  }

  func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
    let b = Self.bucket(for: count)
    let capacity = 16 << b
    let reused: UInt? = state.withLock { s in
      guard let p = s.buckets[b].popLast() else { return nil }
      s.bytes -= capacity * MemoryLayout<Float>.stride
      return p
    }
    if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) { return (pointer, capacity) }
    return (UnsafeMutablePointer<Float>.allocate(capacity: capacity), capacity)
  }

  func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    let b = Self.bucket(for: capacity)
    let bytes = capacity * MemoryLayout<Float>.stride
    let address = UInt(bitPattern: pointer)
    let kept = state.withLock { s -> Bool in
      guard s.buckets[b].count < perBucket, s.bytes + bytes <= maxBytes else { return false }
      s.buckets[b].append(address)
      s.bytes += bytes
      return true
    }
    if !kept { pointer.deallocate() }
  }

  /// Bytes currently held in free lists (for tests and diagnostics).
  var pooledBytes: Int { state.withLock { $0.bytes } }
}

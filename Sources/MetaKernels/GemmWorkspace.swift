/// A 64-byte aligned scratch buffer for packed panels. Owned by one thread at
/// a time: `GemmWorkspacePool` hands each out exclusively.
final class GemmWorkspace: @unchecked Sendable {
  private(set) var capacity = 0
  private var storage: UnsafeMutableRawPointer?

  deinit { storage?.deallocate() }

  /// A buffer of at least `count` floats; reallocates only when it must grow,
  /// so repeated same-size products never allocate.
  func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
    if let storage, count <= capacity { return storage.assumingMemoryBound(to: Float.self) }
    storage?.deallocate()
    let n = max(count, 16)
    let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
    storage = raw
    capacity = n
    return raw.assumingMemoryBound(to: Float.self)
  }
}

/// Free list of workspaces, shared by all threads. A product borrows one per
/// participating thread and returns it, so the buffers are reused across calls.
final class GemmWorkspacePool: Sendable {
  static let shared = GemmWorkspacePool()

  /// Beyond this many idle workspaces, returned ones are dropped (bounds memory
  /// after a burst of concurrent callers).
  private let keep = 16
  private let free = LockedValue<[GemmWorkspace]>([])

  func take() -> GemmWorkspace {
    free.withLock { $0.popLast() } ?? GemmWorkspace()
  }

  func give(_ w: GemmWorkspace) {
    free.withLock { list in
      if list.count < keep { list.append(w) }
    }
  }
}

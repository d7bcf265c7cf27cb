// The host's memory limit, as MetaTensor sees it: bytes of tensor storage, counted
// where storage is made (Storage.init) and given back where it is freed.

import Foundation
import Synchronization

/// A bound on the bytes of tensor storage alive at once: a host's memory limit. While
/// installed on a thread (`whileInstalled`), every tensor created there reserves its
/// bytes, and gives them back when freed, on whichever thread that happens. A tensor
/// that would pass the limit is refused with an out-of-memory TensorError.
public final class MemoryBudget: Sendable {
  private let used = Atomic<Int>(0)
  private let limitBytes: Atomic<Int>

  /// A budget of `limit` bytes (`Int.max`: count without refusing).
  public init(limit: Int = .max) { limitBytes = Atomic(Swift.max(limit, 0)) }

  /// Bytes of tensor storage allowed at once. Lowering it below `bytesInUse` refuses new
  /// storage until enough is freed.
  public var limit: Int {
    get { limitBytes.load(ordering: .relaxed) }
    set { limitBytes.store(Swift.max(newValue, 0), ordering: .relaxed) }
  }

  /// Bytes of tensor storage counted here and not yet freed.
  public var bytesInUse: Int { used.load(ordering: .relaxed) }

  /// Runs `body` with this budget counting the tensors the current thread creates.
  public func whileInstalled<R>(_ body: () throws -> R) rethrows -> R {
    let previous = pthread_getspecific(Self.key)
    pthread_setspecific(Self.key, Unmanaged.passUnretained(self).toOpaque())
    defer { pthread_setspecific(Self.key, previous) }
    return try body()
  }

  /// The budget installed on the current thread, if any. A pthread key rather than a
  /// TaskLocal: it is read for every tensor, and the TaskLocal's lookup alone took 2%
  /// of a loop of small tensor ops.
  static var current: MemoryBudget? {
    pthread_getspecific(key).map { Unmanaged<MemoryBudget>.fromOpaque($0).takeUnretainedValue() }
  }

  /// The thread-specific slot `whileInstalled` fills (the key itself never changes).
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  /// Counts `bytes`, or throws (counting nothing) when they would pass the limit.
  func reserve(_ bytes: Int) throws {
    let total = used.wrappingAdd(bytes, ordering: .relaxed).newValue
    let limit = self.limit
    guard total > limit else { return }
    used.wrappingSubtract(bytes, ordering: .relaxed)
    throw TensorError.outOfMemory("a tensor of \(bytes) bytes does not fit, \(total - bytes) in use" + limitText)
  }

  /// Counts `bytes` whatever the limit (a scalar).
  func reserve(unchecked bytes: Int) { used.wrappingAdd(bytes, ordering: .relaxed) }

  func release(_ bytes: Int) { used.wrappingSubtract(bytes, ordering: .relaxed) }

  /// " (limit N bytes)", or nothing for a budget without a limit.
  var limitText: String { limit == .max ? "" : " (limit \(limit) bytes)" }
}

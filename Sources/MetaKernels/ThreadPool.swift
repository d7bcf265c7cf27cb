#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A small pool of persistent worker threads for data-parallel loops.
///
/// `parallelFor` hands out indices `0..<count` dynamically to the caller's
/// thread and up to `threadLimit - 1` workers, and returns when all are done.
/// It allocates nothing per call. While one `parallelFor` is running on a pool,
/// any other call on the same pool (a nested call from inside `body`, or a
/// concurrent call from another thread) runs serially on its own thread instead
/// of waiting, so the pool can neither deadlock nor oversubscribe the cores.
public final class ThreadPool: @unchecked Sendable {
  /// The process-wide pool the kernels use. Its size is `ThreadPool.maxThreads`.
  public static let shared = ThreadPool(threadLimit: ThreadPool.coreCount)

  /// Process-wide cap on the threads (caller included) that kernels use;
  /// defaults to the number of online cores. The command line's `--threads N`
  /// sets this. Values are clamped to `1...ThreadPool.threadCap`.
  public static var maxThreads: Int {
    get { shared.threadLimit }
    set { shared.threadLimit = newValue }
  }

  /// Upper bound for any pool's thread count, so a wild setting cannot spawn
  /// thousands of threads.
  public static let threadCap = 256

  /// Online cores (at least 1).
  public static var coreCount: Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }

  private let state: PoolState
  private let limit: Atomic<Int>
  private let busy = Atomic<Bool>(false)

  /// Creates a pool that runs at most `threadLimit` threads (caller included).
  /// Workers are started lazily, on the first call that needs them.
  public init(threadLimit: Int) {
    state = PoolState()
    limit = Atomic(ThreadPool.clamp(threadLimit))
  }

  deinit { state.shutdownAndJoin() }

  /// Threads (caller included) a `parallelFor` may use; clamped to `1...threadCap`.
  public var threadLimit: Int {
    get { limit.load(ordering: .relaxed) }
    set { limit.store(ThreadPool.clamp(newValue), ordering: .relaxed) }
  }

  private static func clamp(_ n: Int) -> Int { min(max(n, 1), threadCap) }

  /// Calls `body(i)` once for every `i` in `0..<count`, spread over at most
  /// `min(threads, threadLimit)` threads including the caller, and returns when
  /// every call has finished. `body` must be safe to run concurrently for
  /// different indices. Nested or concurrent use of the same pool runs serially.
  public func parallelFor(count: Int, threads: Int = .max, body: (Int) -> Void) {
    guard count > 0 else { return }
    let participants = min(count, threads, threadLimit)
    guard participants > 1,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else {
      for i in 0..<count { body(i) }
      return
    }
    defer { busy.store(false, ordering: .releasing) }
    withoutActuallyEscaping(body) { job in
      state.run(job: job, count: count, helpers: participants - 1)
    }
  }
}

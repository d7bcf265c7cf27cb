import CMetaKernels
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

  /// Cap on the threads (caller included) that kernels use on the calling
  /// thread: the limit of the innermost `withThreadLimit` running on it, else
  /// the process-wide default, which setting this changes (the number of online
  /// cores unless set). Values are clamped to `1...ThreadPool.threadCap`.
  public static var maxThreads: Int {
    get { threadLimitOverride ?? shared.threadLimit }
    set { shared.threadLimit = newValue }
  }

  /// Runs `body` with `maxThreads`, and what `shared` may use for calls made
  /// from this thread, set to `threads` (clamped to `1...threadCap`) on the
  /// calling thread only: other threads keep theirs. How an interpreter applies
  /// its own thread count to its evaluations without a process-wide setting.
  public static func withThreadLimit<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
    guard let key = limitKey else { return try body() }
    let saved = pthread_getspecific(key)
    pthread_setspecific(key, UnsafeRawPointer(bitPattern: clamp(threads)))
    defer { pthread_setspecific(key, saved) }
    return try body()
  }

  /// The thread-specific slot holding `withThreadLimit`'s limit (nil if the system
  /// has no key left: the limits then stay process-wide).
  private static let limitKey: pthread_key_t? = {
    var key = pthread_key_t()
    return pthread_key_create(&key, nil) == 0 ? key : nil
  }()

  private static var threadLimitOverride: Int? {
    guard let key = limitKey, let limit = pthread_getspecific(key) else { return nil }
    return Int(bitPattern: limit)
  }

  /// Upper bound for any pool's thread count, so a wild setting cannot spawn
  /// thousands of threads.
  public static let threadCap = 256

  /// The cores this process may run on (at least 1): its CPU affinity mask, which
  /// `taskset`, cgroups' cpusets and MPI launchers' core binding narrow, else the
  /// online cores.
  public static var coreCount: Int {
    let allowed = Int(meta_affinity_cores())
    return allowed > 0 ? allowed : onlineCores
  }

  /// The machine's online cores (at least 1).
  public static var onlineCores: Int {
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
  /// `min(threads, threadLimit)` threads including the caller (for `shared`,
  /// the calling thread's `maxThreads` stands for `threadLimit`), and returns when
  /// every call has finished. `body` must be safe to run concurrently for
  /// different indices. Nested or concurrent use of the same pool runs serially.
  public func parallelFor(count: Int, threads: Int = .max, body: (Int) -> Void) {
    guard count > 0 else { return }
    let limit = self === ThreadPool.shared ? ThreadPool.maxThreads : threadLimit
    let participants = min(count, threads, limit)
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

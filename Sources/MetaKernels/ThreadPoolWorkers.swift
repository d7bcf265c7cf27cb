import CMetaKernels
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker side of `ThreadPool`, shared by a pool and its threads (workers
/// hold only this, so releasing the pool can shut them down).
///
/// Hand-off: the caller publishes a job under `mutex` and bumps `generation`
/// (release). Every started worker takes part in every generation's handshake:
/// it claims a slot, runs its share if the slot is below the job's helper
/// limit, and decrements `pending`; the caller returns when `pending` hits 0.
/// Because all workers are counted, the job fields are never overwritten
/// while a worker may still read them. Both sides spin briefly before
/// sleeping on a condition variable, so back-to-back jobs skip the futex wake.
final class PoolState: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  // Written by the caller under `mutex` before `generation` is bumped; read by
  // workers after they observe the new generation.
  private var job: ((Int) -> Void)?
  private var jobCount = 0
  private var helperLimit = 0

  private let generation = Atomic<UInt64>(0)
  private let pending = Atomic<Int>(0)
  private let slots = Atomic<Int>(0)
  private let next = Atomic<Int>(0)
  private let shutdown = Atomic<Bool>(false)

  // Guarded by `mutex`.
  private var threads: [pthread_t] = []
  private var sleepers = 0

  /// How long an idle worker polls for the next job before sleeping, and how
  /// long the caller polls for stragglers. Short, and yielding: the cores may
  /// be shared with other processes.
  private let workerSpinSeconds = 100e-6
  private let callerSpinSeconds = 50e-6

  init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wake, nil)
    pthread_cond_init(done, nil)
  }

  deinit {
    pthread_cond_destroy(done)
    pthread_cond_destroy(wake)
    pthread_mutex_destroy(mutex)
    done.deallocate()
    wake.deallocate()
    mutex.deallocate()
  }

  /// Runs one job on the caller plus up to `wanted` workers; blocks until done.
  func run(job body: @escaping (Int) -> Void, count: Int, helpers wanted: Int) {
    pthread_mutex_lock(mutex)
    startWorkers(upTo: wanted)
    job = body
    jobCount = count
    helperLimit = wanted
    pending.store(threads.count, ordering: .relaxed)
    slots.store(0, ordering: .relaxed)
    next.store(0, ordering: .relaxed)
    generation.wrappingAdd(1, ordering: .releasing)
    if sleepers > 0 { pthread_cond_broadcast(wake) }
    pthread_mutex_unlock(mutex)

    drain(body, count)

    if !spin(seconds: callerSpinSeconds, until: { pending.load(ordering: .acquiring) == 0 }) {
      pthread_mutex_lock(mutex)
      while pending.load(ordering: .acquiring) > 0 { pthread_cond_wait(done, mutex) }
      pthread_mutex_unlock(mutex)
    }
    // Every worker has reported done, so none still holds or reads the closure,
    // which must not outlive `withoutActuallyEscaping`.
    pthread_mutex_lock(mutex)
    job = nil
    pthread_mutex_unlock(mutex)
  }

  private func drain(_ body: (Int) -> Void, _ count: Int) {
    while true {
      let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
      if i >= count { return }
      body(i)
    }
  }

  /// Polls `ready` for up to `seconds` (pause hints, a yield every 64 polls);
  /// true once it holds.
  private func spin(seconds: Double, until ready: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + seconds
    while true {
      for _ in 0..<64 {
        if ready() { return true }
        meta_cpu_relax()
      }
      if monotonicSeconds() > deadline { return ready() }
      // On oversubscribed cores the thread we wait for may be queued behind
      // us on this very core; pure spinning then stalls both for a whole time
      // slice (measured: up to ms per call on the shared 2-core box).
      sched_yield()
    }
  }

  /// Caller holds `mutex`. A thread that fails to start just leaves the pool
  /// smaller; the job then runs on fewer threads.
  private func startWorkers(upTo wanted: Int) {
    while threads.count < wanted {
      let start = WorkerStart(state: self, seen: generation.load(ordering: .relaxed))
      let context = Unmanaged.passRetained(start).toOpaque()
      var tid = pthread_t()
      let rc = pthread_create(&tid, nil, { raw in
        guard let raw else { return nil }
        let start = Unmanaged<WorkerStart>.fromOpaque(raw).takeRetainedValue()
        start.state.workerLoop(seen: start.seen)
        return nil
      }, context)
      if rc != 0 {
        Unmanaged<WorkerStart>.fromOpaque(context).release()
        return
      }
      threads.append(tid)
    }
  }

  fileprivate func workerLoop(seen initial: UInt64) {
    var seen = initial
    while true {
      if !spin(seconds: workerSpinSeconds, until: { hasNews(since: seen) }) {
        pthread_mutex_lock(mutex)
        sleepers += 1
        while !hasNews(since: seen) { pthread_cond_wait(wake, mutex) }
        sleepers -= 1
        pthread_mutex_unlock(mutex)
      }
      if shutdown.load(ordering: .acquiring) { return }
      // The caller cannot publish again before this worker reports done, so
      // this is exactly the next generation and its fields are stable.
      seen = generation.load(ordering: .acquiring)
      if slots.wrappingAdd(1, ordering: .relaxed).oldValue < helperLimit { help(jobCount) }
      if pending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
        pthread_mutex_lock(mutex)
        pthread_cond_signal(done)
        pthread_mutex_unlock(mutex)
      }
    }
  }

  private func hasNews(since seen: UInt64) -> Bool {
    generation.load(ordering: .acquiring) != seen || shutdown.load(ordering: .acquiring)
  }

  /// A worker's share of the current job. Out of line so that its copy of the
  /// closure is released before the worker reports done: the caller checks, at
  /// the end of `withoutActuallyEscaping`, that nothing still holds it.
  @inline(never)
  private func help(_ count: Int) {
    guard let body = job else { return }
    drain(body, count)
  }

  func shutdownAndJoin() {
    pthread_mutex_lock(mutex)
    shutdown.store(true, ordering: .releasing)
    pthread_cond_broadcast(wake)
    let all = threads
    threads = []
    pthread_mutex_unlock(mutex)
    for t in all { pthread_join(t, nil) }
  }
}

private final class WorkerStart {
  let state: PoolState
  let seen: UInt64
  init(state: PoolState, seen: UInt64) {
    self.state = state
    self.seen = seen
  }
}

private func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

import MetaKernels

/// Element count from which compute-bound element-wise loops (exp, log, tanh,
/// sigmoid: ~1 ns per element) are split over the shared thread pool; below it
/// the hand-off costs more than it saves. Memory-bound arithmetic (a + b) is
/// not split: the second core did not pay on the measured machine.
let parallelElementThreshold = 1 << 18

/// Calls `body(start, count)` over consecutive chunks covering `0..<total`:
/// one chunk on the caller's thread for small totals, else a few chunks
/// (multiples of 64 elements) spread over `ThreadPool.shared`, which honours
/// `ThreadPool.maxThreads`. `body` must only touch its own chunk's outputs.
@inline(__always)
func parallelChunks(_ total: Int, _ body: (Int, Int) -> Void) {
  let threads = ThreadPool.maxThreads
  guard total >= parallelElementThreshold, threads > 1 else {
    body(0, total)
    return
  }
  // Two chunks per thread lets a thread that started late catch up.
  let chunks = threads * 2
  let size = ((total + chunks - 1) / chunks + 63) & ~63
  ThreadPool.shared.parallelFor(count: (total + size - 1) / size) { c in
    let start = c * size
    body(start, Swift.min(size, total - start))
  }
}

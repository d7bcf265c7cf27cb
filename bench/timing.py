"""The timing method shared by the NumPy peers of meta-bench and tensor-bench
(and mirrored by the Swift benchmarks): one warm-up call, then the calls per
sample double until one sample lasts >= min_time seconds, then `reps` samples;
returns the median and best seconds per call."""
import statistics
import time


def measure(fn, reps, min_time):
    fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t0 >= min_time:
            break
        calls *= 2
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls)
    return statistics.median(samples), min(samples)

// Run-time CPU feature detection for kernel dispatch, and the cores this process may use.
#define _GNU_SOURCE
#include <sched.h>
#include "CMetaKernels.h"

int meta_cpu_level(void) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__clang__) || defined(__GNUC__))
  // __builtin_cpu_supports also checks XGETBV, i.e. that the OS saves the
  // wider register state, so a "yes" here means the instructions are safe.
  __builtin_cpu_init();
  int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f")) return META_CPU_AVX512;
  if (avx2) return META_CPU_AVX2_FMA;
#endif
  return META_CPU_GENERIC;
}

int meta_affinity_cores(void) {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return 0;
}

// Run-time CPU feature detection for kernel dispatch.
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

// `--max-memory`: the bytes of tensors a run may hold at once. By default three
// quarters of the memory this process can have: the least of the machine's memory,
// the container's (cgroup) limit and the address-space and data limits (`ulimit -v`,
// `ulimit -d`). The last quarter is left for everything that is not a tensor (the
// interpreter, lists and strings, idle buffers, stacks). A tensor past the limit is
// a catchable "out of memory" error instead of an abort or the kernel's OOM killer.

import ArgumentParser
import Foundation

/// A `--max-memory` value: `4G`, `512M`, `64K` (binary multiples), a number of bytes,
/// or `none` (no limit).
struct MemoryLimit: ExpressibleByArgument {
  /// The limit in bytes; nil for none.
  let bytes: Int?

  init?(argument: String) {
    let text = argument.trimmingCharacters(in: .whitespaces).uppercased()
    if text == "NONE" { bytes = nil; return }
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = Substring(text)
    var unit = 1
    if let last = text.last, let u = units[last] { unit = u; digits = digits.dropLast() }
    guard let n = Int(digits), n > 0 else { return nil }
    let (product, overflow) = n.multipliedReportingOverflow(by: unit)
    guard !overflow else { return nil }
    bytes = product
  }

  /// The share of the available memory tensors may use by default.
  static let defaultShare = 0.75

  /// The default limit in bytes.
  static var defaultBytes: Int {
    var available = ProcessInfo.processInfo.physicalMemory
    for limit in [resourceLimit(RLIMIT_AS), resourceLimit(RLIMIT_DATA), cgroupLimit()] {
      if let limit { available = min(available, limit) }
    }
    return Int(Double(available) * defaultShare)
  }

  private static func resourceLimit(_ resource: __rlimit_resource) -> UInt64? {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {  // RLIM_INFINITY
      return nil
    }
    return UInt64(limit.rlim_cur)
  }

  /// cgroup v2's `memory.max`, or v1's `memory.limit_in_bytes` ("max" or a huge number: none).
  private static func cgroupLimit() -> UInt64? {
    for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8),
        let bytes = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
      else { continue }
      return bytes
    }
    return nil
  }
}

/// A kernel was called with arguments that do not describe valid buffers.
public enum KernelError: Error, Equatable, CustomStringConvertible {
  /// What is wrong, in words (sizes, strides or geometry).
  case invalidArgument(String)

  /// `invalid kernel argument: <reason>`.
  public var description: String {
    switch self {
    case .invalidArgument(let why): return "invalid kernel argument: \(why)"
    }
  }
}

/// Throws unless a row-major `rows x cols` matrix with row stride `ld` is
/// well formed and its extent `(rows-1)*ld + cols` fits in an `Int`.
func checkMatrix(_ name: String, rows: Int, cols: Int, ld: Int) throws(KernelError) {
  guard rows >= 0, cols >= 0 else {
    throw .invalidArgument("\(name) has negative size \(rows) x \(cols)")
  }
  guard ld >= max(1, cols) else {
    throw .invalidArgument("\(name): row stride \(ld) is smaller than its width \(cols)")
  }
  guard rows > 0 else { return }
  let (span, o1) = (rows - 1).multipliedReportingOverflow(by: ld)
  let (_, o2) = span.addingReportingOverflow(cols)
  if o1 || o2 { throw .invalidArgument("\(name): \(rows) x \(ld) elements overflow") }
}

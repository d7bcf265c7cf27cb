/// The single error type thrown by MetaTensor: a message naming the operation
/// and the shapes involved, e.g. `add: shapes [2, 3] and [4] cannot broadcast`.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Human-readable description of what went wrong.
  public var message: String
  /// True when a tensor's memory was refused (by a `MemoryBudget` or the system).
  public var isOutOfMemory = false

  /// Creates an error with the given message.
  public init(_ message: String) { self.message = message }

  /// "out of memory: `detail`".
  static func outOfMemory(_ detail: String) -> TensorError {
    var e = TensorError("out of memory: " + detail)
    e.isOutOfMemory = true
    return e
  }

  /// An operation that has no kernel for `dtype` (said so rather than reading
  /// the elements as another type), e.g. `conv2d: int64 tensors are not
  /// supported; convert with .astype("float32")`. `op` is the language name;
  /// nil only for internal loops whose callers check the dtype first.
  static func unsupported(_ dtype: DType, op: String?) -> TensorError {
    TensorError((op.map { $0 + ": " } ?? "") + "\(dtype) tensors are not supported\(op == nil ? " here" : ""); "
                + "convert with .astype(\"float32\")")
  }

  /// The message itself.
  public var description: String { message }
}

/// Formats a shape as `[2, 3]` for error messages.
@inline(__always)
func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

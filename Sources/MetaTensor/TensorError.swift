/// The single error type thrown by MetaTensor: a message naming the operation
/// and the shapes involved, e.g. `add: shapes [2, 3] and [4] cannot broadcast`.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Human-readable description of what went wrong.
  public var message: String

  /// Creates an error with the given message.
  public init(_ message: String) { self.message = message }

  /// The message itself.
  public var description: String { message }
}

/// Formats a shape as `[2, 3]` for error messages.
@inline(__always)
func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

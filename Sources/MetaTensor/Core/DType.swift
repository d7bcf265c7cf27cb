/// The element type of a tensor (spec §4.1). float32 is the default; float64
/// exists so a gradient check can run in double; int64 holds indices and class
/// labels exactly (a float32 index is exact only below 2^24); bool holds masks.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
  case bool, int64, float32, float64

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .bool: return 1
    case .float32: return 4
    case .int64, .float64: return 8
    }
  }

  /// float32 or float64: the dtypes gradients flow through.
  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  public var description: String { rawValue }

  /// Promotion order as PyTorch's for tensor-tensor operations:
  /// bool < int64 < float32 < float64.
  private var rank: Int {
    switch self {
    case .bool: return 0
    case .int64: return 1
    case .float32: return 2
    case .float64: return 3
    }
  }

  /// The dtype of `a op b` for two tensors.
  public static func promoted(_ a: DType, _ b: DType) -> DType { a.rank >= b.rank ? a : b }

  /// The floating dtype an operation that must produce fractions (`/`, `exp`,
  /// `mean`, ...) computes in: float64 stays, everything else is float32.
  public var floating: DType { self == .float64 ? .float64 : .float32 }

  /// The dtype named `name` ("float32", "float64", "int64", "bool"; also the
  /// aliases "float", "double", "long", "int"), or nil.
  public init?(named name: String) {
    switch name {
    case "float32", "float": self = .float32
    case "float64", "double": self = .float64
    case "int64", "long", "int": self = .int64
    case "bool": self = .bool
    default: return nil
    }
  }

  /// The names `init(named:)` accepts, for error messages.
  public static let names = "\"float32\", \"float64\", \"int64\" or \"bool\""
}

/// A Swift type stored as a tensor's elements: `Float`, `Double`, `Int64`, `Bool`.
/// Kernels are generic over it and specialised at each call site.
public protocol TensorElement: Sendable {
  static var dtype: DType { get }
  static var zero: Self { get }
  /// The element converted as NumPy's `astype` converts: floats to ints
  /// truncate toward zero (NaN and out-of-range give 0 here rather than a
  /// trap), anything to bool is `!= 0`.
  init<Source: TensorElement>(converting value: Source)
  /// The value as a Double (exact for every bool, float32, float64 and for
  /// int64 below 2^53).
  var doubleValue: Double { get }
}

extension Float: TensorElement {
  public static var dtype: DType { .float32 }
  @inline(__always)
  public init<Source: TensorElement>(converting value: Source) {
    switch Source.dtype {
    case .float32: self = value as! Float  // cannot fail: the dtype names the type
    case .int64: self = Float(value as! Int64)
    default: self = Float(value.doubleValue)
    }
  }
  @inline(__always) public var doubleValue: Double { Double(self) }
}

extension Double: TensorElement {
  public static var dtype: DType { .float64 }
  @inline(__always)
  public init<Source: TensorElement>(converting value: Source) {
    switch Source.dtype {
    case .int64: self = Double(value as! Int64)
    default: self = value.doubleValue
    }
  }
  @inline(__always) public var doubleValue: Double { self }
}

extension Int64: TensorElement {
  public static var dtype: DType { .int64 }
  @inline(__always)
  public init<Source: TensorElement>(converting value: Source) {
    switch Source.dtype {
    case .int64: self = value as! Int64
    default:
      let d = value.doubleValue
      // 2^63 is exactly representable; anything at or past it (and NaN) is out of range.
      self = d.isNaN || d >= 9.223372036854775808e18 || d < -9.223372036854775808e18 ? 0 : Int64(d)
    }
  }
  @inline(__always) public var doubleValue: Double { Double(self) }
}

extension Bool: TensorElement {
  public static var dtype: DType { .bool }
  public static var zero: Bool { false }
  @inline(__always)
  public init<Source: TensorElement>(converting value: Source) {
    switch Source.dtype {
    case .bool: self = value as! Bool
    case .int64: self = (value as! Int64) != 0
    default: self = value.doubleValue != 0  // NaN is true, as NumPy
    }
  }
  @inline(__always) public var doubleValue: Double { self ? 1 : 0 }
}

/// A map from object identity to a small integer, by open addressing on the
/// object's address. A backward sweep looks up every graph edge once; with
/// `Dictionary<ObjectIdentifier, _>` each lookup paid a SipHash (~5 % of a
/// MAML meta-iteration), here it is one multiply and usually one probe.
struct IdentityTable {
  /// Addresses (0 = empty slot) and their values, `capacity` a power of two.
  private var keys: [UInt]
  private var values: [Int]
  private var mask: Int
  private(set) var count = 0

  init(minimumCapacity: Int = 16) {
    var capacity = 16
    while capacity < 2 * minimumCapacity { capacity &<<= 1 }
    keys = [UInt](repeating: 0, count: capacity)
    values = [Int](repeating: 0, count: capacity)
    mask = capacity - 1
  }

  @inline(__always)
  private func home(_ key: UInt) -> Int {
    // Fibonacci hashing of the address; the low 4 bits of an object's address are zero.
    Int(truncatingIfNeeded: ((key &>> 4) &* 0x9E37_79B9_7F4A_7C15) &>> 40) & mask
  }

  /// The value stored for `object`, if any.
  @inline(__always)
  func value(for object: AnyObject) -> Int? {
    let key = UInt(bitPattern: ObjectIdentifier(object))
    var i = home(key)
    while true {
      let k = keys[i]
      if k == key { return values[i] }
      if k == 0 { return nil }
      i = (i &+ 1) & mask
    }
  }

  /// Stores `value` for `object` unless it already has one; returns the value
  /// now stored and whether it was inserted.
  @inline(__always)
  mutating func insert(_ object: AnyObject, value: Int) -> (value: Int, inserted: Bool) {
    if 2 * (count + 1) > keys.count { grow() }
    let key = UInt(bitPattern: ObjectIdentifier(object))
    var i = home(key)
    while true {
      let k = keys[i]
      if k == key { return (values[i], false) }
      if k == 0 {
        keys[i] = key
        values[i] = value
        count += 1
        return (value, true)
      }
      i = (i &+ 1) & mask
    }
  }

  private mutating func grow() {
    let oldKeys = keys, oldValues = values
    keys = [UInt](repeating: 0, count: oldKeys.count * 2)
    values = [Int](repeating: 0, count: oldKeys.count * 2)
    mask = keys.count - 1
    for (k, v) in zip(oldKeys, oldValues) where k != 0 {
      var i = home(k)
      while keys[i] != 0 { i = (i &+ 1) & mask }
      keys[i] = k
      values[i] = v
    }
  }
}

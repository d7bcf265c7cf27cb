/// Branch-free elementary functions that the compiler can vectorise (libm's
/// `expf` is an opaque call per element).

/// e^x for Float, within 3e-7 relative of the exact value for results in the
/// normal range; results below the smallest normal flush to 0, above
/// `Float.greatestFiniteMagnitude` give +inf, NaN stays NaN.
@inline(__always)
func fastExp(_ x: Float) -> Float {
  // Sanitise first so NaN cannot reach the integer bit tricks below.
  let finite = x.isNaN ? 0 : Swift.min(Swift.max(x, -87.5), 88.72283)
  // x = k·ln2 + r with integer k and |r| <= ln2/2; e^x = 2^k · e^r.
  // Adding 1.5·2^23 rounds to the nearest integer in the low mantissa bits.
  let k = (finite * 1.442_695_04 + 12_582_912) - 12_582_912
  // ln2 split so that k·ln2Hi is exact for |k| <= 128.
  let r = (finite - k * 0.693_145_751_953_125) - k * 1.428_606_765_330_187e-06
  // Taylor series to degree 6: the remainder r⁷/7! < 1.3e-7 relative for |r| <= 0.347.
  var p: Float = 1.0 / 720
  p = p * r + 1.0 / 120
  p = p * r + 1.0 / 24
  p = p * r + 1.0 / 6
  p = p * r + 0.5
  p = p * r + 1
  p = p * r + 1
  // 2^k as 2^h · 2^(k-h) with h ≈ k/2, so both factors are normal floats
  // (k alone spans -126...128, beyond the exponent field's normal range).
  let h = (k * 0.5 + 12_582_912) - 12_582_912
  let result = p * twoToThe(h) * twoToThe(k - h)
  if x.isNaN { return x }
  return x > 88.72283 ? .infinity : (x < -87.33654 ? 0 : result)
}

/// 2^n for an integer-valued n in -126...127, from the exponent bits: adding
/// 2^23 puts n + 127 in the low mantissa bits without an int conversion (which
/// would need a range check the vectoriser cannot drop).
@inline(__always)
private func twoToThe(_ n: Float) -> Float {
  let biased = (n + 8_388_735).bitPattern & 0x7F_FFFF
  return Float(bitPattern: biased << 23)
}

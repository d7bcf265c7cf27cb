import XCTest
@testable import MetaTensor

final class FormattingTests: XCTestCase {
  private func text(_ shape: [Int], _ scalars: [Float]) -> String {
    formatTensor(shape: shape, scalars: scalars)
  }

  // Expected strings below were printed by NumPy 2.4 for float32 arrays with
  // np.array2string(a, separator=', ', prefix='tensor(', suffix=')'), wrapped in
  // `tensor(...)` and given NumPy's `shape=` suffix (as a list) where NumPy
  // would add it: the same as repr(a) with `tensor(` for `array(` and no dtype.

  func testBasicShapes() {
    XCTAssertEqual(text([2, 2], [1, 2, 3, 4]), "tensor([[1., 2.],\n        [3., 4.]])")
    XCTAssertEqual(text([], [3.5]), "tensor(3.5)")
    XCTAssertEqual(text([0, 3], []), "tensor([], shape=[0, 3])")
    XCTAssertEqual(text([0], []), "tensor([])")
    XCTAssertEqual(text([2, 2, 2], (0..<8).map(Float.init)),
                   "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])")
  }

  func testPositionalDigitsAndPadding() {
    XCTAssertEqual(text([3], [1.5, 2, -0.25]), "tensor([ 1.5 ,  2.  , -0.25])")
    XCTAssertEqual(text([2], [1.0 / 3, 2.0 / 3]), "tensor([0.33333334, 0.6666667 ])")
    XCTAssertEqual(text([2], [0.012345678, 1]), "tensor([0.01234568, 1.        ])")
    XCTAssertEqual(text([2], [-0.0, 2]), "tensor([-0.,  2.])")
  }

  func testScientificNotation() {
    XCTAssertEqual(text([2], [1e-5, 1]), "tensor([1.e-05, 1.e+00])")
    XCTAssertEqual(text([2], [1.5, 2000]), "tensor([1.5e+00, 2.0e+03])")
    XCTAssertEqual(text([2], [1e6, 2.5]), "tensor([1.0e+06, 2.5e+00])")
  }

  func testNonFinite() {
    XCTAssertEqual(text([3], [.nan, 1, -.infinity]), "tensor([ nan,   1., -inf])")
    XCTAssertEqual(text([2], [.nan, .infinity]), "tensor([nan, inf])")
  }

  func testLineWrapping() {
    XCTAssertEqual(text([30], (0..<30).map { Float($0) * 1.25 }), """
      tensor([ 0.  ,  1.25,  2.5 ,  3.75,  5.  ,  6.25,  7.5 ,  8.75, 10.  ,
              11.25, 12.5 , 13.75, 15.  , 16.25, 17.5 , 18.75, 20.  , 21.25,
              22.5 , 23.75, 25.  , 26.25, 27.5 , 28.75, 30.  , 31.25, 32.5 ,
              33.75, 35.  , 36.25])
      """)
  }

  func testSummarization() {
    XCTAssertEqual(text([1001], (0...1000).map(Float.init)),
                   "tensor([   0.,    1.,    2., ...,  998.,  999., 1000.], shape=[1001])")
    XCTAssertEqual(text([40, 50], (0..<2000).map { Float($0) / 4 }), """
      tensor([[0.0000e+00, 2.5000e-01, 5.0000e-01, ..., 1.1750e+01, 1.2000e+01,
               1.2250e+01],
              [1.2500e+01, 1.2750e+01, 1.3000e+01, ..., 2.4250e+01, 2.4500e+01,
               2.4750e+01],
              [2.5000e+01, 2.5250e+01, 2.5500e+01, ..., 3.6750e+01, 3.7000e+01,
               3.7250e+01],
              ...,
              [4.6250e+02, 4.6275e+02, 4.6300e+02, ..., 4.7425e+02, 4.7450e+02,
               4.7475e+02],
              [4.7500e+02, 4.7525e+02, 4.7550e+02, ..., 4.8675e+02, 4.8700e+02,
               4.8725e+02],
              [4.8750e+02, 4.8775e+02, 4.8800e+02, ..., 4.9925e+02, 4.9950e+02,
               4.9975e+02]], shape=[40, 50])
      """)
    // A huge tensor prints only its edges, quickly.
    let big = [Float](repeating: 0.5, count: 4_000_000)
    let start = Date()
    XCTAssertEqual(text([2000, 2000], big).filter { $0 == "\n" }.count, 6)
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
  }

  func testInconsistentInputDoesNotTrap() {
    XCTAssertTrue(text([2, 2], [1, 2, 3]).contains("invalid"))
    XCTAssertTrue(text([-1, -1], [1]).contains("invalid"))
    XCTAssertTrue(text([Int.max, 4], []).contains("invalid"))
    XCTAssertEqual(text([Int](repeating: 1, count: 100_000), [2]), "tensor(<1 elements in 100000 dimensions>)")
  }

  func testShortestDigitsOfExtremes() {
    // Float32 extremes: digits must identify the value (read back exactly).
    for x: Float in [.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, 16_777_216, 0.1] {
      let d = DecimalDigits(x, limits: DigitLimits(scientific: true, maxDigits: 8, minDigits: nil))
      let text = "\(d.digits.first ?? 0)." + d.digits.dropFirst().map(String.init).joined() + "e\(d.exponent)"
      XCTAssertEqual(Float(text), x, text)
    }
    XCTAssertEqual(text([1], [.leastNonzeroMagnitude]), "tensor([1.e-45])")
  }

  /// Compares with NumPy itself on random arrays of many magnitudes, shapes and
  /// special values (skipped when python3 with numpy is unavailable).
  func testMatchesNumPyOnRandomArrays() throws {
    let script = """
      rng = np.random.default_rng(int(sys.argv[1]))
      def trepr(a):
          lst = np.array2string(a, separator=', ', prefix='tensor(', suffix=')') if a.size else '[]'
          if not ((a.size == 0 and a.shape != (0,)) or a.size > 1000):
              return 'tensor(' + lst + ')'
          s, e = 'tensor(' + lst + ',', 'shape=' + str(list(a.shape)) + ')'
          last = len(s) - (s.rfind('\\n') + 1)
          return s + ('\\n' + ' ' * 7 if last + len(e) + 1 > 75 else ' ') + e
      for i in range(300):
          shape = tuple(int(d) for d in rng.integers(0, 6, size=rng.integers(0, 4)))
          n = int(np.prod(shape))
          kind = i % 5
          if kind == 0: v = rng.normal(size=n) * 10.0 ** rng.integers(-9, 9)
          elif kind == 1: v = rng.integers(-1000, 1000, size=n) / 8
          elif kind == 2: v = np.exp(rng.uniform(-40, 40, size=n))
          elif kind == 3: v = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32).view(np.float32)
          else:
              v = rng.normal(size=n)
              if n: v[rng.integers(0, n)] = rng.choice([np.nan, np.inf, -np.inf])
          if i % 50 == 0: shape, v = (3, 400), rng.normal(size=1200)
          a = np.asarray(v, dtype=np.float32).reshape(shape)
          print(','.join(map(str, shape)) + ';' + ','.join('%x' % b for b in a.ravel().view(np.uint32)))
          print(trepr(a).replace('\\n', '|'))
      """
    let lines = try PythonNumPy.run(script, arguments: ["20261121"]).split(separator: "\n")
    XCTAssertEqual(lines.count, 600)
    var mismatches = 0
    for pair in stride(from: 0, to: lines.count - 1, by: 2) {
      let spec = lines[pair].split(separator: ";", omittingEmptySubsequences: false)
      let shape = spec[0].split(separator: ",").compactMap { Int($0) }
      let scalars = spec[1].split(separator: ",").compactMap { UInt32($0, radix: 16) }.map(Float.init(bitPattern:))
      let expected = lines[pair + 1].replacingOccurrences(of: "|", with: "\n")
      let got = formatTensor(shape: shape, scalars: scalars)
      if got != expected {
        mismatches += 1
        if mismatches <= 3 { XCTFail("shape \(shape):\nnumpy:\n\(expected)\nours:\n\(got)") }
      }
    }
    XCTAssertEqual(mismatches, 0)
  }
}

import Foundation
import XCTest
@testable import MetaTensor

final class IONpyTests: XCTestCase {
  /// `.npy` bytes with the given header text (padded like NumPy) and raw data.
  private func npy(_ header: String, _ data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
    var text = Array(header.utf8)
    let width = version == 1 ? 2 : 4
    let pad = 64 - (8 + width + text.count + 1) % 64
    text += [UInt8](repeating: 0x20, count: pad) + [0x0A]
    var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: text.count >> (8 * k))) }
    return bytes + text + data
  }

  private func floatBytes(_ xs: [Float]) -> [UInt8] {
    xs.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x.bitPattern >> (8 * $0)) } }
  }

  private func assertError(_ bytes: [UInt8], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try NpyFile.decode(bytes, name: "w.npy"), file: file, line: line) { error in
      let message = (error as? TensorError)?.message ?? "\(error)"
      XCTAssertTrue(message.hasPrefix("w.npy: "), message, file: file, line: line)
      XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
    }
  }

  func testEncodeMatchesNumPySave() throws {
    // Header texts and lengths printed by numpy.save for float32 arrays (NumPy 2.4).
    let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let bytes = NpyFile.encode(t)
    XCTAssertEqual(bytes.count, 152)
    XCTAssertEqual(Array(bytes[0..<10]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0x76, 0])
    let header = String(decoding: bytes[10..<128], as: UTF8.self)
    XCTAssertTrue(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
    XCTAssertTrue(header.hasSuffix(" \n"))
    XCTAssertEqual(Array(bytes[128...]), floatBytes([1, 2, 3, 4, 5, 6]))
    let scalar = NpyFile.encode(Tensor(2.5))
    XCTAssertEqual(scalar.count, 132)
    XCTAssertTrue(String(decoding: scalar[10..<128], as: UTF8.self).hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"))
    let empty = NpyFile.encode(try Tensor(shape: [0], scalars: []))
    XCTAssertEqual(empty.count, 128)
    XCTAssertTrue(String(decoding: empty[10..<128], as: UTF8.self).hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }"))
  }

  func testRoundTripThroughFiles() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = RandomState(seed: 5)
    for shape in [[], [0], [7], [2, 3], [3, 0, 2], [2, 3, 4, 5], [1001]] {
      var values = rng.normal(count: shape.reduce(1, *), mean: 0, std: 3)
      if values.count > 3 { values[0] = .nan; values[1] = -.infinity; values[2] = -0.0 }
      let t = try Tensor(shape: shape, scalars: values)
      let path = dir + "/t.npy"
      try NpyFile.write(t, to: path)
      let back = try NpyFile.read(path)
      XCTAssertEqual(back.shape, shape)
      XCTAssertEqual(back.scalars.map(\.bitPattern), values.map(\.bitPattern))
    }
  }

  func testHandWrittenHeaders() throws {
    // Python 2 style longs, double quotes, no trailing comma, keys in any order.
    let a = try NpyFile.decode(npy("{\"shape\": (2L, 1L), 'descr': '<i8', \"fortran_order\": False}",
                                   [5, 0, 0, 0, 0, 0, 0, 0, 0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), name: "x")
    XCTAssertEqual(a.shape, [2, 1])
    XCTAssertEqual(a.scalars, [5, -5])
    // Fortran order, written by hand: shape (2, 3) stored column by column.
    let f = try NpyFile.decode(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                   floatBytes([1, 4, 2, 5, 3, 6])), name: "x")
    XCTAssertEqual(f.scalars, [1, 2, 3, 4, 5, 6])
    // Big-endian int16 and version 2.0 / 3.0 headers.
    let b = try NpyFile.decode(npy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", [0xFF, 0xFE, 0x01, 0x2C],
                                   version: 2), name: "x")
    XCTAssertEqual(b.scalars, [-2, 300])
    let c = try NpyFile.decode(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", [1, 0, 7], version: 3), name: "x")
    XCTAssertEqual(c.scalars, [1, 0, 1])
  }

  func testRejectsBadFiles() throws {
    let good = NpyFile.encode(try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
    assertError([], contains: "bad magic")
    assertError(Array("PK\u{3}\u{4}not npy at all".utf8), contains: "bad magic")
    assertError(Array(good.prefix(8)), contains: "truncated")
    assertError(Array(good.prefix(100)), contains: "truncated")
    assertError(Array(good.dropLast(3)), contains: "truncated: header says 16 bytes of data, file has 13")
    assertError(good + [0], contains: "1 unexpected bytes")
    var badVersion = good
    badVersion[6] = 9
    assertError(badVersion, contains: "unsupported .npy format version 9.0")
    assertError([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF], contains: "absurd")
    let h = "'fortran_order': False, 'shape': (2,), }"
    assertError(npy("{'descr': '<c8', " + h, [UInt8](repeating: 0, count: 16)), contains: "unsupported dtype '<c8'")
    assertError(npy("{'descr': '|f4', " + h, [UInt8](repeating: 0, count: 8)), contains: "unsupported dtype")
    assertError(npy("{'descr': [('a', '<f4')], " + h), contains: "bad header")
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), contains: "bad header")
    assertError(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", floatBytes([1])), contains: "fortran_order")
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", floatBytes([1])), contains: "keys")
    assertError(npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"), contains: "twice")
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)"), contains: "bad header")
    assertError(npy("__import__('os')"), contains: "bad header")
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"),
                contains: "too many elements")
    assertError(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"), contains: "too many bytes")
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }"), contains: "bad shape")
    let deep = "(" + String(repeating: "1, ", count: 65) + ")"
    assertError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': \(deep), }", floatBytes([1])), contains: "65 dimensions")
  }

  /// Truncated prefixes and random byte corruptions of valid files must give
  /// an error or a consistent tensor, never a crash.
  func testCorruptionNeverTraps() throws {
    let samples = [
      NpyFile.encode(try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])),
      npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }", [UInt8](repeating: 1, count: 16)),
      npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", [0, 0x3C, 0, 0x7C, 1, 0xFC], version: 3),
    ]
    var rng = RandomState(seed: 99)
    var outcomes = (errors: 0, tensors: 0)
    func attempt(_ bytes: [UInt8]) {
      do {
        let t = try NpyFile.decode(bytes, name: "fuzz")
        XCTAssertEqual(t.scalars.count, t.shape.reduce(1, *))
        outcomes.tensors += 1
      } catch {
        XCTAssertTrue(error is TensorError)
        outcomes.errors += 1
      }
    }
    for sample in samples {
      for n in 0..<sample.count { attempt(Array(sample.prefix(n))) }
      for _ in 0..<1500 {
        var bytes = sample
        for _ in 0...rng.below(4) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.nextUInt64()) }
        attempt(bytes)
      }
    }
    XCTAssertGreaterThan(outcomes.errors, 0)
    XCTAssertGreaterThan(outcomes.tensors, 0)  // corruptions of padding or data still read
  }
}

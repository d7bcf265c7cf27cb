import Foundation
import XCTest
@testable import MetaTensor

/// Tensor files keep the dtype: each of the four is written as its own kind and
/// read back exactly; other kinds read as the nearest dtype; bad files are errors.
final class IODTypeTests: XCTestCase {
  /// One tensor of each dtype, with values the other dtypes cannot hold.
  private func samples() throws -> [Tensor] {
    [
      try Tensor(shape: [2, 2], elements: [Float(0.1), -0.0, .infinity, .nan]),
      try Tensor(shape: [4], elements: [0.1, -1e300, Double.leastNonzeroMagnitude, .nan]),
      try Tensor(shape: [2, 3], elements: [Int64(1) << 53 + 1, .max, .min, -3, 0, (1 << 24) + 1]),
      try Tensor(shape: [3], elements: [true, false, true]),
      try Tensor(shape: [], elements: [Int64(-7)]),
      try Tensor(shape: [0, 2], elements: [Bool]()),
    ]
  }

  private func assertIdentical(_ a: Tensor, _ b: Tensor, _ message: String = "",
                               file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.dtype, b.dtype, message, file: file, line: line)
    XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
    XCTAssertEqual(PythonNumPy.describe(a), PythonNumPy.describe(b), message, file: file, line: line)
  }

  /// `.npy` bytes with the given header text and raw data.
  private func npy(_ header: String, _ data: [UInt8]) -> [UInt8] {
    var text = Array(header.utf8)
    text += [UInt8](repeating: 0x20, count: 63 - (10 + text.count) % 64) + [0x0A]
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
  }

  /// A `.safetensors` file from a header text and data.
  private func safetensors(_ json: String, _ data: [UInt8]) -> [UInt8] {
    var header = Array(json.utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    let n = UInt64(header.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data
  }

  private func message(_ body: () throws -> Any) -> String {
    do { _ = try body(); return "no error" } catch let e as TensorError { return e.message } catch { return "\(error)" }
  }

  func testNpyRoundTripKeepsEveryDType() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (i, t) in try samples().enumerated() {
      let path = "\(dir)/t\(i).npy"
      try NpyFile.write(t, to: path)
      assertIdentical(try NpyFile.read(path), t, "\(t.dtype) \(t.shape)")
      let header = String(decoding: try AtomicFile.read(path).prefix(40), as: UTF8.self)
      XCTAssertTrue(header.contains("'descr': '\(NpyFile.descr(t.dtype))'"), header)
    }
    XCTAssertEqual(DType.allCases.map(NpyFile.descr), ["|b1", "<i8", "<f4", "<f8"])
    // The exact values survive, not just their float32 roundings.
    let back = try NpyFile.decode(NpyFile.encode(try samples()[2]), name: "x").elements(as: Int64.self)
    XCTAssertEqual(back[0], 9_007_199_254_740_993)
    XCTAssertEqual(try NpyFile.decode(NpyFile.encode(try samples()[1]), name: "x").elements(as: Double.self)[0], 0.1)
  }

  func testSafetensorsRoundTripKeepsEveryDType() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let tensors = try samples().enumerated().map { (name: "t\($0.offset)", tensor: $0.element) }
    let path = dir + "/all.safetensors"
    try SafetensorsFile.write(tensors, to: path)
    let back = try SafetensorsFile.read(path)
    // Data order is the reference's: I64, F64, F32, BOOL, each by name.
    XCTAssertEqual(back.map(\.name), ["t2", "t4", "t1", "t0", "t3", "t5"])
    let byName = Dictionary(uniqueKeysWithValues: back.map { ($0.name, $0.tensor) })
    for (name, t) in tensors { assertIdentical(try XCTUnwrap(byName[name]), t, name) }
    // Through TensorIO as well, both formats.
    try TensorIO.save([("b", tensors[3].tensor)], to: dir + "/b.npy")
    assertIdentical(try TensorIO.load(dir + "/b.npy")[0].tensor, tensors[3].tensor)
  }

  func testSafetensorsEncodeMatchesReferenceForMixedDTypes() throws {
    // Printed from safetensors 0.8.0's safetensors.numpy.save for the same arrays:
    // tensors ordered by dtype alignment (I64, F64, F32, BOOL), then by name.
    let bytes = try SafetensorsFile.encode([
      ("b", try Tensor(shape: [3], elements: [true, false, true])),
      ("a", try Tensor(shape: [1], elements: [Float(1.5)])),
      ("z", try Tensor(shape: [2], elements: [Int64(1) << 53 + 1, -1])),
      ("m", try Tensor(shape: [1], elements: [0.1])),
      ("c", try Tensor(shape: [1], elements: [Int64(7)])),
    ], metadata: ["format": "np"])
    XCTAssertEqual(bytes.count, 359)
    XCTAssertEqual(ByteChecks.littleEndian(bytes, at: 0, width: 8), 312)
    XCTAssertEqual(String(decoding: bytes[8..<320], as: UTF8.self),
                   #"{"__metadata__":{"format":"np"},"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"#
                   + #""z":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"m":{"dtype":"F64","shape":[1],"data_offsets":[24,32]},"#
                   + #""a":{"dtype":"F32","shape":[1],"data_offsets":[32,36]},"b":{"dtype":"BOOL","shape":[3],"data_offsets":[36,39]}}       "#)
    XCTAssertEqual(bytes[320...].map { String(format: "%02x", $0) }.joined(),
                   "07000000000000000100000000002000ffffffffffffffff9a9999999999b93f0000c03f010001")
  }

  func testNonContiguousTensorsWriteInRowMajorOrder() throws {
    let t = try Tensor(shape: [2, 3], elements: [0.5, 1, 2, 3, 4, 5]).transpose(0, 1)
    let expected = try Tensor(shape: [3, 2], elements: [0.5, 3, 1, 4, 2, 5])
    assertIdentical(try NpyFile.decode(NpyFile.encode(t), name: "x"), expected)
    let s = try SafetensorsFile.decode(try SafetensorsFile.encode([("t", t)]), name: "x")
    assertIdentical(s.tensors[0].tensor, expected)
  }

  func testOtherKindsReadAsTheNearestDType() throws {
    let h = "'fortran_order': False, 'shape': (3,), }"
    func read(_ descr: String, _ data: [UInt8]) throws -> Tensor {
      try NpyFile.decode(npy("{'descr': '\(descr)', " + h, data), name: "w.npy")
    }
    let cases: [(String, [UInt8], String)] = [
      ("|i1", [0x80, 0x7F, 0xFF], "int64;-128,127,-1"),
      ("|u1", [0x80, 0x7F, 0xFF], "int64;128,127,255"),
      ("<i2", [0x00, 0x80, 1, 0, 0xFF, 0xFF], "int64;-32768,1,-1"),
      (">u2", [0xFF, 0xFF, 0, 1, 0x80, 0], "int64;65535,1,32768"),
      ("<i4", [0, 0, 0, 0x80, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F], "int64;-2147483648,1,2147483647"),
      ("<u4", [0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 0, 0, 0, 0x80], "int64;4294967295,1,2147483648"),
      ("<u8", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 16),
       "int64;9223372036854775807,0,0"),
      (">i8", [0, 0x20, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0xFF, count: 8) + [0x80] + [UInt8](repeating: 0, count: 7),
       "int64;9007199254740993,-1,-9223372036854775808"),
      ("<f2", [0x00, 0x3C, 0x01, 0x00, 0x00, 0xFC], "float32;3f800000,33800000,ff800000"),
      ("|b1", [0, 1, 7], "bool;0,1,1"),
    ]
    for (descr, data, expected) in cases {
      XCTAssertEqual(PythonNumPy.describe(try read(descr, data)), expected, descr)
    }
    // Fortran order keeps the dtype too: shape (2, 3) stored column by column.
    let f = try NpyFile.decode(npy("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }",
                                   [1, 4, 2, 5, 3, 6].flatMap { [UInt8($0)] + [UInt8](repeating: 0, count: 7) }), name: "x")
    XCTAssertEqual(PythonNumPy.describe(f), "int64;1,2,3,4,5,6")
    // Safetensors: the same table.
    let json = #"{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U16","shape":[1],"data_offsets":[2,4]},"#
      + #""c":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"d":{"dtype":"U64","shape":[1],"data_offsets":[8,16]},"#
      + #""e":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]},"f":{"dtype":"BOOL","shape":[2],"data_offsets":[18,20]}}"#
    let data: [UInt8] = [0xFE, 5, 0xFF, 0xFF, 0, 0, 0, 0x80, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F, 2, 0]
    let c = try SafetensorsFile.decode(safetensors(json, data), name: "x")
    XCTAssertEqual(c.tensors.map { PythonNumPy.describe($0.tensor) },
                   ["int64;-2,5", "int64;65535", "int64;-2147483648", "int64;9", "float32;3f800000", "bool;1,0"])
  }

  func testUInt64PastInt64IsAnErrorNamingFileAndTensor() {
    let big = [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0, 0, 0, 0, 0x80]
    XCTAssertEqual(message { try NpyFile.decode(self.npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", big),
                                                name: "labels.npy") },
                   "labels.npy: uint64 element 1 is 9223372036854775808, too large for int64 (the largest is 9223372036854775807)")
    XCTAssertEqual(message { try SafetensorsFile.decode(
      self.safetensors(#"{"ids":{"dtype":"U64","shape":[2],"data_offsets":[0,16]}}"#, big), name: "m.safetensors") },
                   "m.safetensors: tensor 'ids': uint64 element 1 is 9223372036854775808, too large for int64 "
                   + "(the largest is 9223372036854775807)")
  }

  func testDeclaredDTypeWithWrongByteCountOrUnknownDTypeIsAnError() {
    let h = "'fortran_order': False, 'shape': (2,), }"
    for (descr, bytes) in [("<f8", 12), ("<i8", 8), ("|b1", 1), ("<f4", 4)] {
      let m = message { try NpyFile.decode(self.npy("{'descr': '\(descr)', " + h, [UInt8](repeating: 0, count: bytes)),
                                           name: "w.npy") }
      XCTAssertTrue(m.hasPrefix("w.npy: truncated: header says"), m)
    }
    XCTAssertTrue(message { try NpyFile.decode(self.npy("{'descr': '<i8', " + h, [UInt8](repeating: 0, count: 17)),
                                               name: "w.npy") }.contains("1 unexpected bytes"))
    for descr in ["<c16", "|V8", "<M8", "<i16", "|S4", "<U1", "|O"] {
      XCTAssertEqual(message { try NpyFile.decode(self.npy("{'descr': '\(descr)', " + h, [UInt8](repeating: 0, count: 16)),
                                                  name: "w.npy") }, "w.npy: bad header: unsupported dtype '\(descr)'")
    }
    for (dtype, bytes) in [("F64", 12), ("I64", 8), ("BOOL", 3), ("U64", 8)] {
      let m = message { try SafetensorsFile.decode(self.safetensors(
        #"{"w":{"dtype":"\#(dtype)","shape":[2],"data_offsets":[0,\#(bytes)]}}"#, [UInt8](repeating: 0, count: bytes)),
        name: "m.safetensors") }
      XCTAssertTrue(m.hasPrefix("m.safetensors: tensor 'w': shape [2] of \(dtype) needs"), m)
    }
    for dtype in ["C64", "F8_E4M3", "f32", "I128", ""] {
      let m = message { try SafetensorsFile.decode(self.safetensors(
        #"{"w":{"dtype":"\#(dtype)","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]), name: "m.safetensors") }
      XCTAssertEqual(m, "m.safetensors: tensor 'w': unsupported dtype \(dtype)")
    }
  }

  /// Corrupting files of every dtype gives an error or a tensor that writes and
  /// reads back identically, never a trap.
  func testCorruptionOfEveryDTypeNeverTraps() throws {
    let npySamples = try samples().map(NpyFile.encode)
    let stSample = try SafetensorsFile.encode(try samples().enumerated().map { ("t\($0.offset)", $0.element) })
    var rng = RandomState(seed: 7)
    var outcomes = (errors: 0, tensors: 0)
    for sample in npySamples + [stSample] {
      for _ in 0..<400 {
        var bytes = sample
        for _ in 0...rng.below(3) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.nextUInt64()) }
        do {
          if sample == stSample {
            for (_, t) in try SafetensorsFile.decode(bytes, name: "f").tensors {
              assertIdentical(try SafetensorsFile.decode(try SafetensorsFile.encode([("t", t)]), name: "g").tensors[0].tensor, t)
            }
          } else {
            let t = try NpyFile.decode(bytes, name: "f")
            assertIdentical(try NpyFile.decode(NpyFile.encode(t), name: "g"), t)
          }
          outcomes.tensors += 1
        } catch {
          XCTAssertTrue(error is TensorError, "\(error)")
          outcomes.errors += 1
        }
      }
    }
    XCTAssertGreaterThan(outcomes.errors, 0)
    XCTAssertGreaterThan(outcomes.tensors, 0)
  }
}

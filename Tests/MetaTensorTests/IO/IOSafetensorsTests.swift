import Foundation
import XCTest
@testable import MetaTensor

final class IOSafetensorsTests: XCTestCase {
  /// A file from a header text (padded to 8 bytes like the reference) and data.
  private func file(_ json: String, _ data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
    var header = Array(json.utf8)
    if pad { header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8) }
    let n = UInt64(header.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data
  }

  private func floatBytes(_ xs: [Float]) -> [UInt8] {
    xs.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x.bitPattern >> (8 * $0)) } }
  }

  private func assertError(_ bytes: [UInt8], contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try SafetensorsFile.decode(bytes, name: "model.safetensors"), file: file, line: line) { error in
      let message = (error as? TensorError)?.message ?? "\(error)"
      XCTAssertTrue(message.hasPrefix("model.safetensors: "), message, file: file, line: line)
      XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
    }
  }

  func testEncodeMatchesReferenceImplementation() throws {
    // Header and data printed from the file that safetensors 0.8.0's
    // safetensors.numpy.save_file wrote for these arrays and metadata.
    let weird = "z\"\n\u{e9}"
    let bytes = try SafetensorsFile.encode([
      ("b", try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])),
      ("a", try Tensor(shape: [1], scalars: [-1.5])),
      (weird, try Tensor(shape: [0, 2], scalars: [])),
    ], metadata: ["format": "np"])
    XCTAssertEqual(bytes.count, 244)
    XCTAssertEqual(Array(bytes[0..<8]), [208, 0, 0, 0, 0, 0, 0, 0])
    XCTAssertEqual(String(decoding: bytes[8..<216], as: UTF8.self),
                   #"{"__metadata__":{"format":"np"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                   + #""b":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]},"z\"\n"# + "\u{e9}"
                   + #"":{"dtype":"F32","shape":[0,2],"data_offsets":[28,28]}}    "#)
    XCTAssertEqual(bytes[216...].map { String(format: "%02x", $0) }.joined(),
                   "0000c0bf000000000000803f0000004000004040000080400000a040")
    // And it reads back, in data order, with the metadata.
    let back = try SafetensorsFile.decode(bytes, name: "x")
    XCTAssertEqual(back.tensors.map(\.name), ["a", "b", weird])
    XCTAssertEqual(back.tensors[1].tensor.shape, [2, 3])
    XCTAssertEqual(back.tensors[1].tensor.scalars, [0, 1, 2, 3, 4, 5])
    XCTAssertEqual(back.tensors[2].tensor.shape, [0, 2])
    XCTAssertEqual(back.metadata, ["format": "np"])
  }

  func testRoundTripThroughFilesAndTensorIO() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = RandomState(seed: 2)
    let tensors = try [("layer.0.w", [3, 4]), ("layer.0.b", [4]), ("scale", []), ("none", [0])].map { name, shape in
      (name: name, tensor: try Tensor(shape: shape, scalars: rng.normal(count: shape.reduce(1, *), mean: 0, std: 1)))
    }
    let path = dir + "/m.safetensors"
    try TensorIO.save(tensors, to: path, metadata: ["step": "7", "note": "ünïcode \"q\""])
    let contents = try SafetensorsFile.readContents(path)
    XCTAssertEqual(contents.metadata, ["step": "7", "note": "ünïcode \"q\""])
    let byName = Dictionary(uniqueKeysWithValues: contents.tensors.map { ($0.name, $0.tensor) })
    for (name, t) in tensors {
      XCTAssertEqual(byName[name]?.shape, t.shape, name)
      XCTAssertEqual(byName[name]?.scalars, t.scalars, name)
    }
    XCTAssertEqual(try TensorIO.load(path).map(\.name), try SafetensorsFile.read(path).map(\.name))
    // .npy through the same entry points; a .npy holds one unnamed tensor.
    try TensorIO.save([tensors[0]], to: dir + "/w.npy")
    XCTAssertEqual(try TensorIO.load(dir + "/w.npy").first?.tensor.scalars, tensors[0].tensor.scalars)
    XCTAssertThrowsError(try TensorIO.save(tensors, to: dir + "/many.npy"))
    XCTAssertThrowsError(try TensorIO.save(tensors, to: dir + "/x.bin"))
    XCTAssertThrowsError(try TensorIO.load(dir + "/missing.safetensors")) { error in
      XCTAssertTrue("\(error)".contains("missing.safetensors: cannot open"), "\(error)")
    }
  }

  func testWriteRejectsBadNames() throws {
    let t = Tensor(1)
    XCTAssertThrowsError(try SafetensorsFile.encode([("a", t), ("a", t)]))
    XCTAssertThrowsError(try SafetensorsFile.encode([("__metadata__", t)]))
    // No tensors at all is a valid (if useless) file.
    XCTAssertEqual(try SafetensorsFile.decode(try SafetensorsFile.encode([]), name: "x").tensors.count, 0)
  }

  func testReadsOtherDtypes() throws {
    // Bytes and expected values worked out by hand: F16 0x3C00 = 1, 0xC000 = -2,
    // 0x0001 = 2^-24; BF16 0x3F80 = 1, 0xC0A0 = -5; I64 -2; U8 255; BOOL 0/1.
    let json = #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"#
      + #""bf":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},"#
      + #""i":{"dtype":"I64","shape":[1],"data_offsets":[10,18]},"#
      + #""u":{"dtype":"U8","shape":[1,1],"data_offsets":[18,19]},"#
      + #""m":{"dtype":"BOOL","shape":[2],"data_offsets":[19,21]}}"#
    let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0x80, 0x3F, 0xA0, 0xC0,
                         0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01]
    let c = try SafetensorsFile.decode(file(json, data), name: "x")
    XCTAssertEqual(c.tensors.map(\.name), ["h", "bf", "i", "u", "m"])
    XCTAssertEqual(c.tensors.map(\.tensor.scalars), [[1, -2, 0x1p-24], [1, -5], [-2], [255], [0, 1]])
    XCTAssertEqual(c.tensors[3].tensor.shape, [1, 1])
  }

  func testRejectsBadFiles() {
    let one = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    assertError([1, 2, 3], contains: "truncated")
    assertError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B], contains: "absurd")
    assertError([16, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8), contains: "truncated: header says 16 bytes of JSON")
    assertError(file(one, floatBytes([1])), contains: "truncated: header says 8 bytes of data, file has 4")
    assertError(file(one, floatBytes([1, 2, 3])), contains: "4 bytes of data not covered")
    assertError(file("[1, 2]"), contains: "not a JSON object")
    assertError(file(#"{"w": }"#), contains: "bad JSON header")
    assertError(file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                     floatBytes([1, 2])), contains: "appears twice")
    assertError(file(#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, floatBytes([1, 2])), contains: "unsupported dtype C64")
    assertError(file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, floatBytes([1, 2])),
                contains: "needs 12 bytes, data_offsets [0, 8] give 8")
    assertError(file(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, floatBytes([1, 2])), contains: "non-negative")
    assertError(file(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}"#, floatBytes([1, 2])), contains: "non-negative")
    assertError(file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, floatBytes([1, 2])), contains: "data_offsets")
    assertError(file(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#),
                contains: "too many elements")
    assertError(file(#"{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}"#), contains: "non-negative")
    assertError(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                     floatBytes([1, 2])), contains: "overlap")
    assertError(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, floatBytes([1, 2])), contains: "gap")
    assertError(file(#"{"__metadata__":{"k":1}}"#), contains: "not a string")
    let deep = "[" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]"
    assertError(file(#"{"w":{"dtype":"F32","shape":"# + deep + #","data_offsets":[0,4]}}"#, floatBytes([1])),
                contains: "100000 dimensions")
    assertError(file("{\"a\":" + String(repeating: "[", count: 100_000)), contains: "nested too deeply")
    assertError(file("{\"\u{1}\":1}"), contains: "bad JSON header")
  }

  /// Truncated prefixes and random corruptions: an error or a valid result, never a crash.
  func testCorruptionNeverTraps() throws {
    let sample = try SafetensorsFile.encode([
      ("a", try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])), ("b", try Tensor(shape: [3], scalars: [5, 6, 7])),
    ], metadata: ["k": "v"])
    var rng = RandomState(seed: 123)
    var errors = 0, successes = 0
    func attempt(_ bytes: [UInt8]) {
      do {
        let c = try SafetensorsFile.decode(bytes, name: "fuzz")
        for (_, t) in c.tensors { XCTAssertEqual(t.scalars.count, t.shape.reduce(1, *)) }
        successes += 1
      } catch {
        XCTAssertTrue(error is TensorError)
        errors += 1
      }
    }
    for n in 0..<sample.count { attempt(Array(sample.prefix(n))) }
    for _ in 0..<3000 {
      var bytes = sample
      for _ in 0...rng.below(3) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.nextUInt64()) }
      attempt(bytes)
    }
    XCTAssertGreaterThan(errors, 0)
    XCTAssertGreaterThan(successes, 0)
  }
}

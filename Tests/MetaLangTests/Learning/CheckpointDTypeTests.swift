// Checkpoints keep each tensor's dtype: `save` stores F32/F64/I64/BOOL, `load`
// restores exactly what was saved, and other tools' kinds load as the nearest dtype.

import Foundation
import MetaTensor
import XCTest

@testable import MetaLang

final class CheckpointDTypeTests: XCTestCase {
  private let interp = Interpreter(output: { _ in })
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("meta-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  func testSaveStoresEachDTypeAndLoadRestoresItExactly() throws {
    let file = path("ckpt.safetensors")
    try interp.evaluate("""
      save({params: {w: tensor([0.5, -1]), big: tensor([9007199254740993], dtype: "int64"),
                     d: tensor([0.1], dtype: "float64"), mask: tensor([true, false])}, step: 2}, "\(file)")
      """)
    let stored = Dictionary(uniqueKeysWithValues: try SafetensorsFile.read(file).map { ($0.name, $0.tensor) })
    XCTAssertEqual(stored["params.w"]?.dtype, .float32)
    XCTAssertEqual(stored["params.big"]?.elements(as: Int64.self), [9_007_199_254_740_993])
    XCTAssertEqual(stored["params.d"]?.elements(as: Double.self), [0.1])
    XCTAssertEqual(stored["params.mask"]?.elements(as: Bool.self), [true, false])

    let back = try interp.evaluate("load(\"\(file)\").params")
    guard case .record(let params) = back else { return XCTFail("not a record: \(back)") }
    XCTAssertEqual(params.keys, ["w", "big", "d", "mask"])
    XCTAssertEqual(params["w"]?.tensor?.elements(as: Float.self), [0.5, -1])
    XCTAssertEqual(params["big"]?.tensor?.dtype, .int64)
    XCTAssertEqual(params["big"]?.tensor?.elements(as: Int64.self), [9_007_199_254_740_993])
    XCTAssertEqual(params["d"]?.tensor?.elements(as: Double.self), [0.1])
    XCTAssertEqual(params["mask"]?.tensor?.dtype, .bool)
    XCTAssertEqual(params["mask"]?.tensor?.elements(as: Bool.self), [true, false])
  }

  func testOtherToolsKindsLoadAsTheNearestDType() throws {
    // A file as Python's safetensors writes it: U8 pixels, I32 labels, F16 weights.
    let json = #"{"pixels":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"#
      + #""labels":{"dtype":"I32","shape":[1],"data_offsets":[2,6]},"w":{"dtype":"F16","shape":[1],"data_offsets":[6,8]}}"#
    var bytes = [UInt8]()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
    bytes += Array(json.utf8) + [255, 7, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x3C]
    let file = path("plain.safetensors")
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    guard case .record(let r) = try interp.evaluate("load(\"\(file)\")") else { return XCTFail("not a record") }
    XCTAssertEqual(r["pixels"]?.tensor?.elements(as: Int64.self), [255, 7])
    XCTAssertEqual(r["labels"]?.tensor?.elements(as: Int64.self), [2_147_483_647])
    XCTAssertEqual(r["w"]?.tensor?.dtype, .float32)
    XCTAssertEqual(r["w"]?.tensor?.elements(as: Float.self), [1])
  }

  func testUInt64PastInt64IsALoadErrorNamingTheTensor() throws {
    let json = #"{"ids":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}}"#
    var bytes = [UInt8]()
    withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes += $0 }
    bytes += Array(json.utf8) + [UInt8](repeating: 0xFF, count: 8)
    let file = path("ids.safetensors")
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    XCTAssertThrowsError(try interp.evaluate("load(\"\(file)\")")) { error in
      XCTAssertEqual((error as? MetaError)?.message, "load: '\(file)': tensor 'ids': uint64 element 0 is "
                     + "18446744073709551615, too large for int64 (the largest is 9223372036854775807)")
    }
  }
}

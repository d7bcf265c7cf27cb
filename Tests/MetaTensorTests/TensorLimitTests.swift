// Every limit in MetaTensor's Limits.swift, at its bound and one past it.

import XCTest
@testable import MetaTensor

final class TensorLimitTests: XCTestCase {
  let ones64 = [Int](repeating: 1, count: Tensor.maxRank)
  let ones65 = [Int](repeating: 1, count: Tensor.maxRank + 1)
  let tooMany = "65 dimensions (at most 64 are supported)"

  func testRankIsCappedWhereAShapeIsMade() throws {
    XCTAssertEqual(Tensor.maxRank, 64)
    // From a shape.
    XCTAssertEqual(try Tensor.ones(ones64).rank, 64)
    XCTAssertThrowsTensorError(try Tensor.ones(ones65), containing: "ones: " + tooMany)
    XCTAssertThrowsTensorError(try Tensor.zeros([Int](repeating: 1, count: 100_000)), containing: "zeros: 100000 dimensions")
    XCTAssertThrowsTensorError(try Tensor.full(ones65, 2), containing: "full: " + tooMany)
    var rng = RandomState(seed: 1)
    XCTAssertThrowsTensorError(try Tensor.randn(ones65, using: &rng), containing: "randn: " + tooMany)
    XCTAssertEqual(try Tensor(shape: ones64, scalars: [3]).rank, 64)
    XCTAssertThrowsTensorError(try Tensor(shape: ones65, scalars: [3]), containing: "tensor: " + tooMany)
    // Views: reshape, unsqueeze, expand, new axes.
    let t = Tensor(1)
    XCTAssertEqual(try t.reshape(ones64).rank, 64)
    XCTAssertThrowsTensorError(try t.reshape(ones65), containing: "reshape: " + tooMany)
    let full = try t.reshape(ones64)
    XCTAssertEqual(try full.squeeze(0).unsqueeze(0).rank, 64)
    XCTAssertThrowsTensorError(try full.unsqueeze(0), containing: "unsqueeze: " + tooMany)
    XCTAssertEqual(try t.expand(ones64).rank, 64)
    XCTAssertThrowsTensorError(try t.expand(ones65), containing: "expand: " + tooMany)
    XCTAssertEqual(try t.indexed([TensorIndex](repeating: .newAxis, count: 64)).rank, 64)
    XCTAssertThrowsTensorError(try t.indexed([TensorIndex](repeating: .newAxis, count: 65)), containing: "index: " + tooMany)
    // Broadcasting never goes past its operands' ranks, which are capped.
    XCTAssertEqual(try (full + Tensor(2)).rank, 64)
    XCTAssertThrowsTensorError(try broadcastShapes(ones64, ones65, op: "add"), containing: "add: " + tooMany)
  }

  func testElementCountAtAndOverBound() throws {
    // A broadcast view allocates nothing, so the bound itself can be reached.
    XCTAssertEqual(try Tensor(1).expand([Tensor.maxElementCount]).count, Tensor.maxElementCount)
    XCTAssertThrowsTensorError(try Tensor(1).expand([Tensor.maxElementCount + 1]), containing: "too many elements")
    XCTAssertThrowsTensorError(try Tensor(1).reshape([Tensor.maxElementCount + 1]), containing: "too many elements")
  }

  /// A `.safetensors` prefix declaring `length` header bytes (and holding none).
  private func safetensorsDeclaring(_ length: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
  }

  private func message(_ body: () throws -> Any) -> String {
    do { _ = try body(); return "no error" } catch let e as TensorError { return e.message } catch { return "\(error)" }
  }

  func testSafetensorsHeaderBounds() {
    let at = message { try SafetensorsFile.decode(safetensorsDeclaring(SafetensorsFile.maxHeaderLength), name: "f") }
    XCTAssertTrue(at.hasPrefix("f: truncated"), at)
    let over = message { try SafetensorsFile.decode(safetensorsDeclaring(SafetensorsFile.maxHeaderLength + 1), name: "f") }
    XCTAssertTrue(over.contains("is absurd (limit 100000000)"), over)
    // Nesting: the top object is level 1, so maxHeaderDepth - 2 brackets around a number fit.
    func header(brackets n: Int) -> [UInt8] {
      var json = Array(("{\"x\": " + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n) + "}").utf8)
      json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
      return safetensorsDeclaring(UInt64(json.count)) + json
    }
    let fits = message { try SafetensorsFile.decode(header(brackets: SafetensorsFile.maxHeaderDepth - 2), name: "f") }
    XCTAssertFalse(fits.contains("nested too deeply"), fits)
    let deep = message { try SafetensorsFile.decode(header(brackets: SafetensorsFile.maxHeaderDepth - 1), name: "f") }
    XCTAssertTrue(deep.contains("JSON nested too deeply"), deep)
  }

  func testNpyHeaderBounds() {
    func declaring(_ length: Int) -> [UInt8] {
      [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0] + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
    }
    let at = message { try NpyFile.decode(declaring(NpyFile.maxHeaderLength), name: "w.npy") }
    XCTAssertTrue(at.hasPrefix("w.npy: truncated"), at)
    let over = message { try NpyFile.decode(declaring(NpyFile.maxHeaderLength + 1), name: "w.npy") }
    XCTAssertTrue(over.contains("is absurd (limit \(NpyFile.maxHeaderLength))"), over)
  }

  func testFilesOfTooHighRankAreRefused() throws {
    // A file's shape goes through the same cap (checked before any data is read).
    let shape64 = ones64.map(String.init).joined(separator: ", ")
    let shape65 = ones65.map(String.init).joined(separator: ", ")
    func npy(_ shape: String) -> [UInt8] {
      var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }".utf8)
      header += [UInt8](repeating: 0x20, count: (64 - (10 + header.count + 1) % 64) % 64) + [0x0A]
      return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
        + header + [0, 0, 0x80, 0x3F]
    }
    XCTAssertEqual(try NpyFile.decode(npy(shape64), name: "w.npy").rank, 64)
    XCTAssertEqual(message { try NpyFile.decode(npy(shape65), name: "w.npy") }, "w.npy: " + tooMany)
  }
}

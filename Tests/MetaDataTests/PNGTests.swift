import Foundation
import XCTest

@testable import MetaData

/// Fixtures written by Fixtures/make_fixtures.py (an independent encoder);
/// the expected pixels are the script's formulas.
final class PNGTests: XCTestCase {
  func testEightBitWithEveryFilterType() throws {
    let image = try PNG.decode(Fixture.bytes("grey8.png"), name: "grey8.png")
    XCTAssertEqual(image.width, 7)
    XCTAssertEqual(image.height, 5)
    for y in 0..<5 {
      for x in 0..<7 {
        XCTAssertEqual(image.pixels[y * 7 + x], Float((x * 37 + y * 101 + 11) % 256) / 255, "pixel (\(x), \(y))")
      }
    }
  }

  func testOneBitRowsPaddedAndFiltered() throws {
    let image = try PNG.decode(Fixture.bytes("bits1.png"), name: "bits1.png")
    XCTAssertEqual(image.width, 13)
    XCTAssertEqual(image.height, 5)
    for y in 0..<5 {
      for x in 0..<13 {
        XCTAssertEqual(image.pixels[y * 13 + x], (x * 3 + y * 5) % 7 < 3 ? 1 : 0, "pixel (\(x), \(y))")
      }
    }
  }

  func testFourAndSixteenBit() throws {
    let four = try PNG.decode(Fixture.bytes("grey4.png"), name: "grey4.png")
    var expectedFour = [Float]()
    for y in 0..<3 { for x in 0..<5 { expectedFour.append(Float((x * 5 + y * 3) % 16) / 15) } }
    XCTAssertEqual(four.pixels, expectedFour)
    let sixteen = try PNG.decode(Fixture.bytes("grey16.png"), name: "grey16.png")
    var expectedSixteen = [Float]()
    for y in 0..<2 { for x in 0..<3 { expectedSixteen.append(Float((x * 20000 + y * 7000 + 5) % 65536) / 65535) } }
    XCTAssertEqual(sixteen.pixels, expectedSixteen)
  }

  func testUnsupportedFormatsAreRejected() throws {
    XCTAssertThrowsError(try PNG.decode(Fixture.bytes("rgb.png"), name: "rgb.png")) { error in
      XCTAssertEqual("\(error)", "rgb.png: colour type 2 (RGB) is not supported; only greyscale (0)")
    }
    XCTAssertThrowsError(try PNG.decode(Fixture.bytes("interlaced.png"), name: "i.png")) { error in
      XCTAssertEqual("\(error)", "i.png: interlaced PNGs are not supported")
    }
  }

  func testDamagedFilesGiveClearErrors() throws {
    let good = try Fixture.bytes("grey8.png")
    func message(_ bytes: [UInt8]) -> String {
      do {
        _ = try PNG.decode(bytes, name: "f.png")
        return "no error"
      } catch { return "\(error)" }
    }
    XCTAssertEqual(message([]), "f.png: not a PNG file (bad signature)")
    XCTAssertEqual(message(Array("GIF89a..".utf8)), "f.png: not a PNG file (bad signature)")
    // Cut inside the IDAT chunk, and just before IEND.
    XCTAssertTrue(message(Array(good.prefix(good.count - 30))).contains("truncated"), message(Array(good.prefix(good.count - 30))))
    XCTAssertTrue(message(Array(good.prefix(good.count - 12))).contains("truncated"))
    // A flipped bit in the IHDR data breaks its CRC.
    var flipped = good
    flipped[18] ^= 0x01
    XCTAssertEqual(message(flipped), "f.png: CRC mismatch in chunk 'IHDR' (corrupt file)")
    // An unknown filter byte needs a consistent file: build one with a valid CRC.
    XCTAssertEqual(message(Fixture.png(width: 2, height: 1, depth: 8, raw: [7, 0, 0])), "f.png: row 0 has an unknown filter type 7")
    // Fewer bytes than the header's size promises.
    XCTAssertTrue(message(Fixture.png(width: 4, height: 2, depth: 8, raw: [0, 1, 2, 3, 4])).contains("ends before"))
    XCTAssertTrue(message(Fixture.png(width: 1, height: 1, depth: 3, raw: [0, 0])).contains("bit depth 3"))
    XCTAssertTrue(message(Fixture.png(width: 0, height: 1, depth: 8, raw: [0])).contains("0×1"))
  }

  func testHandBuiltPNGDecodes() throws {
    // Up filter on the second row: 10 + 5 = 15, 200 + 100 = 300 mod 256 = 44.
    let bytes = Fixture.png(width: 2, height: 2, depth: 8, raw: [0, 10, 200, 2, 5, 100])
    XCTAssertEqual(try PNG.decode(bytes, name: "f.png").pixels, [10, 200, 15, 44].map { Float($0) / 255 })
  }
}

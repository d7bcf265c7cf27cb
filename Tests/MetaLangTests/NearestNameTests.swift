// The "did you mean" helper every error message shares: which names are close.

@testable import MetaLang
import XCTest

final class NearestNameTests: XCTestCase {
  func testCloseNamesAreSuggested() {
    XCTAssertEqual(NearestName.find("keepdim", among: ["axis", "keepdims"]), "keepdims")
    XCTAssertEqual(NearestName.find("tensr", among: ["tanh", "tensor", "tensors_x"]), "tensor")
    // A swap of neighbours is one edit: `mpl` is one from `mlp`.
    XCTAssertEqual(NearestName.find("mpl", among: ["conv", "mlp"]), "mlp")
    // The closest wins; ties go to the alphabetically first, whatever the order.
    XCTAssertEqual(NearestName.find("stepz", among: ["stop", "steps", "step"]), "step")
    XCTAssertEqual(NearestName.find("stepz", among: ["step", "steps", "stop"]), "step")
    XCTAssertEqual(NearestName.find("lrate", among: ["lrates", "rate", "late"]), "late")
  }

  func testFarOrShortNamesGetNoSuggestion() {
    XCTAssertNil(NearestName.find("bogus", among: ["axis", "keepdims"]))
    XCTAssertNil(NearestName.find("ab", among: ["ac", "b"]))  // under 3 characters
    XCTAssertNil(NearestName.find("x", among: ["y"]))
    XCTAssertNil(NearestName.find("abcdef", among: ["abcxyz"]))  // 3 edits
    XCTAssertNil(NearestName.find("same", among: ["same"]))
    let long = String(repeating: "a", count: NearestName.maxLength + 1)
    XCTAssertNil(NearestName.find(long, among: [long + "b"]))
  }

  func testDistance() {
    func d(_ a: String, _ b: String) -> Int {
      NearestName.distance(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }
    XCTAssertEqual(d("", "abc"), 3)
    XCTAssertEqual(d("abc", "abc"), 0)
    XCTAssertEqual(d("ab", "ba"), 1)
    XCTAssertEqual(d("kitten", "sitting"), 3)
    XCTAssertEqual(NearestName.hint("lenn", among: ["len"]), " (did you mean 'len'?)")
    XCTAssertEqual(NearestName.hint("zzzz", among: ["len"]), "")
  }
}

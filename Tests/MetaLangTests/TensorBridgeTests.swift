// Tensors crossing the embedding boundary (no copies) and the one seeded stream.

import MetaLang
import MetaTensor
import XCTest

final class TensorBridgeTests: XCTestCase {
  private func quiet(seed: UInt64? = nil) -> Interpreter { Interpreter(seed: seed, output: { _ in }) }

  func testHostTensorGoesInAndComesBackAsTheSameObject() throws {
    let interp = quiet()
    let t = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    interp[global: "t"] = .tensor(t)
    XCTAssertTrue(try XCTUnwrap(try interp.evaluate("t").tensor) === t)
    // Through lists, records and a Meta function, still no copy.
    let viaFunction = try interp.evaluate("fn pick(r) { r.items[1] }\npick({items: [1, t]})")
    XCTAssertTrue(try XCTUnwrap(viaFunction.tensor) === t)
    let id = try interp.evaluate("fn(x) { x }")
    XCTAssertTrue(try XCTUnwrap(try interp.call(id, [.tensor(t)]).tensor) === t)
    XCTAssertEqual(try interp.evaluate("type(t)").description, "Tensor")
  }

  func testScriptTensorReachesTheHostWithItsValues() throws {
    let interp = quiet()
    let made = try XCTUnwrap(try interp.evaluate("tensor([[1, 2], [3, 4]]) * 2").tensor)
    XCTAssertEqual(made.shape, [2, 2])
    XCTAssertEqual(made.scalars, [2, 4, 6, 8])
    interp[global: "m"] = .tensor(made)
    XCTAssertTrue(try XCTUnwrap(interp[global: "m"]?.tensor) === made)
    XCTAssertNil(Value.int(3).tensor)
    XCTAssertNil(try interp.evaluate("[1]").tensor)
  }

  func testHostFunctionsReceiveAndReturnTensors() throws {
    let interp = quiet()
    var received: Tensor?
    interp.register("double") { args in
      received = args.positional.first?.tensor
      guard let t = received else { throw MetaError(.runtime, "double: tensor expected", file: "<host>", loc: SourceLoc(line: 0, column: 0)) }
      return .tensor(try t * 2)
    }
    interp[global: "x"] = .tensor(try Tensor(shape: [2], scalars: [1, 5]))
    let out = try XCTUnwrap(try interp.evaluate("double(x)").tensor)
    XCTAssertTrue(received === interp[global: "x"]?.tensor)
    XCTAssertEqual(out.scalars, [2, 10])
  }

  func testSameSeedGivesSameTensorsAndScriptSeedMatchesConstructorSeed() throws {
    let draw = "[randn([4]).tolist(), rand([2]).tolist(), random(), randint(0, 1000)]"
    let a = try quiet(seed: 42).evaluate(draw).description
    let b = try quiet(seed: 42).evaluate(draw).description
    XCTAssertEqual(a, b)
    XCTAssertNotEqual(try quiet(seed: 43).evaluate(draw).description, a)
    XCTAssertEqual(try quiet(seed: 1).evaluate("seed(42)\n" + draw).description, a)
  }

  func testTensorsAndRandomDrawFromOneMetaTensorStream() throws {
    // The expected numbers come straight from MetaTensor's RandomState.
    var state = RandomState(seed: 9)
    let normals = try Tensor.randn([3], using: &state).scalars
    let next = state.uniformDouble()
    let interp = quiet(seed: 9)
    let t = try XCTUnwrap(try interp.evaluate("randn([3])").tensor)
    XCTAssertEqual(t.scalars, normals)
    XCTAssertEqual(try interp.evaluate("random()").description, Value.float(next).description)
  }
}

// The public embedding API, as a host program uses it.

import Foundation
import MetaKernels
import MetaLang
import XCTest

/// A native object standing in for a runtime type with no operators.
final class FakeTask: NativeObject {
  var typeName: String { "Task" }
  var description: String { "<Task>" }
  func field(_ name: String) throws -> Value? { name == "size" ? .int(10) : nil }
  var fieldNames: [String] { ["size"] }
}

/// A native number-like object with operators, indexing, iteration, calls and methods.
final class Scalar: NativeOperators, NativeSubscriptable, NativeIterable, NativeCallable, NativeMethods {
  let value: Double
  init(_ value: Double) { self.value = value }
  var typeName: String { "Scalar" }
  var description: String { "Scalar(\(value))" }

  func binary(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value? {
    let o: Double
    switch other {
    case .int(let i): o = Double(i)
    case .float(let f): o = f
    case .native(let n as Scalar): o = n.value
    default: return nil
    }
    let (a, b) = reversed ? (o, value) : (value, o)
    switch op {
    case .add: return .native(Scalar(a + b))
    case .sub: return .native(Scalar(a - b))
    case .lt: return .bool(a < b)
    case .eq: return .bool(a == b)
    default: return nil
    }
  }
  func negate() throws -> Value? { .native(Scalar(-value)) }
  func index(_ items: [IndexArgument]) throws -> Value { .int(items.count) }
  func elements() throws -> [Value] { [.float(value), .float(value * 2)] }
  func call(_ arguments: NativeArguments) throws -> Value { .float(value * Double(arguments.positional.count)) }
  func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    switch name {
    case "exp": return .native(Scalar(Foundation.exp(value)))
    case "item": return .float(value)
    default: return nil
    }
  }
}

/// Modules from a dictionary of path to text; records what relative imports asked for.
final class MemoryLoader: ModuleLoader {
  let files: [String: String]
  let log = Log()
  final class Log { var paths: [String] = [] }
  init(files: [String: String]) { self.files = files }

  func module(named name: String) throws -> ModuleSource? {
    if name == "broken" { throw HostFailure() }
    return files[name].map { ModuleSource(key: name, name: "<mem>/\(name).meta", text: $0) }
  }

  func module(atPath path: String, from directory: String?) throws -> ModuleSource? {
    log.paths.append("\(path) from \(directory ?? "nil")")
    let full = directory.map { "\($0)/\(path)" } ?? path
    let folder = full.split(separator: "/").dropLast().joined(separator: "/")
    return files[full].map { ModuleSource(key: full, name: "<mem>/\(full)", text: $0, directory: folder) }
  }
}

struct HostFailure: Error, CustomStringConvertible {
  var description: String { "the host said no" }
}

final class EmbeddingTests: XCTestCase {
  var printed = ""
  lazy var interp = Interpreter(output: { [unowned self] in self.printed += $0 })

  func int(_ v: Value?) -> Int? { if case .int(let i)? = v { return i } else { return nil } }
  func string(_ v: Value?) -> String? { if case .string(let s)? = v { return s } else { return nil } }

  func testEvaluateReturnsLastExpressionAndKeepsGlobals() throws {
    XCTAssertEqual(int(try interp.evaluate("let a = 20\nvar b = 1\na + b")), 21)
    XCTAssertEqual(int(try interp.evaluate("b += 1\na + b")), 22)
    if case .nil_ = try interp.evaluate("let c = 3") {} else { XCTFail("a statement evaluates to nil") }
  }

  func testEvaluateInteractive() throws {
    XCTAssertNil(try interp.evaluateInteractive("var x = 5"))
    XCTAssertEqual(int(try interp.evaluateInteractive("x * 2")), 10)
    XCTAssertNil(try interp.evaluateInteractive("x += 1"))
    XCTAssertNil(try interp.evaluateInteractive("fn f() { 1 }"))
    XCTAssertEqual(int(try interp.evaluateInteractive("f() + x")), 7)
    // A later input may define a name an earlier one could not read.
    XCTAssertThrowsError(try interp.evaluateInteractive("later"))
    _ = try interp.evaluateInteractive("let later = 9")
    XCTAssertEqual(int(try interp.evaluateInteractive("later")), 9)
    // Re-declaring in a new input is allowed; assigning a constant is not.
    _ = try interp.evaluateInteractive("let later = 10")
    XCTAssertThrowsError(try interp.evaluateInteractive("later = 11")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "cannot assign to constant 'later'")
      XCTAssertEqual((e as? MetaError)?.kind, .resolve)
    }
  }

  func testPrintGoesToOutput() throws {
    try interp.evaluate("print(1, \"a\", [\"b\"])\nprint()")
    XCTAssertEqual(printed, "1 a [\"b\"]\n\n")
  }

  func testGlobalsFromSwift() throws {
    interp[global: "lr"] = .float(0.5)
    XCTAssertEqual(int(try interp.evaluate("lr * 4 == 2.0 and 1 or 0")), 1)
    try interp.evaluate("var steps = 3")
    XCTAssertEqual(int(interp[global: "steps"]), 3)
    XCTAssertNotNil(interp[global: "print"])
    XCTAssertNil(interp[global: "nothing_here"])
    interp[global: "steps"] = nil
    XCTAssertNil(interp[global: "steps"])
  }

  func testGlobalNamesAndFieldNames() throws {
    try interp.evaluate("let my_config = {alpha: 1, beta: 2}")
    let names = interp.globalNames
    XCTAssertTrue(names.contains("my_config"))
    XCTAssertTrue(names.contains("print"))
    XCTAssertTrue(names.contains("range"))
    XCTAssertEqual(names, names.sorted())
    let fields = interp.fieldNames(of: try XCTUnwrap(interp[global: "my_config"]))
    XCTAssertEqual(Array(fields.prefix(2)), ["alpha", "beta"])
    XCTAssertTrue(interp.fieldNames(of: .list([])).contains("append"))
    XCTAssertTrue(interp.fieldNames(of: .string("")).contains("upper"))
    XCTAssertEqual(interp.fieldNames(of: .native(FakeTask())), ["size"])
  }

  func testRegisterNativeFunction() throws {
    var seen: NativeArguments?
    interp.register("host_add") { args in
      seen = args
      guard case .int(let a) = args.positional[0], case .int(let b)? = args.named("plus") else { return .nil_ }
      return .int(a + b)
    }
    XCTAssertEqual(int(try interp.evaluate("host_add(2, plus: 40)")), 42)
    XCTAssertEqual(seen?.positional.count, 1)
    XCTAssertEqual(seen?.named.first?.label, "plus")
    // Visible inside functions and modules as well.
    XCTAssertEqual(int(try interp.evaluate("fn g() { host_add(1, plus: 1) }\ng()")), 2)
  }

  func testHostErrorsBecomeMetaErrorsAtTheCallSite() throws {
    interp.register("refuse") { _ in throw HostFailure() }
    interp.register("refuse_meta") { _ in
      throw MetaError(.runtime, "bad tensor shape", file: "x", loc: SourceLoc(line: 99, column: 9))
    }
    XCTAssertThrowsError(try interp.evaluate("let a = 1\n  refuse()")) { e in
      let m = e as? MetaError
      XCTAssertEqual(m?.message, "the host said no")
      XCTAssertEqual(m?.loc.line, 2)
      XCTAssertEqual(m?.kind, .runtime)
      XCTAssertEqual(m?.sourceLine, "  refuse()")
    }
    XCTAssertThrowsError(try interp.evaluate("refuse_meta()")) { e in
      let m = e as? MetaError
      XCTAssertEqual(m?.message, "bad tensor shape")
      XCTAssertEqual(m?.loc.line, 1)
    }
    XCTAssertEqual(string(try interp.evaluate("try { refuse() } catch e { e.message }")), "the host said no")
  }

  func testCallMetaFunctionFromSwift() throws {
    let f = try interp.evaluate("fn(x, y = 10) { x * y }")
    XCTAssertEqual(int(try interp.call(f, [.int(4)])), 40)
    XCTAssertEqual(int(try interp.call(f, [.int(4), .int(2)])), 8)
    XCTAssertThrowsError(try interp.call(f, [])) { e in
      XCTAssertEqual((e as? MetaError)?.message, "missing argument 'x' to '<fn>'")
    }
    XCTAssertThrowsError(try interp.call(.int(3), []))
    let builtin = try XCTUnwrap(interp[global: "len"])
    XCTAssertEqual(int(try interp.call(builtin, [.string("abc")])), 3)
  }

  func testHostCallbackReentersInterpreter() throws {
    let interp = self.interp
    interp.register("apply_twice") { args in
      let once = try interp.call(args.positional[0], [args.positional[1]])
      return try interp.call(args.positional[0], [once])
    }
    XCTAssertEqual(int(try interp.evaluate("apply_twice(fn(x) { x * 3 }, 2)")), 18)
    // An error inside the callback keeps its own location.
    XCTAssertThrowsError(try interp.evaluate("apply_twice(fn(x) {\n  error(\"inner\") }, 2)")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "inner")
      XCTAssertEqual((e as? MetaError)?.loc.line, 2)
    }
  }

  func testCheckReportsEveryErrorWithoutRunning() {
    let errors = interp.check("print(1)\nbreak\nlet q = 1\nq = 2\nundeclared = 3\n", name: "t.meta")
    XCTAssertEqual(errors.map(\.message), [
      "'break' outside a loop", "cannot assign to constant 'q'", "assignment to undeclared variable 'undeclared'",
    ])
    XCTAssertEqual(errors.map(\.loc.line), [2, 4, 5])
    XCTAssertTrue(errors.allSatisfy { $0.kind == .resolve && $0.file == "t.meta" })
    XCTAssertEqual(errors.first?.sourceLine, "break")
    XCTAssertEqual(printed, "")
    XCTAssertTrue(interp.check("let fine = 1\nfine + 1", name: "ok.meta").isEmpty)
    // Checking declares nothing.
    XCTAssertNil(interp[global: "fine"])
    XCTAssertFalse(interp.check("let x = (", name: "bad.meta").isEmpty)
  }

  func testIsIncompleteDelegatesToParser() {
    XCTAssertTrue(Interpreter.isIncomplete("fn f() {"))
    XCTAssertTrue(Interpreter.isIncomplete("let x = [1,"))
    XCTAssertFalse(Interpreter.isIncomplete("let x = 1"))
  }

  func testErrorsCarryLocationStackAndSource() {
    let src = "fn inner() {\n  [1][5]\n}\nfn outer() { inner() }\nouter()"
    XCTAssertThrowsError(try interp.evaluate(src, name: "prog.meta")) { e in
      guard let m = e as? MetaError else { return XCTFail() }
      XCTAssertEqual(m.file, "prog.meta")
      XCTAssertEqual(m.loc, SourceLoc(line: 2, column: 6))
      XCTAssertEqual(m.sourceLine, "  [1][5]")
      XCTAssertEqual(m.stack.map(\.function), ["inner", "outer", "<script>"])
      XCTAssertEqual(m.stack.map(\.loc.line), [2, 4, 5])
    }
  }

  func testRunFileWithRelativeImportAndSearchPaths() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meta-embed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "let k = 7\n".write(to: dir.appendingPathComponent("lib/helper.meta"), atomically: true, encoding: .utf8)
    try "import \"lib/helper.meta\" as h\nh.k * 6\n".write(
      to: dir.appendingPathComponent("main.meta"), atomically: true, encoding: .utf8)
    XCTAssertEqual(int(try interp.run(file: dir.appendingPathComponent("main.meta").path)), 42)
    // `import name` looks in the search paths first.
    let withPaths = Interpreter(
      loader: FileModuleLoader(searchPaths: [dir.appendingPathComponent("lib").path]), output: { _ in })
    XCTAssertEqual(int(try withPaths.evaluate("import helper\nhelper.k")), 7)
    XCTAssertThrowsError(try interp.run(file: dir.appendingPathComponent("absent.meta").path))
  }

  /// The library reads no environment variable: META_PATH is the `meta` program's
  /// (MetaCLITests checks it there).
  func testLibraryIgnoresMetaPath() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meta-path-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "let from_env = true\n".write(to: dir.appendingPathComponent("envmod.meta"), atomically: true, encoding: .utf8)
    setenv("META_PATH", "/nonexistent:" + dir.path, 1)
    defer { unsetenv("META_PATH") }
    XCTAssertThrowsError(try interp.evaluate("import envmod")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "module 'envmod' not found")
    }
    let withPath = Interpreter(loader: FileModuleLoader(searchPaths: [dir.path]))
    if case .bool(true) = try withPath.evaluate("import envmod\nenvmod.from_env") {} else { XCTFail() }
  }

  /// Modules served from memory: by name, by path relative to the importing module,
  /// with the embedded stdlib behind the loader and its errors catchable.
  func testCustomModuleLoader() throws {
    let loader = MemoryLoader(files: [
      "geometry": "let sides = 4\nfn area(s) { s * s }\nprint(\"geometry runs\")\n",
      "shapes/circle.meta": "import \"unit.meta\" as u\nlet r = u.one * 2\n",
      "shapes/unit.meta": "let one = 1\n",
      "nn": "let shadowed = true\n",
    ])
    var printed = ""
    let interp = Interpreter(loader: loader, output: { printed += $0 })
    XCTAssertEqual(int(try interp.evaluate("import geometry\ngeometry.area(geometry.sides)")), 16)
    // Evaluated once per interpreter, whoever imports it again.
    XCTAssertEqual(int(try interp.evaluate("import geometry\ngeometry.sides")), 4)
    XCTAssertEqual(printed, "geometry runs\n")
    // A relative import inside a loaded module resolves against that module's directory.
    XCTAssertEqual(int(try interp.evaluate("import \"shapes/circle.meta\" as c\nc.r")), 2)
    XCTAssertEqual(loader.log.paths, ["shapes/circle.meta from nil", "unit.meta from shapes"])
    // The loader comes first, so it may shadow a stdlib module; the stdlib is there behind it.
    if case .bool(true) = try interp.evaluate("import nn\nnn.shadowed") {} else { XCTFail("shadowed nn") }
    XCTAssertEqual(string(try interp.evaluate("import optim\ntype(optim.sgd())")), "Optimizer")
    XCTAssertThrowsError(try interp.evaluate("import missing")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "module 'missing' not found")
    }
    XCTAssertThrowsError(try interp.evaluate("import \"nowhere.meta\" as x")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "cannot import 'nowhere.meta': file not found")
    }
    XCTAssertEqual(string(try interp.evaluate("try { import broken } catch e { e.message }")), "the host said no")
    XCTAssertThrowsError(try interp.evaluate("let x = 1\n  import broken")) { e in
      XCTAssertEqual((e as? MetaError)?.loc, SourceLoc(line: 2, column: 3))
    }
  }

  /// With no output handler the library prints nothing: `print` goes nowhere.
  func testDefaultOutputPrintsNothing() throws {
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent("meta-out-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: capture) }
    fflush(nil)
    let saved = dup(STDOUT_FILENO)
    let fd = open(capture.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    XCTAssertGreaterThanOrEqual(fd, 0)
    dup2(fd, STDOUT_FILENO)
    close(fd)
    let result = Result { try Interpreter().evaluate("print(\"should not appear\")\n42") }
    fflush(nil)
    dup2(saved, STDOUT_FILENO)
    close(saved)
    XCTAssertEqual(int(try result.get()), 42)
    XCTAssertEqual(try String(contentsOf: capture, encoding: .utf8), "")
  }

  /// The kernels' thread count is each interpreter's own, applied while it evaluates.
  func testThreadsArePerInterpreter() throws {
    let outside = ThreadPool.maxThreads
    let one = Interpreter(), three = Interpreter()
    XCTAssertEqual(one.threads, ThreadPool.coreCount)
    one.threads = 1
    three.threads = 3
    for interp in [one, three] {
      interp.register("kernel_threads") { _ in .int(ThreadPool.maxThreads) }
    }
    XCTAssertEqual(int(try one.evaluate("kernel_threads()")), 1)
    XCTAssertEqual(int(try three.evaluate("kernel_threads()")), 3)
    XCTAssertEqual(ThreadPool.maxThreads, outside, "the process-wide default is untouched")
    // A tensor op that splits work runs under the setting and gives the same answer.
    let big = "(tensor(range(300000)) * 0.0 + 1.0).exp().sum().item()"
    XCTAssertEqual(try one.evaluate(big).description, try three.evaluate(big).description)
    one.threads = 0
    XCTAssertEqual(one.threads, 1)
    one.threads = 100_000
    XCTAssertEqual(one.threads, ThreadPool.threadCap)
  }
  func testNativeObjects() throws {
    interp[global: "task"] = .native(FakeTask())
    interp[global: "s"] = .native(Scalar(2))
    XCTAssertThrowsError(try interp.evaluate("task + 1")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "attempt to perform arithmetic on a Task value")
    }
    XCTAssertThrowsError(try interp.evaluate("1 * task")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "attempt to perform arithmetic on a Task value")
    }
    XCTAssertEqual(string(try interp.evaluate("type(task)")), "Task")
    XCTAssertEqual(int(try interp.evaluate("task.size")), 10)
    XCTAssertEqual(string(try interp.evaluate("str([task])")), "[<Task>]")
    XCTAssertEqual(string(try interp.evaluate("str(s + 1)")), "Scalar(3.0)")
    XCTAssertEqual(string(try interp.evaluate("str(10 - s)")), "Scalar(8.0)")
    XCTAssertEqual(string(try interp.evaluate("str(-s)")), "Scalar(-2.0)")
    if case .bool(true) = try interp.evaluate("s < 3") {} else { XCTFail("s < 3") }
    XCTAssertEqual(int(try interp.evaluate("s[0, 1:2]")), 2)
    if case .float(4.0) = try interp.evaluate("var t = 0.0\nfor x in s { t += x }\nt - 2") {} else { XCTFail() }
    if case .float(6.0) = try interp.evaluate("s(1, 2, 3)") {} else { XCTFail("callable") }
    if case .float(2.0) = try interp.evaluate("s.item()") {} else { XCTFail("method") }
    // Math builtins defer to the object's method of the same name.
    XCTAssertEqual(string(try interp.evaluate("str(exp(s - 2))")), "Scalar(1.0)")
    XCTAssertThrowsError(try interp.evaluate("s.nothing()")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "Scalar has no method 'nothing'")
    }
  }

  func testSeedMakesRandomStreamReproducible() throws {
    let a = Interpreter(seed: 7, output: { _ in })
    let b = Interpreter(seed: 7, output: { _ in })
    let draw = "[random(), random(), randint(0, 1000000)]"
    let x = try a.evaluate(draw), y = try b.evaluate(draw)
    XCTAssertEqual(x.description, y.description)
    XCTAssertEqual(a.random.next(), b.random.next())
    let c = Interpreter(seed: 8, output: { _ in })
    XCTAssertNotEqual(try c.evaluate(draw).description, x.description)
  }

  func testArgumentsAreVisible() throws {
    interp.arguments = ["one", "two"]
    XCTAssertEqual(string(try interp.evaluate("args[1]")), "two")
  }
}

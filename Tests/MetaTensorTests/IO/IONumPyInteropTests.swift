import Foundation
import XCTest
@testable import MetaTensor

/// Files exchanged with NumPy itself (skipped when python3 with numpy is
/// missing, unless META_REQUIRE_NUMPY=1). Values compare exactly, dtype included.
final class IONumPyInteropTests: XCTestCase {
  /// Lines `name;d0,d1;dtype;values` printed by the Python side (see `PythonNumPy.describe`).
  private func parse(_ output: String) -> [(name: String, shape: [Int], described: String)] {
    output.split(separator: "\n").compactMap { line in
      let f = line.split(separator: ";", maxSplits: 2, omittingEmptySubsequences: false)
      guard f.count == 3 else { return nil }
      return (String(f[0]), f[1].split(separator: ",").compactMap { Int($0) }, String(f[2]))
    }
  }

  func testReadsFilesWrittenByNumPy() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let script = PythonNumPy.describeSource + """
      import os
      from numpy.lib import format as fmt
      d = sys.argv[1]
      rng = np.random.default_rng(3)
      cases = {
          'f4': rng.normal(size=(3, 4)).astype('<f4'),
          'f8': rng.normal(size=(2, 3, 2)) * 1e30,
          'f8_tenth': np.array([0.1, 2**-1074, -0.0, np.nan]),
          'f8be': np.array([0.1, -1e300], dtype='>f8'),
          'f2': np.array([1.5, -2**-24, 65504, np.inf, -0.0], dtype='<f2'),
          'i1': np.array([-128, 127, 0], dtype='i1'),
          'i2be': np.array([-2, 300, 32767], dtype='>i2'),
          'i4': rng.integers(-10**9, 10**9, size=(5,), dtype='<i4'),
          'i8': np.array([2**40 + 1, -3, 2**62 + 12345, 2**53 + 1, -2**63], dtype='<i8'),
          'i8be': np.array([2**53 + 1, -7], dtype='>i8'),
          'u1': np.arange(256, dtype=np.uint8).reshape(16, 16),
          'u2': np.array([65535, 1], dtype='<u2'),
          'u4': np.array([4294967295, 7], dtype='<u4'),
          'u8': np.array([2**63 - 1, 9], dtype='<u8'),
          'b1': np.array([[True, False], [False, True]]),
          'f4be': rng.normal(size=(4,)).astype('>f4'),
          'fortran': np.asfortranarray(rng.normal(size=(3, 4, 2)).astype('f4')),
          'fortran_i8': np.asfortranarray(np.arange(6, dtype='i8').reshape(2, 3) + 2**60),
          'fortran_f8': np.asfortranarray(rng.normal(size=(2, 3))),
          'fortran_b1': np.asfortranarray(np.array([[True, False, False], [True, True, False]])),
          'scalar': np.array(7.25, dtype='f4'),
          'scalar_i8': np.array(-5, dtype='i8'),
          'empty': np.zeros((0, 5), dtype='f4'),
          'empty_b1': np.zeros((2, 0), dtype=bool),
      }
      for name, a in cases.items():
          np.save(os.path.join(d, name + '.npy'), a)
      for v in [(2, 0), (3, 0)]:
          a = cases['f4']
          cases['v%d' % v[0]] = a
          with open(os.path.join(d, 'v%d.npy' % v[0]), 'wb') as f:
              fmt.write_array(f, a, version=v)
      # uint64 past int64: refused, not wrapped or rounded.
      np.save(os.path.join(d, 'u8big.npy'), np.array([1, 2**63], dtype='<u8'))
      for name, a in cases.items():
          print(name + ';' + ','.join(map(str, a.shape)) + ';' + describe(a))
      """
    let cases = parse(try PythonNumPy.run(script, arguments: [dir]))
    XCTAssertEqual(cases.count, 26)
    for c in cases {
      let t = try NpyFile.read(dir + "/" + c.name + ".npy")
      XCTAssertEqual(t.shape, c.shape, c.name)
      XCTAssertEqual(PythonNumPy.describe(t), c.described, c.name)
    }
    let byName = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0.described) })
    XCTAssertEqual(byName["i8"], "int64;1099511627777,-3,4611686018427400249,9007199254740993,-9223372036854775808")
    XCTAssertEqual(byName["f8_tenth"]?.hasPrefix("float64;3fb999999999999a,1,"), true)
    XCTAssertThrowsError(try NpyFile.read(dir + "/u8big.npy")) { error in
      XCTAssertEqual((error as? TensorError)?.message,
                     dir + "/u8big.npy: uint64 element 1 is 9223372036854775808, too large for int64 (the largest is 9223372036854775807)")
    }
  }

  func testNumPyReadsWhatWeWrite() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = RandomState(seed: 17)
    var expected = [String: (shape: [Int], described: String)]()
    func write(_ name: String, _ t: Tensor) throws {
      try NpyFile.write(t, to: "\(dir)/\(name).npy")
      expected[name] = (t.shape, PythonNumPy.describe(t))
    }
    for (i, shape) in [[], [0], [5], [3, 7], [2, 0, 3], [2, 2, 2, 2], [1500]].enumerated() {
      var values = rng.normal(count: shape.reduce(1, *), mean: 0, std: 100)
      if values.count > 2 { values[0] = .nan; values[1] = -.infinity }
      let t = try Tensor(shape: shape, scalars: values)
      try write("w\(i)", t)
      try write("d\(i)", try t.astype(.float64) / 7)  // float64 values float32 cannot hold
      try write("b\(i)", try t.astype(.bool))
    }
    try write("tenth", try Tensor(shape: [3], elements: [0.1, -1e300, Double.leastNonzeroMagnitude]))
    try write("i", try Tensor(shape: [2, 3], elements: [Int64(1) << 53 + 1, -3, .max, .min, 0, 1 << 40]))
    try write("i0", try Tensor(shape: [], elements: [Int64(-9)]))
    try write("transposed", try Tensor(shape: [2, 3], elements: [Int64(1), 2, 3, 4, 5, 6]).transpose(0, 1))
    // NumPy loads each file, and re-saving what it loaded must give our exact bytes.
    let script = PythonNumPy.describeSource + """
      import os, io
      d = sys.argv[1]
      for name in sorted(os.listdir(d)):
          path = os.path.join(d, name)
          a = np.load(path)
          buf = io.BytesIO(); np.save(buf, a)
          same = buf.getvalue() == open(path, 'rb').read()
          print(name[:-4] + ';' + ','.join(map(str, a.shape)) + ';' + describe(a))
          print('identical' if same else 'DIFFERENT ' + name)
      """
    let output = try PythonNumPy.run(script, arguments: [dir])
    let cases = parse(output)
    XCTAssertEqual(cases.count, expected.count)
    XCTAssertFalse(output.contains("DIFFERENT"), output)
    for c in cases {
      XCTAssertEqual(c.shape, expected[c.name]?.shape, c.name)
      XCTAssertEqual(c.described, expected[c.name]?.described, c.name)
    }
    XCTAssertEqual(expected["transposed"]?.described, "int64;1,4,2,5,3,6")
    XCTAssertEqual(expected["i"]?.described.hasPrefix("int64;9007199254740993,-3,9223372036854775807,"), true)
  }
}

/// Safetensors files built byte by byte in Python (json + numpy's tobytes, no
/// safetensors package), and Python parsing the files we write the same way.
final class IOSafetensorsPythonTests: XCTestCase {
  func testExchangeWithHandBuiltPythonFiles() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ours: [(name: String, tensor: Tensor)] = [
      ("w", try Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, 0, 1e-30])),
      ("bias", try Tensor(shape: [3], scalars: [0.25, 0.5, 0.75])),
      ("d", try Tensor(shape: [2], elements: [0.1, -1e300])),
      ("i", try Tensor(shape: [3], elements: [Int64(1) << 53 + 1, .min, -1])),
      ("m", try Tensor(shape: [2, 2], elements: [true, false, false, true])),
    ]
    try SafetensorsFile.write(ours, to: dir + "/ours.safetensors", metadata: ["epoch": "3"])
    let script = PythonNumPy.describeSource + """
      import json, os
      d = sys.argv[1]
      rng = np.random.default_rng(11)
      arrays = {
          'f32': rng.normal(size=(2, 3)).astype('<f4'),
          'f64': np.array([0.1, 1e-300, -2.5]) * rng.normal(size=(3,)),
          'f16': rng.normal(size=(3, 1)).astype('<f2'),
          'i32': rng.integers(-10**6, 10**6, size=(2, 2)).astype('<i4'),
          'i64': np.array([2**53 + 1, -7, -2**63], dtype='<i8'),
          'u8': np.array([0, 200, 255], dtype='u1'),
          'i8': np.array([-100, 5], dtype='i1'),
          'u64': np.array([2**63 - 1, 0], dtype='<u8'),
          'flag': np.array([True, False, True]),
          'none': np.zeros((0, 4), dtype='<f4'),
      }
      codes = {'float32': 'F32', 'float64': 'F64', 'float16': 'F16', 'int32': 'I32', 'int64': 'I64',
               'uint8': 'U8', 'int8': 'I8', 'uint64': 'U64', 'bool': 'BOOL'}
      order = ['i64', 'f32', 'flag', 'f16', 'none', 'f64', 'i32', 'u8', 'i8', 'u64']
      def write(path, names, arrays):
          header, data = {'__metadata__': {'source': 'hand'}}, b''
          for name in names:
              a = arrays[name]
              raw = a.tobytes()
              header[name] = {'dtype': codes[a.dtype.name], 'shape': list(a.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
              data += raw
          h = json.dumps(header, separators=(',', ':')).encode()
          h += b' ' * ((8 - len(h) % 8) % 8)
          open(path, 'wb').write(len(h).to_bytes(8, 'little') + h + data)
      write(os.path.join(d, 'theirs.safetensors'), order, arrays)
      write(os.path.join(d, 'u64big.safetensors'), ['big'], {'big': np.array([5, 2**64 - 1], dtype='<u8')})
      # A bfloat16 file: the top halves of float32 bit patterns.
      bf = np.array([1.0, -3.5, 1e20], dtype='<f4').view('<u4') >> 16
      hb = json.dumps({'b': {'dtype': 'BF16', 'shape': [3], 'data_offsets': [0, 6]}}).encode()
      open(os.path.join(d, 'bf16.safetensors'), 'wb').write(len(hb).to_bytes(8, 'little') + hb + bf.astype('<u2').tobytes())
      for name in order:
          a = arrays[name]
          print('theirs;' + name + ';' + ','.join(map(str, a.shape)) + ';' + describe(a))
      # Parse ours by hand.
      types = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8', 'BOOL': '?'}
      raw = open(os.path.join(d, 'ours.safetensors'), 'rb').read()
      n = int.from_bytes(raw[:8], 'little')
      hdr = json.loads(raw[8:8 + n])
      print('meta;' + json.dumps(hdr.pop('__metadata__'), sort_keys=True))
      for name, info in hdr.items():
          b, e = info['data_offsets']
          a = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=types[info['dtype']]).reshape(info['shape'])
          print('ours;' + name + ';' + ','.join(map(str, a.shape)) + ';' + info['dtype'] + ';' + describe(a))
      """
    let lines = try PythonNumPy.run(script, arguments: [dir]).split(separator: "\n").map(String.init)
    let theirs = try SafetensorsFile.readContents(dir + "/theirs.safetensors")
    XCTAssertEqual(theirs.metadata, ["source": "hand"])
    let expectedTheirs = lines.filter { $0.hasPrefix("theirs;") }
    XCTAssertEqual(expectedTheirs.count, 10)
    XCTAssertEqual(theirs.tensors.map(\.name), expectedTheirs.map { String($0.split(separator: ";")[1]) })
    for (line, (name, t)) in zip(expectedTheirs, theirs.tensors) {
      let f = line.split(separator: ";", maxSplits: 3, omittingEmptySubsequences: false)
      XCTAssertEqual(t.shape, f[2].split(separator: ",").compactMap { Int($0) }, name)
      XCTAssertEqual(PythonNumPy.describe(t), String(f[3]), name)
    }
    XCTAssertEqual(theirs.tensors.map(\.tensor.dtype),
                   [.int64, .float32, .bool, .float32, .float32, .float64, .int64, .int64, .int64, .int64])
    XCTAssertThrowsError(try SafetensorsFile.read(dir + "/u64big.safetensors")) { error in
      XCTAssertEqual((error as? TensorError)?.message, dir + "/u64big.safetensors: tensor 'big': uint64 element 1 is "
                     + "18446744073709551615, too large for int64 (the largest is 9223372036854775807)")
    }
    XCTAssertEqual(try SafetensorsFile.read(dir + "/bf16.safetensors").first?.tensor.scalars,
                   [1, -3.5, Float(bitPattern: Float(1e20).bitPattern & 0xFFFF_0000)])
    XCTAssertTrue(lines.contains(#"meta;{"epoch": "3"}"#), "\(lines)")
    let codes: [DType: String] = [.float32: "F32", .float64: "F64", .int64: "I64", .bool: "BOOL"]
    for (name, t) in ours {
      let line = "ours;\(name);" + t.shape.map(String.init).joined(separator: ",") + ";\(codes[t.dtype] ?? "?");"
        + PythonNumPy.describe(t)
      XCTAssertTrue(lines.contains(line), "\(line) not in \(lines)")
    }
  }
}

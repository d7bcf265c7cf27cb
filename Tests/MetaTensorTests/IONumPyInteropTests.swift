import Foundation
import XCTest
@testable import MetaTensor

/// Files exchanged with NumPy itself (skipped when python3 with numpy is missing).
final class IONumPyInteropTests: XCTestCase {
  /// Parses lines `name;d0,d1;hexbits,...` printed by the Python side.
  private func parse(_ output: String) -> [(name: String, shape: [Int], bits: [UInt32])] {
    output.split(separator: "\n").compactMap { line in
      let f = line.split(separator: ";", omittingEmptySubsequences: false)
      guard f.count == 3 else { return nil }
      return (String(f[0]), f[1].split(separator: ",").compactMap { Int($0) },
              f[2].split(separator: ",").compactMap { UInt32($0, radix: 16) })
    }
  }

  func testReadsFilesWrittenByNumPy() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let script = """
      import os
      from numpy.lib import format as fmt
      d = sys.argv[1]
      rng = np.random.default_rng(3)
      cases = {
          'f4': rng.normal(size=(3, 4)).astype('<f4'),
          'f8': rng.normal(size=(2, 3, 2)) * 1e30,
          'f2': np.array([1.5, -2**-24, 65504, np.inf, -0.0], dtype='<f2'),
          'i1': np.array([-128, 127, 0], dtype='i1'),
          'i2be': np.array([-2, 300, 32767], dtype='>i2'),
          'i4': rng.integers(-10**9, 10**9, size=(5,), dtype='<i4'),
          'i8': np.array([2**40 + 1, -3, 2**62 + 12345], dtype='<i8'),
          'u1': np.arange(256, dtype=np.uint8).reshape(16, 16),
          'u2': np.array([65535, 1], dtype='<u2'),
          'u4': np.array([4294967295, 7], dtype='<u4'),
          'u8': np.array([2**64 - 1, 9], dtype='<u8'),
          'b1': np.array([[True, False], [False, True]]),
          'f4be': rng.normal(size=(4,)).astype('>f4'),
          'fortran': np.asfortranarray(rng.normal(size=(3, 4, 2)).astype('f4')),
          'fortran_i8': np.asfortranarray(np.arange(6, dtype='i8').reshape(2, 3)),
          'scalar': np.array(7.25, dtype='f4'),
          'empty': np.zeros((0, 5), dtype='f4'),
      }
      for name, a in cases.items():
          np.save(os.path.join(d, name + '.npy'), a)
      for v in [(2, 0), (3, 0)]:
          a = cases['f4']
          cases['v%d' % v[0]] = a
          with open(os.path.join(d, 'v%d.npy' % v[0]), 'wb') as f:
              fmt.write_array(f, a, version=v)
      for name, a in cases.items():
          c = np.ascontiguousarray(a).astype(np.float32)
          print(name + ';' + ','.join(map(str, a.shape)) + ';' + ','.join('%x' % b for b in c.ravel().view(np.uint32)))
      """
    let cases = parse(try PythonNumPy.run(script, arguments: [dir]))
    XCTAssertEqual(cases.count, 19)
    for c in cases {
      let t = try NpyFile.read(dir + "/" + c.name + ".npy")
      XCTAssertEqual(t.shape, c.shape, c.name)
      XCTAssertEqual(t.scalars.map(\.bitPattern), c.bits, c.name)
    }
  }

  func testNumPyReadsWhatWeWrite() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rng = RandomState(seed: 17)
    var expected = [String: (shape: [Int], bits: [UInt32])]()
    for (i, shape) in [[], [0], [5], [3, 7], [2, 0, 3], [2, 2, 2, 2], [1500]].enumerated() {
      var values = rng.normal(count: shape.reduce(1, *), mean: 0, std: 100)
      if values.count > 2 { values[0] = .nan; values[1] = -.infinity }
      try NpyFile.write(try Tensor(shape: shape, scalars: values), to: "\(dir)/w\(i).npy")
      expected["w\(i)"] = (shape, values.map(\.bitPattern))
    }
    // NumPy loads each file, and re-saving what it loaded must give our exact bytes.
    let script = """
      import os, io
      d = sys.argv[1]
      for name in sorted(os.listdir(d)):
          path = os.path.join(d, name)
          a = np.load(path)
          buf = io.BytesIO(); np.save(buf, a)
          same = buf.getvalue() == open(path, 'rb').read()
          print(name[:-4] + ';' + ','.join(map(str, a.shape)) + ';' + ','.join('%x' % b for b in a.ravel().view(np.uint32)))
          print('identical' if same and a.dtype == np.float32 else 'DIFFERENT')
      """
    let output = try PythonNumPy.run(script, arguments: [dir])
    let cases = parse(output)
    XCTAssertEqual(cases.count, expected.count)
    XCTAssertFalse(output.contains("DIFFERENT"), output)
    for c in cases {
      XCTAssertEqual(c.shape, expected[c.name]?.shape, c.name)
      XCTAssertEqual(c.bits, expected[c.name]?.bits, c.name)
    }
  }
}

/// Safetensors files built byte by byte in Python (json + numpy's tobytes, no
/// safetensors package), and Python parsing the files we write the same way.
final class IOSafetensorsPythonTests: XCTestCase {
  func testExchangeWithHandBuiltPythonFiles() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try SafetensorsFile.write([
      ("w", try Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, 0, 1e-30])),
      ("bias", try Tensor(shape: [3], scalars: [0.25, 0.5, 0.75])),
    ], to: dir + "/ours.safetensors", metadata: ["epoch": "3"])
    let script = """
      import json, os
      d = sys.argv[1]
      rng = np.random.default_rng(11)
      arrays = {
          'f32': rng.normal(size=(2, 3)).astype('<f4'),
          'f64': rng.normal(size=(4,)) * 1e-3,
          'f16': rng.normal(size=(3, 1)).astype('<f2'),
          'i32': rng.integers(-10**6, 10**6, size=(2, 2)).astype('<i4'),
          'i64': np.array([2**53 + 1, -7], dtype='<i8'),
          'u8': np.array([0, 200, 255], dtype='u1'),
          'i8': np.array([-100, 5], dtype='i1'),
          'flag': np.array([True, False, True]),
          'none': np.zeros((0, 4), dtype='<f4'),
      }
      codes = {'float32': 'F32', 'float64': 'F64', 'float16': 'F16', 'int32': 'I32', 'int64': 'I64',
               'uint8': 'U8', 'int8': 'I8', 'bool': 'BOOL'}
      header, data = {'__metadata__': {'source': 'hand'}}, b''
      for name in ['i64', 'f32', 'flag', 'f16', 'none', 'f64', 'i32', 'u8', 'i8']:
          a = arrays[name]
          raw = a.tobytes()
          header[name] = {'dtype': codes[a.dtype.name], 'shape': list(a.shape), 'data_offsets': [len(data), len(data) + len(raw)]}
          data += raw
      h = json.dumps(header, separators=(',', ':')).encode()
      h += b' ' * ((8 - len(h) % 8) % 8)
      open(os.path.join(d, 'theirs.safetensors'), 'wb').write(len(h).to_bytes(8, 'little') + h + data)
      # A bfloat16 file: the top halves of float32 bit patterns.
      bf = np.array([1.0, -3.5, 1e20], dtype='<f4').view('<u4') >> 16
      hb = json.dumps({'b': {'dtype': 'BF16', 'shape': [3], 'data_offsets': [0, 6]}}).encode()
      open(os.path.join(d, 'bf16.safetensors'), 'wb').write(len(hb).to_bytes(8, 'little') + hb + bf.astype('<u2').tobytes())
      for name in ['i64', 'f32', 'flag', 'f16', 'none', 'f64', 'i32', 'u8', 'i8']:
          a = arrays[name].astype(np.float32)
          print('theirs;' + name + ';' + ','.join(map(str, a.shape)) + ';' + ','.join('%x' % b for b in a.ravel().view(np.uint32)))
      # Parse ours by hand.
      raw = open(os.path.join(d, 'ours.safetensors'), 'rb').read()
      n = int.from_bytes(raw[:8], 'little')
      hdr = json.loads(raw[8:8 + n])
      print('meta;' + json.dumps(hdr.pop('__metadata__'), sort_keys=True))
      for name, info in hdr.items():
          b, e = info['data_offsets']
          a = np.frombuffer(raw[8 + n + b:8 + n + e], dtype='<f4').reshape(info['shape'])
          print('ours;' + name + ';' + ','.join(map(str, a.shape)) + ';' + ','.join('%x' % v for v in a.ravel().view(np.uint32)))
      """
    let lines = try PythonNumPy.run(script, arguments: [dir]).split(separator: "\n").map(String.init)
    let theirs = try SafetensorsFile.readContents(dir + "/theirs.safetensors")
    XCTAssertEqual(theirs.metadata, ["source": "hand"])
    let expectedTheirs = lines.filter { $0.hasPrefix("theirs;") }
    XCTAssertEqual(expectedTheirs.count, 9)
    XCTAssertEqual(theirs.tensors.map(\.name), expectedTheirs.map { String($0.split(separator: ";")[1]) })
    for (line, (name, t)) in zip(expectedTheirs, theirs.tensors) {
      let f = line.split(separator: ";", omittingEmptySubsequences: false)
      XCTAssertEqual(t.shape, f[2].split(separator: ",").compactMap { Int($0) }, name)
      XCTAssertEqual(t.scalars.map(\.bitPattern), f[3].split(separator: ",").compactMap { UInt32($0, radix: 16) }, name)
    }
    XCTAssertEqual(try SafetensorsFile.read(dir + "/bf16.safetensors").first?.tensor.scalars,
                   [1, -3.5, Float(bitPattern: Float(1e20).bitPattern & 0xFFFF_0000)])
    XCTAssertTrue(lines.contains(#"meta;{"epoch": "3"}"#), "\(lines)")
    XCTAssertTrue(lines.contains("ours;bias;3;3e800000,3f000000,3f400000"), "\(lines)")
    let w = [Float](arrayLiteral: 1, -2, 3.5, .infinity, 0, 1e-30).map { String($0.bitPattern, radix: 16) }
    XCTAssertTrue(lines.contains("ours;w;2,3;" + w.joined(separator: ",")), "\(lines)")
  }
}

// `help(x)`: the signature and documentation of a function. A Meta function
// (the stdlib's or the user's) is documented by the `#` comment block right
// above its `fn` line, read from its source; a builtin by its entry in the
// reference pages (docs/tensors.md, builtins.md, embedded as
// ReferencePages): the `### \`name(...)\`` heading and the text under it.

extension Builtins {
  static func help() -> [Builtin] {
    [
      Builtin("help") { args in
        try args.expect(1)
        args.rt.output(Help.text(for: args[0], rt: args.rt) + "\n")
        return .nil_
      },
    ]
  }
}

enum Help {
  /// What `help(value)` prints (without the final line break).
  static func text(for value: Value, rt: Runtime) -> String {
    switch value {
    case .function(let f):
      if let proto = f.proto { return functionText(proto, sources: rt.sources) }
      return entry(named: f.name) ?? "\(f.name)(...): a builtin with no reference entry yet"
    case .string(let name):
      if let text = entry(named: name) { return text }
      if let global = rt.main.value(name) ?? rt.base.value(name), case .function = global {
        return text(for: global, rt: rt)
      }
      return "help: nothing documented is called '\(name)'"
    case .native(let object as MetaObject):
      return members(of: value, typeName: object.typeName, object.fields, rt: rt)
    case .record(let record):
      return members(of: value, typeName: "Record", record, rt: rt)
    case .native(let object):
      return "\(object.typeName): " + (object.fieldNames.isEmpty ? "no fields or methods"
        : "fields and methods " + object.fieldNames.sorted().joined(separator: ", "))
        + "; help(x.name) documents a method"
    default:
      return "help: \(withArticle(value.typeName)) is not a function; try help(\"name\") or help(f)"
    }
  }

  /// An object's (or a record's) fields: each method's signature (the first
  /// line of its help), each other field's kind.
  static func members(of value: Value, typeName: String, _ fields: Record, rt: Runtime) -> String {
    var lines = ["\(typeName) with:"]
    for name in fields.keys where !name.hasPrefix("_") {
      guard let field = fields[name] else { continue }
      if case .function = field {
        // `metaopt_fit(self, taskset, ...)` as the user calls it: `.fit(taskset, ...)`.
        let signature = text(for: field, rt: rt).prefix { $0 != "\n" }
        var parameters = signature.drop { $0 != "(" }
        if parameters.hasPrefix("(self, ") { parameters = "(" + parameters.dropFirst(7) }
        if parameters.hasPrefix("(self)") { parameters = "()" + parameters.dropFirst(6) }
        lines.append("  .\(name)\(parameters.isEmpty ? "(...)" : String(parameters))")
      } else {
        lines.append("  .\(name): \(field.typeName)")
      }
    }
    return lines.joined(separator: "\n")
  }

  /// The reference entry whose heading names `name` (`### \`name(...)\``, a method's
  /// `### \`t.name(...)\``, or one of several: `### \`zeros(...)\`, \`ones(...)\``), or nil.
  static func entry(named name: String) -> String? {
    for page in ReferencePages.order {
      guard let text = ReferencePages.pages[page] else { continue }
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      for (i, line) in lines.enumerated() where line.hasPrefix("### `") {
        guard let signature = headingSignatures(line).first(where: { calledName($0) == name })
        else { continue }
        var body = [Substring]()
        for next in lines[(i + 1)...] {
          if next.hasPrefix("#") { break }
          body.append(next)
        }
        let paragraph = body.drop { $0.isEmpty }.reversed().drop { $0.isEmpty }.reversed()
        return ([String(signature), ""] + paragraph.map(String.init)).joined(separator: "\n")
          + "\n(docs/\(page).md)"
      }
    }
    return nil
  }

  /// The name a heading's call documents: `name` for `name(...)` and `t.name(...)`.
  static func calledName(_ signature: Substring) -> Substring {
    let callee = signature.prefix { $0 != "(" }
    return callee.lastIndex(of: ".").map { callee[callee.index(after: $0)...] } ?? callee
  }

  /// The code spans of a `### ` heading that are calls: `name(...)`.
  static func headingSignatures(_ line: Substring) -> [Substring] {
    line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
      .filter { $0.offset % 2 == 1 && $0.element.contains("(") }.map(\.element)
  }

  /// A Meta function's signature (its `fn` line, to the body's `{`) and the
  /// comment block above it; the parameter names when the source is unknown.
  static func functionText(_ proto: FunctionProto, sources: [String: String]) -> String {
    let fallback = "\(proto.name)(\(proto.params.map(\.name).joined(separator: ", ")))"
    guard let loc = proto.declaration, let source = sources[proto.file],
      let (signature, doc) = declaration(in: source, line: loc.line, column: loc.column)
    else { return fallback }
    let origin = "(\(proto.file):\(loc.line))"
    return ([signature.isEmpty ? fallback : signature] + (doc.isEmpty ? [] : [""] + doc) + [origin])
      .joined(separator: "\n")
  }

  /// The `fn` declared at `line`:`column` of `source` (1-based): its signature, from
  /// after the `fn` keyword to the `{` opening the body on however many lines, spaces
  /// collapsed (`fn(...)` for an anonymous one); and its doc comment, the `#` lines
  /// right above without their markers. Nil when `line` is not in `source`.
  /// docs/stdlib.md is built with it too (StdlibReferenceTests).
  static func declaration(in source: String, line: Int, column: Int = 1) -> (signature: String, doc: [String])? {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    guard line >= 1, line <= lines.count else { return nil }
    var signature = "", depth = 0
    scan: for (n, text) in lines[(line - 1)...].enumerated() {
      let start = n == 0 ? text.index(text.startIndex, offsetBy: min(max(column - 1, 0), text.count)) : text.startIndex
      for c in text[start...] {
        if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if c == "{" && depth == 0 { break scan }
        signature.append(c)
      }
      signature.append(" ")
    }
    signature = signature.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    if signature.hasPrefix("fn ") { signature.removeFirst(3) }
    if signature.hasPrefix("fn(") { signature = "fn" + signature.dropFirst(2) }
    var doc = [String]()
    var i = line - 2
    while i >= 0, lines[i].trimmingPrefix(while: { $0 == " " }).hasPrefix("#") {
      let text = lines[i].trimmingPrefix(while: { $0 == " " }).dropFirst()
      doc.insert(String(text.hasPrefix(" ") ? text.dropFirst() : text), at: 0)
      i -= 1
    }
    return (signature, doc)
  }
}

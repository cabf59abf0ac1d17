// libFuzzer target: the template parser (WebHost/Templates/TemplateParser.swift).
// Checks: any text either compiles or throws a TemplateError (file and line for the developer).
@testable import WebHost

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var parser = TemplateParser(file: "fuzz.html")
    do {
        _ = try parser.parse(source)
    } catch {
        precondition(error is TemplateError, "parse threw \(type(of: error))")
    }
    return 0
}

// libFuzzer target: the SMTP reply reader (NotifySMTP/SMTPReply.swift).
// Input: byte 0 picks the size of the pieces the rest is fed in (1…64 bytes); the rest is what a server sent.
// Checks: fed whole or in pieces the same replies come out and it ends the same way; every reply has a
// code 200…599 and stays within the line limits; errors are NotifyError.
@testable import NotifySMTP
import PoolKernel

private func run(_ stream: ArraySlice<UInt8>, pieceSize: Int) -> [String] {
    var parser = SMTPReplyParser()
    var outcome: [String] = []
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + pieceSize, stream.endIndex)
        parser.append(stream[offset..<end])
        offset = end
        do {
            while let reply = try parser.nextReply() {
                precondition((200...599).contains(reply.code), "code \(reply.code)")
                precondition(!reply.lines.isEmpty && reply.lines.count <= SMTPReplyParser.maxLines)
                precondition(reply.lines.allSatisfy { $0.utf8.count <= SMTPReplyParser.maxLineLength * 3 })
                precondition(reply.summary.utf8.count <= 300)
                outcome.append("\(reply.code) \(reply.lines)")
            }
        } catch {
            return outcome + ["error"]
        }
    }
    return outcome + [parser.hasPartialInput ? "partial" : "idle"]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let stream = Array(input)[1...]
    let whole = run(stream, pieceSize: max(stream.count, 1))
    let pieces = run(stream, pieceSize: Int(first % 64) + 1)
    precondition(whole == pieces, "split-dependent result:\n\(whole)\n\(pieces)")
    return 0
}

import Foundation
import HostKit
import PoolKernel

/// `poolctl mail status|retry|test`: look at the durable outbox, put failed mail back in the queue, or send a
/// test mail straight through the configured mail plugin (not the outbox, so the answer is immediate).
///
/// Library functions so the host wires argv and config and tests call them directly:
/// - `status`: counts per state, then the queued/sending and failed messages (id, recipient, attempts, next
///   attempt, last error). Message bodies are never printed (they hold tokens).
/// - `retry <id>…` or `retry --failed`: failed (or still queued) messages become due now; the running
///   service picks them up at its next poll. Delivered messages are never re-sent; a message being sent is left
///   alone.
/// - `test <address>`: one message through the mail plugin; prints what the plugin answered.
/// Exit codes: 0 done, 1 storage trouble, a message that cannot be retried or a test mail the plugin refused,
/// 2 bad usage.
public enum MailCommand {
    public static let usage = "mail status | mail retry <id>... | mail retry --failed | mail test <address>"
    /// Most messages listed per state by `status`.
    public static let listLimit = 50
    /// Counting stops here (`100000+`): the outbox keeps delivered rows.
    static let countLimit = 100_000

    /// Runs `mail <subcommand> …`.
    public static func run(_ arguments: [String], storage: any StorageBackend, output: HostOutput,
                           now: Int64 = Int64(Date().timeIntervalSince1970)) async -> Int32 {
        switch arguments.first {
        case "status" where arguments.count == 1:
            return await status(storage: storage, output: output, now: now)
        case "retry" where arguments.count > 1:
            return await retry(Array(arguments.dropFirst()), storage: storage, output: output, now: now)
        default:
            output.err("poolctl: usage: poolctl \(usage)")
            return ExitCode.usage
        }
    }

    /// Sends one test message to `address` through `mailer` (the configured plugin).
    public static func test(address: String, mailer: any NotificationBackend, sender: String, output: HostOutput,
                            now: Date = Date()) async -> Int32 {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0.isNewline }) else {
            output.err("poolctl: \"\(Self.printable(address))\" is not an email address (usage: poolctl mail test <address>)")
            return ExitCode.usage
        }
        let message = MailMessage(
            to: trimmed, from: sender, subject: "hxstakepool test mail",
            body: "This is a test mail from poolctl mail test, sent through the \(mailer.name) mail plugin at "
                + "\(ISO8601DateFormatter().string(from: now)).\nIf you can read it, the pool can mail its users and you.\n",
            messageID: MailMessage.makeMessageID(from: sender), date: now)
        do {
            try await mailer.send(message)
        } catch {
            output.err("poolctl: the \(mailer.name) mail plugin could not send the test mail to \(trimmed): \(ConfigLoader.describe(error))")
            return ExitCode.failure
        }
        output.out("test mail to \(trimmed) accepted by the \(mailer.name) mail plugin"
                   + (mailer.name == "log" ? " (mail=log writes it to the log; set smtphost to send real mail)" : ""))
        return ExitCode.ok
    }

    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(120).map { (0x20..<0x7F).contains($0.value) ? $0 : "?" }))
    }

    /// Prints the outbox summary and the messages that are not delivered.
    public static func status(storage: any StorageBackend, output: HostOutput,
                              now: Int64 = Int64(Date().timeIntervalSince1970)) async -> Int32 {
        let states: [OutboxMessage.Status] = [.queued, .sending, .delivered, .failed]
        let snapshot: [OutboxMessage.Status: [OutboxMessage]]
        do {
            snapshot = try await storage.read { reader in
                var rows: [OutboxMessage.Status: [OutboxMessage]] = [:]
                for state in states {
                    rows[state] = try reader.outboxMessages(status: state, limit: countLimit)
                }
                return rows
            }
        } catch {
            output.err("poolctl: cannot read the mail outbox: \(error)")
            return ExitCode.failure
        }
        let counts = states.map { state -> String in
            let count = snapshot[state]?.count ?? 0
            return "\(count)\(count >= countLimit ? "+" : "") \(state)"
        }
        output.out("outbox: " + counts.joined(separator: ", "))
        let pending = (snapshot[.queued] ?? []) + (snapshot[.sending] ?? [])
        if !pending.isEmpty {
            output.out("waiting:")
            for message in pending.sorted(by: { $0.id < $1.id }).prefix(listLimit) {
                output.out("  " + describe(message, now: now))
            }
            if pending.count > listLimit { output.out("  … \(pending.count - listLimit) more") }
        }
        let failed = snapshot[.failed] ?? []
        if !failed.isEmpty {
            output.out("failed:")
            for message in failed.suffix(listLimit) { output.out("  " + describe(message, now: now)) }
            if failed.count > listLimit { output.out("  … \(failed.count - listLimit) older not shown") }
        }
        return ExitCode.ok
    }

    /// Makes the given messages (ids, or every failed one with `--failed`) due now.
    public static func retry(_ arguments: [String], storage: any StorageBackend, output: HostOutput,
                             now: Int64 = Int64(Date().timeIntervalSince1970)) async -> Int32 {
        var ids: [Int64] = []
        var allFailed = false
        for argument in arguments {
            if argument == "--failed" {
                allFailed = true
            } else if let id = Int64(argument), id > 0 {
                ids.append(id)
            } else {
                output.err("poolctl: mail retry: \"\(argument)\" is not a message id (usage: poolctl \(usage))")
                return ExitCode.usage
            }
        }
        let outcome: [(Int64, String?)]
        do {
            let requested = ids, includeFailed = allFailed
            outcome = try await storage.write { tx in
                var targets = requested
                if includeFailed { targets += try tx.outboxMessages(status: .failed, limit: countLimit).map(\.id) }
                var results: [(Int64, String?)] = []
                for id in targets {
                    guard let message = try tx.outboxMessage(id: id) else {
                        results.append((id, "no such message"))
                        continue
                    }
                    switch message.status {
                    case .failed, .queued:
                        try tx.scheduleMailRetry(id: id, at: now, error: message.lastError)
                        results.append((id, nil))
                    case .delivered:
                        results.append((id, "already delivered (never sent twice)"))
                    default:
                        results.append((id, "being sent right now"))
                    }
                }
                return results
            }
        } catch {
            output.err("poolctl: cannot update the mail outbox: \(error)")
            return ExitCode.failure
        }
        if outcome.isEmpty { output.out("no failed mail to retry") }
        var status = ExitCode.ok
        for (id, problem) in outcome {
            if let problem {
                output.err("poolctl: mail #\(id): \(problem)")
                status = ExitCode.failure
            } else {
                output.out("mail #\(id) queued for delivery now")
            }
        }
        return status
    }

    static func describe(_ message: OutboxMessage, now: Int64) -> String {
        var text = "#\(message.id) to \(message.to) \"\(message.subject)\" \(message.status), attempts \(message.attempts)"
        if message.status == .queued || message.status == .sending {
            let wait = message.nextAttemptAt - now
            text += wait > 0 ? ", next attempt in \(wait)s" : ", due now"
        }
        if !message.lastError.isEmpty { text += ", last error: \(message.lastError)" }
        return text
    }
}

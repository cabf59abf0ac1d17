import PoolKernel

/// The SQLite plugin's automatic backup options: `backupinterval` and `backupcount`, read by the
/// web app (`OnlineBackupService`), which writes `<datadir>/backups/backup-<time>.sqlite`.
extension SQLiteStoragePlugin {
    public static let backupOptions: [OptionSpec] = [
        OptionSpec("backupinterval", .string, default: "3m", help: "With storage=sqlite, read by the web app only: how often it writes an online backup of the database to <datadir>/backups, and once more when it stops (Go duration: 90s, 3m, 1h; 0: off)"),
        OptionSpec("backupcount", .int, default: "10", help: "With storage=sqlite, read by the web app only: how many backup files it keeps in <datadir>/backups (1-1000)"),
    ]

    /// The schedule the options ask for, nil when `backupinterval` is 0. Mistakes name the option and line.
    static func backupSchedule(_ context: PluginContext) throws -> OnlineBackupSchedule? {
        let v = context.values
        let text = v.string("backupinterval")
        guard let seconds = parseDuration(text) else {
            throw ConfigError(.badValue, OptionChecks.prefix(v.source("backupinterval"))
                + "backupinterval must be a duration such as 90s, 3m or 1h (0: off), not \"\(text)\"")
        }
        let count = v.int("backupcount")
        guard (1...1000).contains(count) else {
            throw ConfigError(.badValue, OptionChecks.prefix(v.source("backupcount")) + "backupcount must be between 1 and 1000")
        }
        if seconds == 0 { return nil }
        return OnlineBackupSchedule(directory: context.dataDir + "/backups", interval: .seconds(seconds), keep: count,
                                    fileExtension: "sqlite")
    }

    /// Whole seconds of `0` or of one or more `<number><unit>` with units h, m, s (`1h30m`); nil otherwise.
    static func parseDuration(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var total: Int64 = 0, number = "", sawUnit = false
        for character in text {
            if character.isASCII && character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int64(number), number.count <= 9 else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}

/// Renders a commented sample config file from an option table, so the shipped sample can never fall
/// out of step with the options the program accepts (a test compares them).
public enum SampleConfig {
    public static func render(_ specs: [OptionSpec], title: String, overrides: [String: String] = [:]) -> String {
        var lines = ["; \(title)", ";", "; Every option, with its default. Remove the leading ';' to set one.",
                     "; Lists are comma-separated; a repeated key adds more items.", "", "[Application Options]", ""]
        for spec in specs where !spec.commandLineOnly {
            lines.append(contentsOf: wrap(spec.help).map { "; " + $0 })
            if let value = overrides[spec.name] {
                lines.append("\(spec.name)=\(value)")
            } else {
                lines.append(";\(spec.name)=\(spec.isSecret ? "" : (spec.defaultValue ?? ""))")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private static func wrap(_ text: String, width: Int = 100) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

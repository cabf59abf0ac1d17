/// Go's `%v` for a float64 (shortest digits; `%e` form when the exponent is < -4 or ≥ max(6, digits)…
/// precisely strconv's 'g' with precision -1), as the stats page of v1.1.1 prints numbers.
enum GoFloatFormat {
    static func v(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest round-trip representation; take its digits and exponent.
        var text = "\(abs(value))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integer + fraction
        var decimalPoint = integer.count + exponent
        // Normalise: strip leading zeros (moving the point) and trailing zeros.
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let count = digits.count
        var eprec = 6
        if eprec > count && count >= decimalPoint { eprec = count }
        let exp = decimalPoint - 1
        let sign = value < 0 ? "-" : ""
        if exp < -4 || exp >= eprec {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            let mantissa = rest.isEmpty ? String(first) : "\(first).\(rest)"
            let expSign = exp < 0 ? "-" : "+"
            let magnitude = abs(exp)
            return "\(sign)\(mantissa)e\(expSign)\(magnitude < 10 ? "0" : "")\(magnitude)"
        }
        if decimalPoint <= 0 { return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits }
        if decimalPoint >= count { return sign + digits + String(repeating: "0", count: decimalPoint - count) }
        let index = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return sign + digits[..<index] + "." + digits[index...]
    }
}

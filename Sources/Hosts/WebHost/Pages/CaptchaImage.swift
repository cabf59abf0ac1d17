import Foundation
import PoolKernel

/// Draws a captcha answer (digits) as a PNG: a 5×7 font scaled up, each digit shifted and waved, with noise
/// dots and lines, so the text is readable by people but not a trivial OCR job.
enum CaptchaImage {
    static let width = 180
    static let height = 64

    /// 5×7 glyphs, one string per row, `#` = ink.
    private static let glyphs: [Character: [String]] = [
        "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        "3": ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        "6": ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        "9": [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
    ]

    static func png(for answer: String) -> [UInt8] {
        var pixels = [UInt8](repeating: 245, count: width * height)
        func plot(_ x: Int, _ y: Int, _ level: UInt8) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            pixels[y * width + x] = level
        }
        // Background noise.
        for _ in 0..<(width * height / 12) {
            plot(Int(SecureRandom.uniform(UInt32(width))), Int(SecureRandom.uniform(UInt32(height))),
                 UInt8(150 + SecureRandom.uniform(80)))
        }
        let scale = 4
        let phase = Double(SecureRandom.uniform(628)) / 100
        let amplitude = 2 + Double(SecureRandom.uniform(3))
        for (index, digit) in answer.enumerated() {
            guard let rows = glyphs[digit] else { continue }
            let originX = 12 + index * 32 + Int(SecureRandom.uniform(7))
            let originY = 10 + Int(SecureRandom.uniform(12))
            let slant = Double(Int(SecureRandom.uniform(5)) - 2) / 10
            for (row, line) in rows.enumerated() {
                for (column, cell) in line.enumerated() where cell == "#" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let y = originY + row * scale + dy
                            let wave = amplitude * sin(Double(originX + column * scale + dx) / 9 + phase)
                            let x = originX + column * scale + dx + Int(slant * Double(y - originY))
                            plot(x, y + Int(wave), 30)
                        }
                    }
                }
            }
        }
        // Strike-through lines, thin and lighter than the ink, so they cannot close or join a glyph's strokes.
        for _ in 0..<3 {
            var y = Double(SecureRandom.uniform(UInt32(height)))
            let slope = (Double(SecureRandom.uniform(41)) - 20) / 60
            for x in 0..<width {
                plot(x, Int(y), 150)
                y += slope
            }
        }
        return PNGEncoder.grayscale(width: width, height: height, pixels: pixels)
    }
}

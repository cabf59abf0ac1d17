import Foundation

/// Distinct redeem scripts as bytes, back to back in one buffer, with an open-addressing index over them.
///
/// The start-up sync compares every user's script with every wallet's `listscripts`: a million users. As hex
/// `String`s in `Set`s that cost ~1.9 KB a user at its peak; here a 71-byte script costs its bytes plus ~16 bytes
/// of index. Scripts are compared by their bytes, so hex of either letter case is the same script, and a script
/// given twice is kept once. Indices (0..<count) are in insertion order and stable.
public struct ScriptSet: Sendable {
    /// Every script's bytes, back to back; script `i` ends at `ends[i]` and starts where `i - 1` ends.
    private var storage: [UInt8] = []
    private var ends: [Int] = []
    /// Open addressing, linear probing: 0 is an empty slot, otherwise a script's index + 1. A power of two long.
    private var slots: [Int32] = Array(repeating: 0, count: 16)
    /// One random seed per set (Hasher is seeded per process), so a user choosing a script cannot aim at a slot.
    private let seed = Int.random(in: .min ... .max)

    public init() {}

    /// An empty set with room for about `scripts` scripts of `bytes` bytes in all, so a million scripts are not
    /// copied over and over while the buffers double (each doubling held the old and the new buffer at once).
    /// Room never written is only address space: an estimate from above costs no memory.
    public init(reservingScripts scripts: Int, bytes: Int) {
        storage.reserveCapacity(bytes)
        ends.reserveCapacity(scripts)
    }

    /// Scripts held.
    public var count: Int { ends.count }

    /// Adds `bytes` unless the set holds them already; the script's index either way.
    @discardableResult
    public mutating func insert(_ bytes: some Collection<UInt8>) -> (inserted: Bool, index: Int) {
        storage.append(contentsOf: bytes)
        return keepAppended()
    }

    /// Adds the script written as hex (either case), or nil (the set unchanged) when `hex` is not hex.
    @discardableResult
    public mutating func insert(hex: UnsafeBufferPointer<UInt8>) -> (inserted: Bool, index: Int)? {
        guard hex.count % 2 == 0 else { return nil }
        let start = storage.count // (no reserveCapacity: it grows to exactly that, a copy of everything per script)
        var index = 0
        while index < hex.count {
            guard let high = Hex.nibble(hex[index]), let low = Hex.nibble(hex[index + 1]) else {
                storage.removeSubrange(start...)
                return nil
            }
            storage.append(high << 4 | low)
            index += 2
        }
        return keepAppended()
    }

    /// `insert(hex:)` for a string.
    @discardableResult
    public mutating func insert(hex: String) -> (inserted: Bool, index: Int)? {
        var hex = hex
        return hex.withUTF8 { insert(hex: $0) }
    }

    /// The index of `bytes`, or nil.
    public func index(of bytes: some Collection<UInt8>) -> Int? {
        let probe = Array(bytes)
        return probe.withUnsafeBufferPointer { find($0).found }
    }

    public func contains(_ bytes: some Collection<UInt8>) -> Bool { index(of: bytes) != nil }

    /// The bytes of script `index`.
    public subscript(index: Int) -> ArraySlice<UInt8> { storage[range(index)] }

    /// Script `index` as lowercase hex (what the wallets are sent).
    public func hex(_ index: Int) -> String { Hex.encode(self[index]) }

    /// Whether script `a` sorts before script `b` byte by byte: the order of their lowercase hex.
    public func precedes(_ a: Int, _ b: Int) -> Bool { self[a].lexicographicallyPrecedes(self[b]) }

    // MARK: - Index

    private func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

    /// Keeps the script just appended to `storage` as a new entry, or drops it again when it is held already.
    private mutating func keepAppended() -> (inserted: Bool, index: Int) {
        let start = ends.last ?? 0
        let (found, slot) = storage.withUnsafeBufferPointer { find(UnsafeBufferPointer(rebasing: $0[start...])) }
        if let found {
            storage.removeSubrange(start...)
            return (false, found)
        }
        ends.append(storage.count)
        slots[slot] = Int32(ends.count)
        if ends.count * 2 > slots.count { grow() }
        return (true, ends.count - 1)
    }

    /// The index holding `bytes`, or nil and the empty slot where they belong.
    private func find(_ bytes: UnsafeBufferPointer<UInt8>) -> (found: Int?, slot: Int) {
        let mask = slots.count - 1
        var slot = hash(bytes) & mask
        return storage.withUnsafeBufferPointer { all in
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return (nil, slot) }
                let held = range(entry - 1)
                if held.count == bytes.count, memoryEqual(UnsafeBufferPointer(rebasing: all[held]), bytes) {
                    return (entry - 1, slot)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private mutating func grow() {
        var larger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = larger.count - 1
        storage.withUnsafeBufferPointer { all in
            for index in ends.indices {
                var slot = hash(UnsafeBufferPointer(rebasing: all[range(index)])) & mask
                while larger[slot] != 0 { slot = (slot + 1) & mask }
                larger[slot] = Int32(index + 1)
            }
        }
        slots = larger
    }

    private func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(seed)
        hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        return hasher.finalize()
    }

    /// Same length already checked.
    private func memoryEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }
}

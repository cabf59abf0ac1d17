import Foundation
import PoolKernel
import XCTest

/// Agendas per (network, vote version) read from the shared `netparams.json` vectors (dcrd chaincfg).
enum NetParamsAgendas {
    static func vectorsDirectory() -> URL {
        if let dir = ProcessInfo.processInfo.environment["POOL_VECTORS_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        // Tests/VotePoliciesTests/<this file> → repo root → ../shared/vectors
        let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
    }

    /// network → vote version → agendas.
    static func load() throws -> [String: [UInt32: [VoteRules.Agenda]]] {
        let url = vectorsDirectory().appendingPathComponent("netparams.json")
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let vectors = root["vectors"] as? [[String: Any]] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "netparams.json has an unexpected shape"])
        }
        var result: [String: [UInt32: [VoteRules.Agenda]]] = [:]
        for vector in vectors {
            guard let network = vector["network"] as? String,
                  let deployments = vector["deployments"] as? [String: [[String: Any]]] else { continue }
            var byVersion: [UInt32: [VoteRules.Agenda]] = [:]
            for (version, agendas) in deployments {
                guard let v = UInt32(version) else { continue }
                byVersion[v] = agendas.map { agenda in
                    let choices = (agenda["choices"] as? [[String: Any]] ?? []).map { choice in
                        VoteRules.Choice(id: choice["id"] as? String ?? "",
                                         bits: UInt16((choice["bits"] as? Int) ?? 0),
                                         isAbstain: choice["is_abstain"] as? Bool ?? false,
                                         isNo: choice["is_no"] as? Bool ?? false)
                    }
                    return VoteRules.Agenda(id: agenda["vote_id"] as? String ?? "",
                                            mask: UInt16((agenda["mask"] as? Int) ?? 0), choices: choices)
                }
            }
            result[network] = byVersion
        }
        return result
    }
}

import PoolKernel

/// The dashboard's aggregates (counts over the users table, the vote audit's recent records, mail counts, the hourly
/// history and its charts, stake info, the wallets' last probe), worked out by one request and served to every
/// request for `maxAge` seconds, so a dashboard request costs a copy and a render however large the pool is.
///
/// One computation at a time: requests that find the figures stale while another request is computing them wait
/// for that result instead of starting their own. A failed computation is not kept (the next request tries again).
/// The page shows the figures' age.
final class DashboardFiguresCache: Sendable {
    struct Figures: Sendable {
        var data: [String: TemplateValue]
        /// Unix seconds (the pages' clock) when they were worked out.
        var computedAt: Int64
    }

    private struct State: Sendable {
        var figures: Figures?
        var computing: Task<Figures, any Error>?
        /// Bumped by `invalidate()`: a computation started before it is not kept.
        var generation = 0
    }

    let maxAge: Int64
    private let state = LockedValue(State())

    init(maxAge: Int64) { self.maxAge = maxAge }

    /// The figures if younger than `maxAge` at `now`, else fresh ones from `compute` (shared with concurrent callers).
    func figures(now: Int64, compute: @escaping @Sendable () async throws -> [String: TemplateValue]) async throws -> Figures {
        enum Step { case ready(Figures), wait(Task<Figures, any Error>, generation: Int) }
        let step = state.withLock { state -> Step in
            if let figures = state.figures, now >= figures.computedAt, now - figures.computedAt < maxAge {
                return .ready(figures)
            }
            if let computing = state.computing { return .wait(computing, generation: state.generation) }
            let computing = Task { Figures(data: try await compute(), computedAt: now) }
            state.computing = computing
            return .wait(computing, generation: state.generation)
        }
        switch step {
        case .ready(let figures): return figures
        case .wait(let task, let generation): return try await settle(task, generation: generation)
        }
    }

    /// Waits for a computation; the first waiter to see it end keeps its result (unless invalidated meanwhile).
    private func settle(_ task: Task<Figures, any Error>, generation: Int) async throws -> Figures {
        do {
            let figures = try await task.value
            state.withLock { state in
                if state.computing == task { state.computing = nil }
                if state.generation == generation, figures.computedAt >= state.figures?.computedAt ?? .min {
                    state.figures = figures
                }
            }
            return figures
        } catch {
            state.withLock { state in if state.computing == task { state.computing = nil } }
            throw error
        }
    }

    /// Forgets the figures (the operator just changed something the page shows).
    func invalidate() {
        state.withLock { state in
            state.figures = nil
            state.computing = nil
            state.generation += 1
        }
    }
}

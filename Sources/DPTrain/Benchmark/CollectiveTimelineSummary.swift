/// Where each rank's step time goes around the collectives, from every rank's
/// ``CollectiveTimeline`` events (event i of every rank is the same call).
///
/// For call i with entry times e_r and exit times x_r, the last rank arrives at E = max_r e_r:
///
///     wait_r  = E − e_r          (rank r idle, waiting for the last rank to arrive)
///     inside_r = x_r − E         (the collective itself once every rank is in it)
///     work_r  = e_r − x_r(i−1)   (everything between two collectives: compute, optimizer, data)
///
/// summed per kind of call and divided by the steps. A rank that arrives last far more often
/// than 1/W of the time lags systematically (extra work of its own); near 1/W, the lag is noise.
public struct CollectiveTimelineSummary: Equatable, Sendable {
    /// Seconds per step of one rank and one kind of call.
    public struct Cell: Equatable, Sendable {
        /// Σ wait_r / steps.
        public var wait = 0.0
        /// Σ inside_r / steps.
        public var inside = 0.0
        /// Calls of this kind at which this rank arrived last (ties count for every tied rank).
        public var lastArrivals = 0
        /// Calls of this kind.
        public var calls = 0
    }

    /// Ranks.
    public var worldSize: Int
    /// Steps the events span.
    public var steps: Int
    /// `cells[rank][kind.rawValue]`.
    public var cells: [[Cell]]
    /// Per rank: Σ work_r / steps (time outside every collective).
    public var work: [Double]
    /// Spread of the entry times max_r e_r − min_r e_r at the gradient's collective (all-reduce
    /// or reduce-scatter), seconds: median and 90th percentile over the steps.
    public var gradientSkewMedian: Double
    public var gradientSkewP90: Double

    /// Lines up `events[rank]` (the same number of calls on every rank) over `steps` steps.
    public init?(events: [[CollectiveTimeline.Event]], steps: Int) {
        guard let count = events.first?.count, count > 0, steps > 0, events.allSatisfy({ $0.count == count }) else {
            return nil
        }
        let ranks = events.count
        worldSize = ranks
        self.steps = steps
        let kinds = CollectiveTimeline.Kind.allCases.count
        var cells = [[Cell]](repeating: [Cell](repeating: Cell(), count: kinds), count: ranks)
        var work = [Double](repeating: 0, count: ranks)
        var skews: [Double] = []
        for index in 0..<count {
            let kind = events[0][index].kind
            let entries = events.map { $0[index].enter }
            let last = entries.max()!
            for rank in 0..<ranks {
                let event = events[rank][index]
                cells[rank][kind.rawValue].wait += last - event.enter
                cells[rank][kind.rawValue].inside += event.leave - last
                cells[rank][kind.rawValue].calls += 1
                if event.enter == last { cells[rank][kind.rawValue].lastArrivals += 1 }
                if index > 0 { work[rank] += event.enter - events[rank][index - 1].leave }
            }
            if kind == .allReduce || kind == .reduceScatter { skews.append(last - entries.min()!) }
        }
        let perStep = 1 / Double(steps)
        self.cells = cells.map { $0.map { Cell(wait: $0.wait * perStep, inside: $0.inside * perStep,
                                                lastArrivals: $0.lastArrivals, calls: $0.calls) } }
        self.work = work.map { $0 * perStep }
        skews.sort()
        gradientSkewMedian = skews.isEmpty ? 0 : skews[skews.count / 2]
        gradientSkewP90 = skews.isEmpty ? 0 : skews[min(skews.count - 1, skews.count * 9 / 10)]
    }

    /// Per rank: Σ over kinds of ``Cell/wait`` (seconds per step idle in collectives).
    public var waitPerRank: [Double] { cells.map { $0.reduce(0) { $0 + $1.wait } } }
}

extension StudyReport {
    /// The override paths of the two axes of a batch × learning-rate grid, the study shape the
    /// report analyses further (best LR per batch size, heatmap).
    enum GridPath: String {
        /// The global batch B.
        case batch = "batch.global"
        /// The peak learning rate.
        case learningRate = "optimizer.lr"
    }

    /// The study's grid axis over `path`, if it has one.
    func axis(_ path: GridPath) -> Study.GridAxis? {
        study.grid.first { $0.path == path.rawValue }
    }

    /// A variant's value (as written) on the grid axis `path` (nil for listed variants).
    func coordinate(_ path: GridPath, of variant: Study.Variant) -> String? {
        variant.coordinates[path.rawValue]
    }
}

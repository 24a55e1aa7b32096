extension DataError {
    /// A label outside `0 ..< classes`, naming the file, the sample and the valid range, and
    /// saying both ways out: fix the label, or — when the data really has more classes — widen
    /// the model's last layer (the class count of a file's run is the model's output width).
    ///
    /// - Parameters:
    ///   - file: the labels file.
    ///   - position: where the label is (byte, line and column, or archive member).
    ///   - sample: the 0-based index of the sample ("index 3" is the fourth sample).
    ///   - label: the label found.
    ///   - classes: the number of classes; valid labels are `0 ..< classes`.
    ///   - largest: the largest label in the file (for the "widen the last layer" advice).
    static func labelOutOfRange(file: String, position: Position, sample: Int, label: Int, classes: Int,
                                largest: Int) -> DataError {
        let widen = largest >= classes
            ? " — or, if the data really has \(largest + 1) classes, end model.layers with {dense: \(largest + 1)}"
            : ""
        return DataError(.badLabel, file: file, position: position,
                         problem: "label \(label) at index \(sample) is outside 0..<\(classes)",
                         expected: "a class index below \(classes), the number of classes the model outputs",
                         found: "\(label)",
                         hint: "fix the label in the file\(widen)")
    }
}

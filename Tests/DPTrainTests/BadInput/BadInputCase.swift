/// One bad input: the command, and what its one error message must say.
///
/// Placeholders in `arguments`: `{D}/` the fixture directory, `{RUN}` the finished run,
/// `{PARTIAL}` the partial run, `{NEW}` a path that does not exist yet (fresh per case).
/// The same placeholders may appear in `expected`.
struct BadInputCase: CustomStringConvertible, Sendable {
    /// What runs: the `dptrain` binary, or a launcher script under `launch/`.
    enum Program: Sendable {
        case dptrain
        case launcher(String)
    }

    var name: String
    var program: Program
    var arguments: [String]
    /// Substrings of the one error line (stderr).
    var expected: [String]
    var description: String { name }

    /// A `dptrain` case.
    init(_ name: String, _ arguments: [String], expect expected: [String]) {
        (self.name, self.program, self.arguments, self.expected) = (name, .dptrain, arguments, expected)
    }

    /// A launcher case (`launch/<script> arguments`).
    init(_ name: String, launcher script: String, _ arguments: [String], expect expected: [String]) {
        (self.name, self.program, self.arguments, self.expected) = (name, .launcher(script), arguments, expected)
    }
}

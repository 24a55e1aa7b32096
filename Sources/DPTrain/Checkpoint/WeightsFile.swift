import Foundation

/// Model parameters from either kind of file dptrain writes: a safetensors file
/// (`final.safetensors`, an `export`) or a checkpoint (`checkpoints/step-….ckpt`, whose
/// current parameters are taken; its optimizer state and best weights are ignored).
public enum WeightsFile {
    /// The parameter tensors of the file at `path`, recognised by its first bytes (not its
    /// name); throws ``CheckpointError`` or ``SafeTensorsError`` naming the file and the problem.
    public static func read(_ path: String) throws -> SafeTensors {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError.unreadable(file: path, reason: FileReadProblem.describe(path, error: error))
        }
        guard FileSignature.of(data) == .checkpoint else { return try SafeTensors.parse(data, file: path) }
        let checkpoint = try Checkpoint.parse(data, file: path)
        var tensors: [SafeTensors.Tensor] = []
        var start = 0
        for entry in checkpoint.header.tensors {
            let size = entry.shape.reduce(1, *)
            tensors.append(.init(name: entry.name, shape: entry.shape, values: Array(checkpoint.payload[start ..< start + size])))
            start += size
        }
        return SafeTensors(tensors: tensors, metadata: ["step": String(checkpoint.header.state.step)])
    }
}

import DPTrain
import Foundation

/// Study files and fake run directories for the study and report tests.
enum StudyTestSupport {
    /// A fresh temporary directory.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `directory/name` and returns its path.
    @discardableResult
    static func write(_ text: String, to directory: URL, _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A study parsed from YAML text as if read from `directory/study.yaml`.
    static func study(_ yaml: String, in directory: URL) throws -> Study {
        try Study(try ConfigValue.parse(yaml: yaml, file: directory.appendingPathComponent("study.yaml").path),
                  file: directory.appendingPathComponent("study.yaml").path)
    }

    /// Records parsed from JSON lines.
    static func records(_ lines: [String]) throws -> [MetricRecord] {
        try lines.map { try MetricRecord.parse(jsonLine: $0) }
    }

    /// The fixture of the report tests: study `fixture` with variants `small` and `large`,
    /// seeds 1 and 2, and three run directories with hand-written metrics (large-s2 is
    /// missing). Returns the study.
    static func writeFixtureStudy(in directory: URL) throws -> Study {
        let yaml = """
            base: base.yaml
            output: \(directory.appendingPathComponent("out").path)
            variants:
              - {name: small, overrides: ["batch.global=64"]}
              - {name: large, overrides: ["batch.global=128"]}
            seeds: [1, 2]
            claims:
              - {variant: large, reference: small, tolerance: 0.005, text: "large batches are as good"}
            """
        try write(yaml, to: directory, "study.yaml")
        let out = directory.appendingPathComponent("out")
        // small-s1: final 0.85, best 0.86 (epoch 2), 40 updates, 2560 samples, 10 s.
        try write("""
            {"kind":"step","step":10,"samples":640,"epoch":0.5,"lr":0.1,"batch":64,"accumulation":1,"world":1,"train_loss":0.9,"noise_scale":3.0,"b_simple":40}
            {"kind":"eval","step":20,"samples":1280,"epoch":1,"lr":0.1,"batch":64,"test_loss":0.5,"test_accuracy":0.80,"wall_seconds":5}
            {"kind":"step","step":30,"samples":1920,"epoch":1.5,"lr":0.1,"batch":64,"accumulation":1,"world":1,"train_loss":0.5,"noise_scale":3.0,"b_simple":60}
            {"kind":"eval","step":40,"samples":2560,"epoch":2,"lr":0.1,"batch":64,"test_loss":0.4,"test_accuracy":0.86,"wall_seconds":9}
            {"kind":"summary","step":40,"samples":2560,"epoch":2,"lr":0.1,"batch":64,"test_loss":0.41,"test_accuracy":0.85,"wall_seconds":10}

            """, to: out, "small-s1/metrics.jsonl")
        // small-s2: final 0.87, best 0.88, 40 updates, 2560 samples, 14 s.
        try write("""
            {"kind":"step","step":10,"samples":640,"epoch":0.5,"lr":0.1,"batch":64,"accumulation":1,"world":1,"train_loss":0.8,"noise_scale":3.0,"b_simple":50}
            {"kind":"eval","step":20,"samples":1280,"epoch":1,"lr":0.1,"batch":64,"test_loss":0.5,"test_accuracy":0.82,"wall_seconds":7}
            {"kind":"step","step":30,"samples":1920,"epoch":1.5,"lr":0.1,"batch":64,"accumulation":1,"world":1,"train_loss":0.4,"noise_scale":3.0,"b_simple":70}
            {"kind":"eval","step":40,"samples":2560,"epoch":2,"lr":0.1,"batch":64,"test_loss":0.4,"test_accuracy":0.88,"wall_seconds":13}
            {"kind":"summary","step":40,"samples":2560,"epoch":2,"lr":0.1,"batch":64,"test_loss":0.41,"test_accuracy":0.87,"wall_seconds":14}

            """, to: out, "small-s2/metrics.jsonl")
        // large-s1: final 0.75 = best, 20 updates, 2560 samples, 6 s.
        try write("""
            {"kind":"step","step":10,"samples":1280,"epoch":1,"lr":0.1,"batch":128,"accumulation":2,"world":1,"train_loss":1.1,"noise_scale":1.4,"b_simple":45}
            {"kind":"eval","step":10,"samples":1280,"epoch":1,"lr":0.1,"batch":128,"test_loss":0.7,"test_accuracy":0.70,"wall_seconds":3}
            {"kind":"eval","step":20,"samples":2560,"epoch":2,"lr":0.1,"batch":128,"test_loss":0.6,"test_accuracy":0.75,"wall_seconds":6}
            {"kind":"summary","step":20,"samples":2560,"epoch":2,"lr":0.1,"batch":128,"test_loss":0.6,"test_accuracy":0.75,"wall_seconds":6}

            """, to: out, "large-s1/metrics.jsonl")
        return try Study.load(file: directory.appendingPathComponent("study.yaml").path)
    }

    /// The spirals problem of the smoke config, small enough that a run takes well under a second.
    static let spiralsBase = """
        name: spirals
        seed: 1
        data: {dataset: spirals, samples: 512, test_samples: 256, noise: 0.05}
        model:
          input: [2]
          layers:
            - {dense: 16, activation: relu}
            - {dense: 2}
        loss: softmax_cross_entropy
        optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
        batch: {global: 32, micro: 16}
        lr_schedule: {name: cosine}
        train: {epochs: 2, eval_every: 1, log_every: 4, checkpoint: {every: 1, keep: 2}}
        """
}

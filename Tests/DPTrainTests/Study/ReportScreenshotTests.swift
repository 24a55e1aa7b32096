import DPTrain
import Foundation
import Testing

/// Renders a report with headless Chromium through launch/report-screenshot.
@Suite struct ReportScreenshotTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The repository root (this file is Tests/DPTrainTests/Study/ReportScreenshotTests.swift).
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed (apt-get install -y chromium); skipping the screenshot test"))
    func reportRendersToPNG() throws {
        let directory = try StudyTestSupport.temporaryDirectory("report-png")
        let study = try StudyTestSupport.writeFixtureStudy(in: directory)
        let files = try StudyReport(study: study).write()
        let png = directory.appendingPathComponent("report.png")
        let script = ReportScreenshotTests.repository.appendingPathComponent("launch/report-screenshot").path
        let result = try CommandRunner.run("/bin/bash", [script, files[0].path, png.path, "--height", "2400"], timeout: 150)
        #expect(result.status == 0, "report-screenshot failed:\n\(result.combined)")
        let data = try Data(contentsOf: png)
        #expect(data.count > 10_000, "PNG has only \(data.count) bytes")
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}

import DPTrain
import Testing

/// Numbers that come from a damaged file's header reach messages and summaries: formatting them
/// must not trap (found by the structure fuzzer: `inspect` on a checkpoint whose shapes multiply
/// past `Int.max` crashed in `Format.grouped`).
@Suite struct FormatLimitTests {
    @Test func groupedKeepsSeparatorsAndSurvivesHugeValues() {
        #expect(Format.grouped(26_104) == "26,104")
        #expect(Format.grouped(-1_234_567) == "-1,234,567")
        #expect(Format.grouped(5.9e20) == "5.9e+20")
        #expect(Format.grouped(-.infinity) == "-inf")
        #expect(Format.grouped(.nan) == "nan")
    }
}

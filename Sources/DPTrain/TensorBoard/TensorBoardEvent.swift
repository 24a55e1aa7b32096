/// One TensorBoard `Event` record: a file-version marker, a session start, or a summary of
/// scalar values.
///
/// Encodes the subset of `tensorflow/core/util/event.proto` and
/// `tensorflow/core/framework/summary.proto` that scalar logging needs:
///
/// ```proto
/// message Event   { double wall_time = 1; int64 step = 2;
///                   oneof what { string file_version = 3; Summary summary = 5;
///                                SessionLog session_log = 7; } }
/// message SessionLog { SessionStatus status = 1; }   // START = 1
/// message Summary { repeated Value value = 1; }
/// message Value   { string tag = 1; oneof value { float simple_value = 2; } }
/// ```
///
/// ``serialized`` always writes `wall_time` and `step` (even when zero) and then the payload;
/// every value's `simple_value` is written even when it is 0 (it is a `oneof` member, so its
/// presence is what marks the value as a scalar).
///
/// Example: `TensorBoardEvent(wallTime: 1, step: 2, summary: [("a", 1)]).serialized` is
/// `09 00 00 00 00 00 00 F0 3F  10 02  2A 0A 0A 08 0A 01 61 15 00 00 80 3F`.
public struct TensorBoardEvent: Sendable {
    /// What the event carries (`Event.what`).
    public enum Payload: Sendable {
        /// `file_version` (field 3), e.g. `"brain.Event:2"`.
        case fileVersion(String)
        /// `summary` (field 5) with one `Value { tag, simple_value }` per element, in order.
        case scalars([(tag: String, value: Float)])
        /// `session_log { status: START }` (field 7): the run (re)starts at this event's step.
        /// TensorBoard's reader then drops every point it has read so far at a step ≥ this
        /// one, on every tag — how a resumed run replaces the steps it replays (PyTorch's
        /// `SummaryWriter(purge_step:)` writes the same event).
        case sessionStart
    }

    /// `SessionLog.SessionStatus.START`.
    public static let sessionStatusStart: Int64 = 1

    /// The version string of event files this writer produces.
    public static let currentFileVersion = "brain.Event:2"

    /// Seconds since 1970-01-01 UTC (`Event.wall_time`, field 1).
    public var wallTime: Double
    /// The x coordinate TensorBoard plots against (`Event.step`, field 2).
    public var step: Int64
    /// The file version or the scalars.
    public var payload: Payload

    /// An event with an explicit payload.
    public init(wallTime: Double, step: Int64, payload: Payload) {
        self.wallTime = wallTime
        self.step = step
        self.payload = payload
    }

    /// A summary event holding `scalars` (tag, value) in order.
    public init(wallTime: Double, step: Int64, summary scalars: [(tag: String, value: Float)]) {
        self.init(wallTime: wallTime, step: step, payload: .scalars(scalars))
    }

    /// The protobuf encoding of the `Event` message (see the type's documentation).
    public var serialized: [UInt8] {
        var event = ProtobufEncoder()
        event.appendDouble(field: 1, wallTime)
        event.appendInt64(field: 2, step)
        switch payload {
        case let .fileVersion(version):
            event.appendString(field: 3, version)
        case let .scalars(scalars):
            var summary = ProtobufEncoder()
            for (tag, value) in scalars {
                var entry = ProtobufEncoder()
                entry.appendString(field: 1, tag)
                entry.appendFloat(field: 2, value)
                summary.appendMessage(field: 1, entry)
            }
            event.appendMessage(field: 5, summary)
        case .sessionStart:
            var sessionLog = ProtobufEncoder()
            sessionLog.appendInt64(field: 1, TensorBoardEvent.sessionStatusStart)
            event.appendMessage(field: 7, sessionLog)
        }
        return event.bytes
    }
}

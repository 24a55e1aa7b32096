import DPTrain
import Foundation
import Testing

/// Reference values for the event-file encoding: published CRC-32C check values, and bytes
/// derived by hand (each derivation is in a comment; the protobuf bytes were also confirmed
/// with `tensorboard.compat.proto.event_pb2.Event(...).SerializeToString()`).
@Suite("TensorBoard encoding")
struct TensorBoardEncodingTests {
    // MARK: - CRC-32C

    @Test func crc32cKnownVectors() {
        // The CRC catalogue's check value for CRC-32C (iSCSI).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 §B.4: 32 bytes of zeros, 32 bytes of 0xFF, 0x00…0x1F ascending.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        // The empty message: initial value XOR final value.
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func maskedCRC() {
        // crc = 0xE3069283
        // crc >> 15                  = 0x0001C60D
        // (crc & 0x7FFF) << 17       = 0x1283 << 17 = 0x25060000
        // rotated                    = 0x2507C60D
        // + 0xA282EAD8 (mod 2^32)    = 0xC78AB0E5
        // (TensorBoard's masked_crc32c(b"123456789") gives the same.)
        #expect(CRC32C.masked(0xE306_9283) == 0xC78A_B0E5)
        #expect(CRC32C.maskedChecksum(Array("123456789".utf8)) == 0xC78A_B0E5)
        // Wrap-around of the addition: masked(0) = 0 + 0xA282EAD8; masked(0xFFFFFFFF) =
        // 0xFFFFFFFF + 0xA282EAD8 = 0xA282EAD7 (mod 2^32).
        #expect(CRC32C.masked(0) == 0xA282_EAD8)
        #expect(CRC32C.masked(0xFFFF_FFFF) == 0xA282_EAD7)
    }

    // MARK: - Protobuf

    @Test func varints() {
        // 300 = 0b10_0101100 → low 7 bits 0101100 | 0x80 = 0xAC, then 0b10 = 0x02.
        var encoder = ProtobufEncoder()
        encoder.appendVarint(0)
        encoder.appendVarint(127)
        encoder.appendVarint(128)
        encoder.appendVarint(300)
        encoder.appendVarint(UInt64.max)
        #expect(encoder.bytes == [0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02]
            + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func summaryEventBytes() {
        // Event { wall_time: 1.5, step: 300, summary { value { tag: "a", simple_value: 1 }
        //                                               value { tag: "lr", simple_value: -2 } } }
        // wall_time: key (1 << 3 | 1) = 0x09; 1.5 = 0x3FF8000000000000, little-endian.
        // step:      key (2 << 3 | 0) = 0x10; varint 300 = AC 02.
        // value 1:   tag key (1 << 3 | 2) = 0x0A, length 1, "a" = 0x61;
        //            simple_value key (2 << 3 | 5) = 0x15, 1.0f = 0x3F800000 LE → 8 bytes.
        // value 2:   0A 02 "lr" (6C 72), 15, -2.0f = 0xC0000000 LE → 9 bytes.
        // summary:   0A 08 <value 1> 0A 09 <value 2> → 2 + 8 + 2 + 9 = 21 = 0x15 bytes.
        // event:     summary key (5 << 3 | 2) = 0x2A, length 0x15.
        let event = TensorBoardEvent(wallTime: 1.5, step: 300, summary: [("a", 1), ("lr", -2)])
        let expected: [UInt8] = [
            0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,
            0x10, 0xAC, 0x02,
            0x2A, 0x15,
            0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x80, 0x3F,
            0x0A, 0x09, 0x0A, 0x02, 0x6C, 0x72, 0x15, 0x00, 0x00, 0x00, 0xC0,
        ]
        #expect(event.serialized == expected)
    }

    @Test func fileVersionEventBytes() {
        // Event { wall_time: 1.5, step: -1, file_version: "brain.Event:2" }
        // step -1 is the 64-bit two's complement 0xFFFF_FFFF_FFFF_FFFF: nine 0xFF groups of
        // 7 bits (63 bits) and a final 0x01.
        // file_version: key (3 << 3 | 2) = 0x1A, length 13 = 0x0D, then the ASCII bytes.
        let event = TensorBoardEvent(wallTime: 1.5, step: -1, payload: .fileVersion("brain.Event:2"))
        let expected: [UInt8] = [0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F, 0x10]
            + [UInt8](repeating: 0xFF, count: 9) + [0x01, 0x1A, 0x0D]
            + [0x62, 0x72, 0x61, 0x69, 0x6E, 0x2E, 0x45, 0x76, 0x65, 0x6E, 0x74, 0x3A, 0x32]
        #expect(event.serialized == expected)
    }

    /// Expected bytes from Python: `event_pb2.Event(wall_time=1.0, step=30,
    /// session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)).SerializeToString()`.
    @Test func sessionStartEventBytes() {
        let event = TensorBoardEvent(wallTime: 1, step: 30, payload: .sessionStart)
        let expected: [UInt8] = [0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,  // wall_time 1.0
                                 0x10, 0x1E,                                          // step 30
                                 0x3A, 0x02, 0x08, 0x01]                              // session_log { status: START }
        #expect(event.serialized == expected)
    }

    @Test func zeroValueIsStillWritten() {
        // simple_value sits in a oneof, so 0.0 must be present (proto3 would drop a plain 0):
        // 09 <eight 00>  10 00  2A 0A  0A 08  0A 01 61  15 00 00 00 00.
        let event = TensorBoardEvent(wallTime: 0, step: 0, summary: [("a", 0)])
        let expected: [UInt8] = [0x09] + [UInt8](repeating: 0, count: 8)
            + [0x10, 0x00, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0x00, 0x00, 0x00, 0x00]
        #expect(event.serialized == expected)
    }

    // MARK: - TFRecord

    @Test func recordFraming() {
        // Data "a": length 1 as uint64 LE, then masked_crc32c of those 8 bytes, the byte 0x61,
        // then masked_crc32c("a"). CRCs from TensorBoard's Python
        // `tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c`:
        // masked_crc32c(01 00 00 00 00 00 00 00) = 0x41DE7501, masked_crc32c(b"a") = 0x28E46E78.
        let expected: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x01, 0x75, 0xDE, 0x41,
                                 0x61,
                                 0x78, 0x6E, 0xE4, 0x28]
        #expect(TFRecord.frame([0x61]) == expected)
    }
}

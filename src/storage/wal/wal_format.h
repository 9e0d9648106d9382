#pragma once

// The on-disk layout of the write-ahead log, shared by WalWriter and WalReader. The prose
// specification is docs/formats/wal.md; keep the two in agreement.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/result.h"
#include "common/status.h"

namespace laminar::storage::wal {

/// The first eight bytes of every segment.
inline constexpr std::string_view kSegmentMagic{"LDBWAL\r\n", 8};
/// The newest format version, which this code reads along with versions 1 and 2. Version 2
/// added padding records (a version 1 segment is a version 2 segment without them); version 3
/// added group markers, which every group written to a version 3 segment begins with, and
/// with them the rule that tells a write the device persisted out of order from damage to
/// synced records (docs/formats/wal.md, "Recovery"). The writer stamps every new segment with
/// version 3, and writes no marker into an older segment it continues (one without records).
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr uint32_t kOldestReadableVersion = 1;
/// magic (8) + version (4) + reserved (4) + first LSN (8) + masked CRC-32C of those 24 (4).
inline constexpr size_t kSegmentHeaderSize = 28;
/// payload length (4) + masked CRC-32C of type and payload (4) + type (1).
inline constexpr size_t kRecordHeaderSize = 9;
/// The largest payload a record may carry (1 GiB).
inline constexpr uint32_t kMaxPayloadSize = 1u << 30;

/// The record types. The byte leaves room for fragments.
enum class RecordType : uint8_t {
  kFull = 1,         // A whole record: it takes the next LSN.
  kPadding = 2,      // Fills a write up to a block boundary: its payload is zeros, it takes no
                     // LSN, and readers skip it (format version 2).
  kGroupMarker = 3,  // Begins a group's first write in a segment, and ends a log closed
                     // cleanly: its payload is the LSN of the record after it (8 bytes); it
                     // takes no LSN (format version 3; readers accept one in any version, as
                     // they do padding).
};

/// A group marker's size: header and the 8-byte LSN.
inline constexpr size_t kGroupMarkerSize = kRecordHeaderSize + 8;

/// "wal-00000000000000000042.log" for first LSN 42.
std::string SegmentFileName(uint64_t first_lsn);
/// The first LSN named by a segment file name, or nothing if `name` is not a segment's.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
/// The first LSNs of the segments in `directory`, ascending.
Result<std::vector<uint64_t>> ListSegments(FileSystem* fs, const std::string& directory);

/// The header of a segment of format `version` (the writer uses kFormatVersion; tests write
/// older versions).
std::string EncodeSegmentHeader(uint64_t first_lsn, uint32_t version);
/// True if `contents` is what a crash during a segment's creation can leave: at most one block
/// (the segment's first write, which is synced before any record goes in), whose header has a
/// wrong magic or checksum while its version field reads 0 to kFormatVersion (torn off; not a
/// header of a later version), and only zeros after the header. The newest segment may then be
/// recreated. REQUIRES: contents.size() >= kSegmentHeaderSize.
bool IsTornSegmentHeader(std::string_view contents);

/// Checks a segment's header. `path` and `expected_first_lsn` (from the file name) are for the
/// checks and messages. Returns kCorruption, kChecksumMismatch or kUnsupportedFormatVersion.
/// REQUIRES: contents.size() >= kSegmentHeaderSize.
Status CheckSegmentHeader(std::string_view contents, const std::string& path,
                          uint64_t expected_first_lsn);

/// The format version a segment's header names (CheckSegmentHeader checks it).
/// REQUIRES: contents.size() >= kSegmentHeaderSize.
uint32_t SegmentVersion(std::string_view contents);

/// The masked checksum stored in a record's header.
uint32_t RecordChecksum(std::string_view payload);
/// The CRC-32C a record's checksum starts from (the checksum covers the record's type, then
/// its payload): MaskCrc(Crc32cExtend(RecordChecksumStart(), payload)) is
/// RecordChecksum(payload), so the checksum can be built piece by piece as the payload is copied.
uint32_t RecordChecksumStart();
/// Writes the header of a record with a payload of `payload_size` bytes into
/// `out[0, kRecordHeaderSize)`.
void EncodeRecordHeader(size_t payload_size, uint32_t masked_checksum, char* out);

/// The bytes that pad `size` bytes of a segment up to the next multiple of `block`: none if
/// `size` is a multiple, else at least a padding record's header (so up to block +
/// kRecordHeaderSize - 1). REQUIRES: block > kRecordHeaderSize.
size_t PaddingSize(uint64_t size, size_t block);
/// Writes a padding record of `size` bytes in all (header and zero payload) into
/// `out[0, size)`. REQUIRES: size >= kRecordHeaderSize.
void EncodePaddingRecord(size_t size, char* out);

/// Writes a group marker saying that the next record is `next_lsn` into
/// `out[0, kGroupMarkerSize)`.
void EncodeGroupMarker(uint64_t next_lsn, char* out);

/// What lies at some offset of a segment's contents.
struct Frame {
  enum class Kind {
    kRecord,       // A whole record whose checksum matches.
    kPadding,      // A padding record whose checksum matches: skipped, no LSN.
    kGroupMarker,  // A group marker whose checksum matches: no LSN; `marker_lsn` is set.
    kEnd,          // The offset is the end of the contents.
    kBad,          // Incomplete, impossible or failing its checksum.
  };
  Kind kind = Kind::kEnd;
  std::string_view payload;            // kRecord: the payload, a view into the contents.
  size_t size = 0;                     // kRecord, kPadding, kGroupMarker: header plus payload.
  uint64_t marker_lsn = 0;             // kGroupMarker: the LSN of the record after it.
  ErrorCode problem = ErrorCode::kOk;  // kBad: kTornWrite (runs past the end), kCorruption or
                                       // kChecksumMismatch.
  std::string reason;                  // kBad: what is wrong, for messages.
};

/// Parses the record at `offset`. REQUIRES: offset <= contents.size().
Frame ParseFrame(std::string_view contents, size_t offset);

/// True if a whole record with a matching checksum starts anywhere after `offset`. Recovery
/// uses it to tell a torn tail (nothing valid after the damage) from damage in the middle in
/// segments of versions 1 and 2; in version 3 only to say so in the torn-write report.
/// Padding records do not count: a group's last direct write in a segment ends with one, so
/// one can outlive a tear in the middle of its write, and it never shows that acknowledged
/// records follow.
bool ValidFrameFollows(std::string_view contents, size_t offset);

/// The offset of the first group marker with a matching checksum that starts after `offset`
/// and could follow the record `lsn` found there (it names `lsn` or a later LSN, no later than
/// the bytes between could hold), or nothing. In a version 3 segment a marker after damage
/// shows that a group was written after the damaged bytes had been synced, so the damage is not
/// a torn write. (The LSN bounds keep a record whose payload happens to hold marker bytes from
/// passing for one, in all but contrived cases.)
std::optional<size_t> GroupMarkerFollows(std::string_view contents, size_t offset, uint64_t lsn);

}  // namespace laminar::storage::wal

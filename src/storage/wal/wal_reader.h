#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/result.h"
#include "common/status.h"

namespace laminar::storage {

/// One record read back from the write-ahead log.
struct WalRecord {
  uint64_t lsn = 0;
  /// A view into the reader's buffer: valid until the next call to WalReader::Next.
  std::string_view payload;
};

/// Where and how the newest segment ended, once a WalReader has reached the end of the log.
struct WalTail {
  /// The segment the log ends in ("" if the directory holds no segment). (WalWriter::recovery:
  /// the newest segment Open found and cut, which may since have been followed by a new one.)
  std::string segment_path;
  /// The LSN the next appended record gets.
  uint64_t next_lsn = 0;
  /// Bytes of the newest segment that hold its header and whole, valid frames (records,
  /// padding, group markers).
  uint64_t valid_size = 0;
  /// The newest segment's size on disk; larger than valid_size after a torn write (valid_size
  /// is 0 when the header itself was torn).
  uint64_t file_size = 0;
  /// kTornWrite describing the torn tail (segment, offset, what was wrong), or OK. A torn tail
  /// is what a crash in the middle of a write leaves; it held no acknowledged record.
  Status torn;
};

/// Reads the write-ahead log in LSN order, verifying every checksum (format:
/// docs/formats/wal.md). This is the recovery scan: open it at the first LSN the last
/// checkpoint does not cover and replay every record it returns.
///
/// Damage is never skipped. The one exception is the tail of the newest segment: the remnant of
/// a write interrupted by a crash, which no producer was told was durable. In a version 3
/// segment that is a frame cut short, of an unknown type or an impossible length, or failing
/// its checksum, with no group marker after it: the flusher syncs each group before it writes
/// the next, and each group begins with a marker, so damage with no marker after it lies in the
/// last group, the only one a power loss can leave partly written (the device may persist its
/// blocks in any order, so valid records of that group may follow the damage; they are cut
/// away with it). In segments of versions 1 and 2, which have no markers, it is damage with no
/// valid record after it. The reader stops there, reports it in `tail().torn` (kTornWrite) and
/// ends the log normally; WalWriter::Open cuts such a tail away. A newest segment whose header
/// was torn while it was created (shorter than its header, or one block with a broken header
/// and zeros after it: wal::IsTornSegmentHeader) ends the log the same way, and Open recreates
/// it. Anything else fails with kCorruption or kChecksumMismatch naming the segment and byte
/// offset: damage followed by a group marker (version 3) or by a valid record (versions 1 and
/// 2), damage in an older segment, a gap between segments, a marker naming another LSN than
/// the record after it.
///
/// The reader holds one whole segment in memory at a time (up to the segment size, 64 MiB by
/// default). It sees the segments present when Open ran; it reads a directory a WalWriter is
/// appending to only up to what was there then.
///
/// Thread-safety: not thread-safe; one thread owns it.
class WalReader {
 public:
  /// Opens the log in `directory` to read records with LSN >= `from_lsn`. An empty or missing
  /// directory is an empty log. Fails with kCorruption if records from `from_lsn` on were
  /// already truncated away (the oldest segment starts after it).
  static Result<std::unique_ptr<WalReader>> Open(FileSystem* fs, std::string directory,
                                                 uint64_t from_lsn);

  /// Reads the next record into `*record`. Returns true if there was one, false at the end of
  /// the log (after which `tail()` is filled in), or an error for damaged data.
  Result<bool> Next(WalRecord* record);

  /// The end of the log. REQUIRES: Next has returned false.
  const WalTail& tail() const { return tail_; }

 private:
  WalReader(FileSystem* fs, std::string directory, uint64_t from_lsn,
            std::vector<uint64_t> segments, size_t first_segment);

  // Reads segment `segment_index_` into `contents_` and checks its header. Sets `at_end_` if a
  // torn header ends the log.
  Status LoadSegment();
  // Handles the bad frame at `offset_`: a torn tail ends the log, anything else is an error.
  Status HandleBadFrame(ErrorCode problem, const std::string& reason);
  void FinishAt(uint64_t valid_size, Status torn);
  std::string SegmentPath(size_t index) const;

  FileSystem* fs_;
  std::string directory_;
  uint64_t from_lsn_;
  std::vector<uint64_t> segments_;  // First LSNs, ascending.
  size_t segment_index_;
  bool loaded_ = false;
  bool at_end_ = false;
  std::string contents_;  // The current segment, whole.
  size_t offset_ = 0;     // Next frame in contents_.
  uint32_t version_ = 0;  // The format version of the segment in contents_.
  uint64_t next_lsn_ = 0;
  WalTail tail_;
};

}  // namespace laminar::storage

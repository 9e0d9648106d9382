#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/file_system.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/wal/wal_reader.h"

namespace laminar::storage {

/// When an appended record becomes durable.
enum class WalSyncMode {
  /// The flusher writes and fdatasyncs as soon as records are waiting; records appended while
  /// a sync runs share the next one (group commit). Producers call WaitDurable before they
  /// acknowledge anything.
  kSync,
  /// The flusher writes and fdatasyncs every `async_flush_interval_micros`; producers do not
  /// wait. A power loss can lose what was appended in the last interval.
  kAsync,
};

/// Settings of a WalWriter.
struct WalOptions {
  WalSyncMode sync_mode = WalSyncMode::kSync;
  /// A segment is closed and a new one started before a record would take it past this size
  /// (a segment always holds at least one record, so one larger record makes a larger segment).
  uint64_t segment_size = 64ull << 20;
  /// kAsync: how long appended records may wait for the flusher.
  int64_t async_flush_interval_micros = 5000;
  /// kSync: when fewer records are pending than the previous group held, the flusher waits up
  /// to this long for the producers that group released to append again, so that they share
  /// one fdatasync instead of splitting into a group of one and a group of the rest.
  int64_t group_commit_window_micros = 200;
  /// Append blocks while this many bytes wait for the flusher (backpressure on a slow disk).
  /// A log running at the disk's speed holds about twice this in memory (the group being
  /// written and the next one), in buffers it recycles.
  uint64_t max_pending_bytes = 16ull << 20;
  /// The LSN of the first record of a new, empty log. Ignored when the log already exists.
  uint64_t first_lsn = 1;
  /// Segments are written around the page cache (where the file system allows it, and when
  /// segment_size is at least 64 KiB) while the recent groups (what the flusher writes before
  /// each sync; a running average over about the last eight) carry at least this many bytes of
  /// records; when they carry less, the next segment goes through the page cache (padding each
  /// small group to a block would multiply the log), and back once groups grow again. A new log
  /// starts around the page cache in kAsync mode and through it in kSync mode. 0: around the page
  /// cache where possible (in kSync mode from the first segment begun after the first write).
  uint64_t direct_write_threshold = 32 << 10;
};

/// Bytes of WAL records in memory that starts at a multiple of kDirectWriteAlignment, with room
/// past `capacity()` for the padding record that takes them to a multiple of it: what a write
/// around the page cache needs. WalWriter's pending buffers and a segment's header block.
class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(size_t capacity);
  AlignedBytes(AlignedBytes&& other) noexcept;
  AlignedBytes& operator=(AlignedBytes&& other) noexcept;
  ~AlignedBytes();

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_, size_}; }
  /// The bytes appended so far, to be rewritten in place.
  char* data() { return data_; }
  /// REQUIRES: size() + bytes.size() <= capacity().
  void Append(std::string_view bytes);
  /// Append, extending the CRC-32C register `crc` over the bytes in the same pass (see
  /// Crc32cExtendCopy). REQUIRES: size() + bytes.size() <= capacity().
  uint32_t AppendWithChecksum(std::string_view bytes, uint32_t crc);
  /// Adds a padding record up to the next multiple of kDirectWriteAlignment.
  void PadToAlignment();
  void Clear() { size_ = 0; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

/// The write-ahead log's writer (format: docs/formats/wal.md). Producers on any thread append
/// records and get back their LSN, a sequence number that increases by one per record; one
/// background thread, the flusher, writes the appended records to the newest segment, syncs
/// them, and advances `durable_lsn()`.
///
/// Append does no I/O: it frames the record and copies it into the pending group under a short
/// lock. In kSync mode the flusher starts a write and sync whenever records are pending, so
/// every record appended while a sync is in progress rides on the next one: one fdatasync per
/// group, however many producers. `WaitDurable(lsn)` returns once the record is synced; only
/// then may a producer acknowledge it.
///
/// Where the file system can (FileSystem::NewDirectWritableFile, O_DIRECT on Linux), segments
/// whose writes are large are written around the page cache: the device reads the pending
/// buffers themselves, so the kernel copies nothing and dirty pages do not pile up behind the
/// log. Pending buffers are whole blocks, filled one after another (a record continues in the
/// next buffer), so only a group's last write in a segment can end short of a block: it ends
/// with a padding record at a 4 KiB boundary. The padding counts against `segment_size` (the
/// group reserves the most it can take, and gets back what it did not use).
/// The choice is made per segment (WalOptions::direct_write_threshold): a new log starts around
/// the page cache in kAsync mode (a group holds a flush interval's records) and through it in
/// kSync mode (a group is often a record or two, which padding to a block would multiply), and
/// each later segment follows the size of the recent groups. A reopened log goes on in a new
/// segment, chosen as a new log's first is.
///
/// Each group's first buffer in a segment begins with a group marker, and a group is written
/// only once the one before it is synced; so on reopen, damage with no marker after it is the
/// remnant of the last group, cut away even when the device persisted later blocks of that
/// group before earlier ones, and damage followed by a marker is corruption (format version 3,
/// see WalReader). Close ends the log with a marker in a group of its own, so that damage to
/// the last records of a log closed cleanly is reported too; and since a reopened log goes on
/// in a new segment, damage to the old one's records is reported from then on. (This relies on
/// a sector write being atomic: through the page cache, a group's first block also holds the
/// end of the group before, which the device rewrites.)
///
/// A failed write or sync (ENOSPC, EIO) fails the writer for good: the pending group is dropped,
/// and every later Append, WaitDurable of a record not yet durable, and Sync returns that error
/// (kNoSpace or kIoError naming the segment). What was durable before stays intact; reopening
/// the directory recovers it and cuts away whatever the failed write left behind.
///
/// Thread-safety: Append, WaitDurable, Sync, Truncate and the accessors may be called from any
/// thread concurrently. Close and the destructor must not race with other calls.
class WalWriter {
 public:
  /// Opens the log in `directory`, creating the directory and a first segment if needed. An
  /// existing log goes on after its last valid record: a torn tail of the newest segment (see
  /// WalReader) is cut away and reported in `recovery().torn`, the segment is synced, and if
  /// it holds records, a new segment begins with the next LSN (one without records is
  /// continued, without group markers if it is of format version 1 or 2). Damage anywhere else
  /// in the newest segment fails with kCorruption or kChecksumMismatch; older segments are only
  /// checked when read. Starts the flusher thread.
  static Result<std::unique_ptr<WalWriter>> Open(FileSystem* fs, std::string directory,
                                                 WalOptions options = {});

  /// Flushes and syncs what is pending, stops the flusher and closes the segment (Close).
  ~WalWriter();

  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  /// Appends one record and returns its LSN. Does no I/O; blocks only while more than
  /// `max_pending_bytes` wait for the flusher. Fails with the writer's error once it failed,
  /// kClosed after Close, kInvalidArgument for a payload over 1 GiB.
  Result<uint64_t> Append(std::string_view payload);
  /// The same for a record whose payload is `parts` back to back (gathered from where they
  /// lie, so that the caller need not copy them together first). A record of 64 KiB or more
  /// is read once, under the writer's lock: its copy into the pending group also computes its
  /// checksum. A smaller one is checksummed before the lock, so that producers appending at
  /// once only queue for the copy.
  Result<uint64_t> Append(std::span<const std::string_view> parts);

  /// Blocks until the record `lsn` is durable. Returns the writer's error if it failed before
  /// that record was synced, kClosed if it was closed first.
  /// REQUIRES: `lsn` was returned by Append (or lies before the first LSN appended).
  Status WaitDurable(uint64_t lsn);

  /// Makes everything appended so far durable now (in kAsync mode too) and waits for it.
  Status Sync();

  /// Deletes the segments that hold only records with LSN < `before_lsn`. The newest segment
  /// is never deleted. The checkpoint coordinator calls it once a checkpoint covers those
  /// records. Returns how many segments it deleted.
  Result<size_t> Truncate(uint64_t before_lsn);

  /// Syncs everything pending, ends the log with a group marker in a group of its own (when
  /// records were written since Open, and the newest segment has markers), stops the flusher
  /// and closes the segment file. Every record is durable before the marker is written, so
  /// failing to write the marker is no error (recovery cuts away what reached the disk).
  /// Returns the writer's error if it had failed. Later calls fail with kClosed. Idempotent.
  Status Close();

  /// The highest LSN known to be on stable storage (first LSN - 1 before any).
  uint64_t durable_lsn() const { return durable_lsn_.load(std::memory_order_acquire); }
  /// The LSN the next Append returns.
  uint64_t next_lsn() const;
  /// OK, or the error that failed the writer.
  Status status() const;
  /// What opening found at the end of the existing log: `torn` is the torn-write report to
  /// log (OK if none); `file_size - valid_size` bytes were cut away.
  const WalTail& recovery() const { return recovery_; }
  /// How many fdatasyncs of segment data the flusher has done (group commit makes this much
  /// smaller than the number of records), the one after Close's marker included.
  uint64_t sync_count() const { return sync_count_.load(std::memory_order_relaxed); }
  /// The first LSNs of the segments in the directory, oldest first.
  std::vector<uint64_t> segments() const;
  /// How many buffers for pending records have been allocated; every other buffer a group
  /// used was recycled from an earlier group.
  uint64_t buffers_allocated() const;
  /// Bytes of recycled buffers held for the next groups (at most `max_pending_bytes` + 16 MiB;
  /// 128 KiB once nothing has been written, nor is pending, for about 100 ms).
  uint64_t spare_bytes() const;
  /// How many times the flusher has woken up. A kAsync log with nothing pending (and no spare
  /// buffers left to give back) sleeps until a record is appended, so an idle log adds none.
  uint64_t flusher_wakeups() const;

 private:
  // Framed records destined for one segment, back to back; a record that does not fit the
  // room left goes on in the next chunk.
  struct PendingChunk {
    bool starts_segment = false;  // The flusher opens a new segment before writing it.
    bool direct = false;          // With starts_segment: open it around the page cache.
    // Append counted the most padding this buffer can end with against its segment's size
    // (a segment's last buffer in a group, in a segment written around the page cache).
    bool holds_reserve = false;
    uint64_t first_lsn = 0;
    AlignedBytes bytes;
  };

  WalWriter(FileSystem* fs, std::string directory, WalOptions options, WalTail recovery,
            std::vector<uint64_t> segments, std::unique_ptr<WritableFile> file, bool direct,
            uint64_t segment_bytes, bool marks);

  // Under mutex_: the capacity of the next pending buffer, opening one (the first of a new
  // segment if `starts_segment`), copying bytes into them (opening the next where one is
  // full), whether spare buffers beyond a quiet spell's two small ones are held, and giving
  // those back.
  size_t NextChunkCapacity() const;
  void OpenChunk(bool starts_segment);
  // CopyIntoChunks extends the CRC-32C `*crc` (unless null) over the bytes as it copies them.
  // OverwriteInChunks rewrites bytes copied before, from chunk `chunk`, `offset` on.
  void CopyIntoChunks(std::string_view bytes, uint32_t* crc);
  void OverwriteInChunks(size_t chunk, size_t offset, std::string_view bytes);
  bool HasSparesToRelease() const;
  void ReleaseSpares();

  void RunFlusher();
  // Flusher thread only: writes the chunks (rolling segments where they say so) and syncs.
  // `*unused_reserve`: of what Append counted against the newest segment written to for
  // padding (a segment written around the page cache), the part this write did not use.
  Status WriteGroup(std::vector<PendingChunk>& chunks, uint64_t* unused_reserve);
  Status RollSegment(uint64_t first_lsn, bool direct);
  Status WaitUntilDurable(std::unique_lock<std::mutex>& lock, uint64_t lsn);

  FileSystem* const fs_;
  const std::string directory_;
  const WalOptions options_;
  const WalTail recovery_;

  mutable std::mutex mutex_;
  std::condition_variable flusher_wakeup_;   // Waited on by the flusher.
  std::condition_variable producer_wakeup_;  // Waited on by WaitDurable and Sync.
  std::condition_variable space_available_;  // Waited on by Appends blocked by backpressure.
  std::vector<PendingChunk> pending_;        // Guarded by mutex_.
  std::vector<AlignedBytes> spare_buffers_;  // Guarded by mutex_. Recycled chunk buffers.
  uint64_t spare_bytes_ = 0;                 // Guarded by mutex_. Their capacity.
  uint64_t buffers_allocated_ = 0;           // Guarded by mutex_.
  uint64_t flusher_wakeups_ = 0;             // Guarded by mutex_.
  uint64_t pending_bytes_ = 0;               // Guarded by mutex_.
  uint64_t pending_records_ = 0;             // Guarded by mutex_.
  uint64_t last_group_records_ = 0;          // Guarded by mutex_. Size of the previous group.
  uint64_t gather_target_ = 0;  // Guarded by mutex_. Records the flusher waits for; 0: none.
  uint64_t next_lsn_;           // Guarded by mutex_.
  uint64_t segment_bytes_;      // Guarded by mutex_. Size of the newest segment, pending included.
  uint64_t segment_records_;    // Guarded by mutex_. Records in it, pending included.
  // Guarded by mutex_. Whether Append counts the newest segment as written around the page
  // cache (a block of header, padding reserved per buffer), and whether the next one will be.
  bool segment_direct_;
  bool next_segment_direct_;
  // Guarded by mutex_. Whether groups written to the newest segment begin with a group marker
  // (not in a continued segment of format version 1 or 2: see Open), and whether the flusher
  // has written records since it opened the log or last wrote a marker-only group (Close then
  // writes one, so that the log ends with a marker).
  bool segment_marks_;
  bool unmarked_records_ = false;
  bool closing_marker_failed_ = false;  // Guarded by mutex_. Close's marker could not be written.
  bool flush_requested_ = false;        // Guarded by mutex_. Sync() wants the flusher now.
  // Guarded by mutex_. A kAsync flusher with nothing pending sleeps without a timer: the first
  // record appended wakes it, and the flush period starts then.
  bool flusher_idle_ = false;
  bool closing_ = false;       // Guarded by mutex_.
  bool flusher_done_ = false;  // Guarded by mutex_.
  Status failure_;             // Guarded by mutex_.
  std::atomic<uint64_t> durable_lsn_;
  std::atomic<uint64_t> sync_count_{0};

  mutable std::mutex segments_mutex_;
  std::vector<uint64_t> segments_;  // Guarded by segments_mutex_. First LSNs, ascending.

  std::unique_ptr<WritableFile> file_;  // The newest segment. Owned by the flusher thread.
  // Flusher thread: file_ writes around the page cache, so each write is whole blocks.
  bool file_direct_ = false;
  // Flusher thread: Append counted file_'s segment as direct (file_direct_ may differ if the
  // file system could not), and the bytes of records the recent groups carried (a running
  // average over about eight groups), from which the next segment's mode is chosen.
  bool counted_direct_ = false;
  uint64_t average_group_bytes_ = 0;
  std::thread flusher_;
  bool closed_ = false;  // Only touched by Close, which does not race.
};

}  // namespace laminar::storage

#include "storage/wal/wal_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/check.h"
#include "common/crc32c.h"
#include "common/thread_name.h"
#include "storage/wal/wal_format.h"

namespace laminar::storage {

namespace {

// Pending records are gathered in buffers of two fixed sizes, each filled before the next is
// started (a record larger than the room left continues in the next buffer), so that a
// growing group never reallocates and copies what it holds, no buffer is left partly empty
// (bar the last of a group, or of a segment in it), and the buffers are recycled as they are
// instead of faulting in fresh memory for every group. A group starts in a small buffer, so that a
// source with little traffic keeps 64 KiB, not a megabyte; once it holds more, it goes on in large
// ones (in small ones when segments are smaller than a large buffer).
constexpr size_t kSmallChunkBytes = 64 << 10;
constexpr size_t kChunkBytes = 1 << 20;
// Recycled buffers are kept for the next groups up to `max_pending_bytes` and this much more,
// so that producers running ahead of the disk refill recycled buffers rather than fault in
// fresh pages (which costs them more than copying the records). A quiet spell (a group of at
// most one small buffer, or kIdleRelease without anything to write) gives back all but
// kQuietSpareBuffers small ones; an idle flusher holding more wakes after kIdleRelease to do it.
constexpr size_t kSpareSlackBytes = 16 << 20;
constexpr size_t kQuietSpareBuffers = 2;
constexpr auto kIdleRelease = std::chrono::milliseconds(100);

// Records of at least this many bytes are checksummed by their copy into the pending group,
// under the writer's lock; smaller ones before it (see Append).
constexpr size_t kChecksumInCopyBytes = 64 << 10;

// The most padding a direct write ends with (wal::PaddingSize), and so the room past a
// buffer's capacity for it.
constexpr size_t kMaxPadding = kDirectWriteAlignment + wal::kRecordHeaderSize - 1;

size_t RoundUpToAlignment(size_t bytes) {
  return (bytes + kDirectWriteAlignment - 1) / kDirectWriteAlignment * kDirectWriteAlignment;
}

// Creates segment `first_lsn` holding only its header, and makes both the file and its
// directory entry durable before any record goes in, so that recovery never sees a segment
// whose header might be lost. With `allow_direct` the segment is written around the page
// cache if the file system can (`*direct` says whether it is), and its header is then padded
// to the first block.
Result<std::unique_ptr<WritableFile>> CreateSegment(FileSystem* fs, const std::string& directory,
                                                    uint64_t first_lsn, bool allow_direct,
                                                    bool* direct) {
  const std::string path = JoinPath(directory, wal::SegmentFileName(first_lsn));
  std::unique_ptr<WritableFile> file;
  if (allow_direct) {
    LAMINAR_ASSIGN_OR_RETURN(file, fs->NewDirectWritableFile(path));
  }
  *direct = file != nullptr;
  if (!*direct) {
    LAMINAR_ASSIGN_OR_RETURN(file, fs->NewWritableFile(path));
  }
  const std::string header = wal::EncodeSegmentHeader(first_lsn, wal::kFormatVersion);
  if (*direct) {
    AlignedBytes block(header.size());
    block.Append(header);
    block.PadToAlignment();  // The header block.
    LAMINAR_RETURN_IF_ERROR(file->Append(block.view()));
  } else {
    LAMINAR_RETURN_IF_ERROR(file->Append(header));
  }
  LAMINAR_RETURN_IF_ERROR(file->Sync());
  LAMINAR_RETURN_IF_ERROR(fs->SyncDirectory(directory));
  return file;
}

// The bytes a new segment holds before any record: its header, padded to a block when it is
// written around the page cache.
uint64_t SegmentStartBytes(bool direct) {
  return direct ? kDirectWriteAlignment : wal::kSegmentHeaderSize;
}

// Direct writes pad every write to a block, and a segment starts with a block: only a segment
// of at least 16 blocks is written that way.
constexpr uint64_t kLeastDirectSegment = 64 << 10;

bool DirectWritesPossible(const WalOptions& options) {
  return options.segment_size >= kLeastDirectSegment;
}

// A new log's first segment: a kAsync group holds what arrived in a flush interval, so it
// starts around the page cache; a kSync group is often a record or two, so it starts
// through it, and later segments follow the writes (direct_write_threshold).
bool FirstSegmentDirect(const WalOptions& options) {
  return DirectWritesPossible(options) && options.sync_mode == WalSyncMode::kAsync;
}

Status CheckOptions(const WalOptions& options) {
  // A header, a group's marker and a record header.
  constexpr uint64_t kLeastSegment =
      wal::kSegmentHeaderSize + wal::kGroupMarkerSize + wal::kRecordHeaderSize;
  if (options.segment_size < kLeastSegment) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "WAL segment size {} is too small (at least {} bytes)",
                         options.segment_size, kLeastSegment);
  }
  if (options.async_flush_interval_micros <= 0 || options.group_commit_window_micros < 0) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "WAL flush interval ({} us) must be positive and the group commit "
                         "window ({} us) not negative",
                         options.async_flush_interval_micros, options.group_commit_window_micros);
  }
  if (options.max_pending_bytes == 0 || options.first_lsn == 0) {
    return Status::Error(ErrorCode::kInvalidConfiguration,
                         "WAL max pending bytes and first LSN must be positive");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<WalWriter>> WalWriter::Open(FileSystem* fs, std::string directory,
                                                   WalOptions options) {
  LAMINAR_RETURN_IF_ERROR(CheckOptions(options));
  LAMINAR_RETURN_IF_ERROR(fs->CreateDirectories(directory));
  LAMINAR_ASSIGN_OR_RETURN(std::vector<uint64_t> segments, wal::ListSegments(fs, directory));

  WalTail tail;
  std::unique_ptr<WritableFile> file;
  bool direct = false;
  const bool allow_direct = FirstSegmentDirect(options);
  // What the newest segment holds, as Append counts it against the segment size.
  uint64_t segment_bytes = 0;
  // Whether groups written to the newest segment begin with markers: not in a continued
  // segment of format version 1 or 2, whose readers apply the older rule to it.
  bool marks = true;
  if (segments.empty()) {
    LAMINAR_ASSIGN_OR_RETURN(
        file, CreateSegment(fs, directory, options.first_lsn, allow_direct, &direct));
    segments.push_back(options.first_lsn);
    tail.segment_path = JoinPath(directory, wal::SegmentFileName(options.first_lsn));
    tail.next_lsn = options.first_lsn;
    segment_bytes = SegmentStartBytes(direct);
    tail.valid_size = tail.file_size = segment_bytes;
  } else {
    // Only the newest segment is scanned: it is the only one a crash can have left torn.
    LAMINAR_ASSIGN_OR_RETURN(auto reader, WalReader::Open(fs, directory, segments.back()));
    WalRecord record;
    while (true) {
      LAMINAR_ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
      if (!more) break;
    }
    tail = reader->tail();
    if (tail.valid_size < wal::kSegmentHeaderSize) {
      // The crash came while the segment was created: start it afresh.
      LAMINAR_RETURN_IF_ERROR(fs->DeleteFile(tail.segment_path));
      LAMINAR_ASSIGN_OR_RETURN(
          file, CreateSegment(fs, directory, segments.back(), allow_direct, &direct));
      segment_bytes = SegmentStartBytes(direct);
    } else {
      if (tail.valid_size < tail.file_size) {
        LAMINAR_RETURN_IF_ERROR(fs->Truncate(tail.segment_path, tail.valid_size));
      }
      LAMINAR_ASSIGN_OR_RETURN(file, fs->NewAppendableFile(tail.segment_path));
      // Makes the cut durable, and what a crashed process left in the page cache, before
      // anything is appended after it.
      LAMINAR_RETURN_IF_ERROR(file->Sync());
      segment_bytes = tail.valid_size;
      if (tail.next_lsn > segments.back()) {
        // The segment holds records: the log goes on in a new segment, so that the old one
        // ends where the records end (later damage to it is never taken for a torn write),
        // and the new one is written as a new log's first is (around the page cache in
        // kAsync mode, with group markers whatever the old one's version). A segment with no
        // record is continued (through the page cache until the next roll), so that its LSN
        // is never without a segment.
        LAMINAR_RETURN_IF_ERROR(file->Close());
        LAMINAR_ASSIGN_OR_RETURN(
            file, CreateSegment(fs, directory, tail.next_lsn, allow_direct, &direct));
        segments.push_back(tail.next_lsn);
        segment_bytes = SegmentStartBytes(direct);
      } else {
        LAMINAR_ASSIGN_OR_RETURN(const std::string contents, fs->ReadFile(tail.segment_path));
        marks = wal::SegmentVersion(contents) >= wal::kFormatVersion;
      }
    }
  }
  return std::unique_ptr<WalWriter>(new WalWriter(fs, std::move(directory), options,
                                                  std::move(tail), std::move(segments),
                                                  std::move(file), direct, segment_bytes, marks));
}

WalWriter::WalWriter(FileSystem* fs, std::string directory, WalOptions options, WalTail recovery,
                     std::vector<uint64_t> segments, std::unique_ptr<WritableFile> file,
                     bool direct, uint64_t segment_bytes, bool marks)
    : fs_(fs),
      directory_(std::move(directory)),
      options_(options),
      recovery_(std::move(recovery)),
      next_lsn_(recovery_.next_lsn),
      segment_bytes_(segment_bytes),
      segment_records_(recovery_.next_lsn - segments.back()),
      segment_direct_(direct),
      next_segment_direct_(FirstSegmentDirect(options)),
      segment_marks_(marks),
      durable_lsn_(recovery_.next_lsn - 1),
      segments_(std::move(segments)),
      file_(std::move(file)),
      file_direct_(direct),
      counted_direct_(direct),
      average_group_bytes_(FirstSegmentDirect(options) ? options.direct_write_threshold : 0) {
  flusher_ = std::thread([this] {
    NameCurrentThread("ldb-wal-flush");
    RunFlusher();
  });
}

AlignedBytes::AlignedBytes(size_t capacity)
    : data_(static_cast<char*>(
          AlignedAllocOrDie(kDirectWriteAlignment, RoundUpToAlignment(capacity + kMaxPadding)))),
      capacity_(capacity) {}

AlignedBytes::AlignedBytes(AlignedBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

AlignedBytes& AlignedBytes::operator=(AlignedBytes&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

AlignedBytes::~AlignedBytes() { std::free(data_); }

void AlignedBytes::Append(std::string_view bytes) {
  LAMINAR_DCHECK(size_ + bytes.size() <= capacity_);
  if (!bytes.empty()) std::memcpy(data_ + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

uint32_t AlignedBytes::AppendWithChecksum(std::string_view bytes, uint32_t crc) {
  LAMINAR_DCHECK(size_ + bytes.size() <= capacity_);
  crc = Crc32cExtendCopy(crc, bytes.data(), bytes.size(), data_ + size_);
  size_ += bytes.size();
  return crc;
}

void AlignedBytes::PadToAlignment() {
  const size_t padding = wal::PaddingSize(size_, kDirectWriteAlignment);
  if (padding == 0) return;
  wal::EncodePaddingRecord(padding, data_ + size_);
  size_ += padding;
}

WalWriter::~WalWriter() {
  if (!closed_) (void)Close();
}

size_t WalWriter::NextChunkCapacity() const {
  return pending_.empty() || options_.segment_size < kChunkBytes ? kSmallChunkBytes : kChunkBytes;
}

void WalWriter::OpenChunk(bool starts_segment) {
  // Opened because the buffer before (of this segment and group) is full: the padding reserve
  // moves on from it, since only a segment's last buffer in a group can end with padding.
  const bool continues = !starts_segment && !pending_.empty();
  PendingChunk chunk;
  chunk.starts_segment = starts_segment;
  chunk.direct = next_segment_direct_;
  chunk.first_lsn = next_lsn_;
  const size_t capacity = NextChunkCapacity();
  const auto spare = std::find_if(
      spare_buffers_.rbegin(), spare_buffers_.rend(),
      [capacity](const AlignedBytes& buffer) { return buffer.capacity() == capacity; });
  if (spare != spare_buffers_.rend()) {
    chunk.bytes = std::move(*spare);
    spare_buffers_.erase(std::next(spare).base());
    spare_bytes_ -= capacity;
  } else {
    // Allocated under the lock: once per buffer, and only until the buffers circulate.
    chunk.bytes = AlignedBytes(capacity);
    ++buffers_allocated_;
  }
  if (starts_segment) {
    // A segment written around the page cache starts with a whole block.
    segment_direct_ = next_segment_direct_;
    segment_bytes_ = SegmentStartBytes(segment_direct_);
    segment_records_ = 0;
    segment_marks_ = true;
  }
  if (continues) {
    chunk.holds_reserve = std::exchange(pending_.back().holds_reserve, false);
  } else {
    if (segment_direct_) {
      segment_bytes_ += kMaxPadding;
      chunk.holds_reserve = true;
    }
    if (segment_marks_) {
      // The group's first write in this segment begins with a marker (see WalReader).
      char marker[wal::kGroupMarkerSize];
      wal::EncodeGroupMarker(next_lsn_, marker);
      chunk.bytes.Append(std::string_view(marker, sizeof marker));
      segment_bytes_ += wal::kGroupMarkerSize;
    }
  }
  pending_.push_back(std::move(chunk));
}

void WalWriter::CopyIntoChunks(std::string_view bytes, uint32_t* crc) {
  while (!bytes.empty()) {
    AlignedBytes* chunk = &pending_.back().bytes;
    if (chunk->size() == chunk->capacity()) {
      OpenChunk(/*starts_segment=*/false);
      chunk = &pending_.back().bytes;
    }
    const std::string_view part = bytes.substr(0, chunk->capacity() - chunk->size());
    if (crc != nullptr) {
      *crc = chunk->AppendWithChecksum(part, *crc);
    } else {
      chunk->Append(part);
    }
    bytes.remove_prefix(part.size());
  }
}

void WalWriter::OverwriteInChunks(size_t chunk, size_t offset, std::string_view bytes) {
  while (!bytes.empty()) {
    AlignedBytes& target = pending_[chunk].bytes;
    if (offset == target.capacity()) {
      ++chunk;
      offset = 0;
      continue;
    }
    const size_t part = std::min(bytes.size(), target.size() - offset);
    std::memcpy(target.data() + offset, bytes.data(), part);
    bytes.remove_prefix(part);
    offset += part;
  }
}

Result<uint64_t> WalWriter::Append(std::string_view payload) {
  return Append(std::span<const std::string_view>(&payload, 1));
}

Result<uint64_t> WalWriter::Append(std::span<const std::string_view> parts) {
  size_t payload_size = 0;
  for (const std::string_view part : parts) payload_size += part.size();
  if (payload_size > wal::kMaxPayloadSize) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "WAL record of {} bytes is larger than the limit of {} bytes",
                         payload_size, wal::kMaxPayloadSize);
  }
  const uint64_t record_size = wal::kRecordHeaderSize + payload_size;
  // A record is read once more for its checksum, before the lock, so that producers appending
  // at once queue only for its copy; a large one is checksummed by the copy itself, under the
  // lock, so that its bytes are read once (a pushed batch's are mostly out of the cache, and
  // reading them is most of an append's work).
  const bool checksum_in_copy = payload_size >= kChecksumInCopyBytes;
  uint32_t crc = wal::RecordChecksumStart();
  if (!checksum_in_copy) {
    for (const std::string_view part : parts) crc = Crc32cExtend(crc, part);
  }

  std::unique_lock lock(mutex_);
  if (pending_bytes_ >= options_.max_pending_bytes && failure_.ok() && !closing_) {
    flusher_wakeup_.notify_one();
    space_available_.wait(lock, [&] {
      return pending_bytes_ < options_.max_pending_bytes || !failure_.ok() || closing_;
    });
  }
  if (!failure_.ok()) return failure_;
  if (closing_) return Status::Error(ErrorCode::kClosed, "WAL '{}' is closed", directory_);

  // In a segment written around the page cache each group's write may end with padding, so
  // the group's first buffer in the segment reserves the most it can take, the reserve moves
  // on to each next buffer, and the flusher gives back what the padding did not use: a
  // segment never grows past segment_size on account of padding.
  // A group's first buffer in a segment also begins with a marker.
  const uint64_t reserve = pending_.empty() ? (segment_direct_ ? kMaxPadding : 0) +
                                                  (segment_marks_ ? wal::kGroupMarkerSize : 0)
                                            : 0;
  const bool new_segment =
      segment_records_ > 0 && segment_bytes_ + record_size + reserve > options_.segment_size;
  if (new_segment || pending_.empty()) OpenChunk(new_segment);
  // The header goes first; when the copy of the payload computes its checksum, the header is
  // copied with none and completed in place afterwards.
  const size_t header_chunk = pending_.size() - 1;
  const size_t header_offset = pending_.back().bytes.size();
  char header[wal::kRecordHeaderSize];
  wal::EncodeRecordHeader(payload_size, checksum_in_copy ? 0 : MaskCrc(crc), header);
  const std::string_view header_bytes(header, sizeof header);
  CopyIntoChunks(header_bytes, nullptr);
  for (const std::string_view part : parts) {
    CopyIntoChunks(part, checksum_in_copy ? &crc : nullptr);
  }
  if (checksum_in_copy) {
    wal::EncodeRecordHeader(payload_size, MaskCrc(crc), header);
    OverwriteInChunks(header_chunk, header_offset, header_bytes);
  }
  segment_bytes_ += record_size;
  ++segment_records_;
  // In kSync mode the flusher needs a nudge only when it may be idle; in kAsync mode when it is
  // idle (it then starts its flush period) or when the group grows large enough that waiting
  // for the timer would stall producers. kSync mode also wakes it when the group it is
  // gathering is complete.
  const uint64_t half = options_.max_pending_bytes / 2;
  const bool wake =
      options_.sync_mode == WalSyncMode::kSync
          ? pending_bytes_ == 0 || pending_records_ + 1 == gather_target_
          : flusher_idle_ || (pending_bytes_ < half && pending_bytes_ + record_size >= half);
  pending_bytes_ += record_size;
  ++pending_records_;
  const uint64_t lsn = next_lsn_++;
  lock.unlock();
  if (wake) flusher_wakeup_.notify_one();
  return lsn;
}

Status WalWriter::WaitUntilDurable(std::unique_lock<std::mutex>& lock, uint64_t lsn) {
  producer_wakeup_.wait(lock, [&] {
    return durable_lsn_.load(std::memory_order_acquire) >= lsn || !failure_.ok() || flusher_done_;
  });
  if (durable_lsn_.load(std::memory_order_acquire) >= lsn) return Status::Ok();
  if (!failure_.ok()) return failure_;
  return Status::Error(ErrorCode::kClosed, "WAL '{}' was closed before LSN {} became durable",
                       directory_, lsn);
}

Status WalWriter::WaitDurable(uint64_t lsn) {
  if (durable_lsn_.load(std::memory_order_acquire) >= lsn) return Status::Ok();
  std::unique_lock lock(mutex_);
  if (lsn >= next_lsn_) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "WAL '{}': LSN {} has not been appended (the next LSN is {})", directory_,
                         lsn, next_lsn_);
  }
  return WaitUntilDurable(lock, lsn);
}

Status WalWriter::Sync() {
  std::unique_lock lock(mutex_);
  const uint64_t target = next_lsn_ - 1;
  if (durable_lsn_.load(std::memory_order_acquire) >= target) return Status::Ok();
  flush_requested_ = true;
  flusher_wakeup_.notify_one();
  return WaitUntilDurable(lock, target);
}

void WalWriter::RunFlusher() {
  const bool sync_mode = options_.sync_mode == WalSyncMode::kSync;
  const auto interval = std::chrono::microseconds(options_.async_flush_interval_micros);
  const auto window = std::chrono::microseconds(options_.group_commit_window_micros);
  const uint64_t max_spare_bytes = options_.max_pending_bytes + kSpareSlackBytes;
  std::vector<PendingChunk> writing;
  // When the flusher last finished writing a group. (The idle release is a heuristic on the
  // steady clock, not a time the caller observes, so it does not go through the Clock either.)
  auto last_group = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (true) {
    const auto ready = [&] {
      return closing_ || flush_requested_ ||
             (sync_mode ? !pending_.empty() : pending_bytes_ >= options_.max_pending_bytes / 2);
    };
    // The timed waits (the flush period of kAsync mode, the group commit window, the idle
    // release of kSync mode) are kernel timeouts, not time readings, so they do not go through
    // the injected Clock.
    if (!sync_mode && pending_.empty() && !ready()) {
      // Nothing to flush: no timer, so that an idle log costs no CPU. The first record
      // appended wakes the flusher, and the flush period starts then.
      flusher_idle_ = true;
      const auto woken = [&] { return ready() || !pending_.empty(); };
      if (HasSparesToRelease()) {
        flusher_wakeup_.wait_for(lock, kIdleRelease, woken);
      } else {
        flusher_wakeup_.wait(lock, woken);
      }
      flusher_idle_ = false;
      if (!pending_.empty()) flusher_wakeup_.wait_for(lock, interval, ready);
    } else if (!sync_mode) {
      flusher_wakeup_.wait_for(lock, interval, ready);
    } else if (HasSparesToRelease()) {
      flusher_wakeup_.wait_for(lock, kIdleRelease, ready);
    } else {
      flusher_wakeup_.wait(lock, ready);
    }
    ++flusher_wakeups_;
    if (pending_.empty()) {
      flush_requested_ = false;
      if (closing_ && segment_marks_ && unmarked_records_) {
        // The log ends with a marker, in a group of its own written after the last records
        // were synced: damage to them is then never taken for a torn write.
        OpenChunk(/*starts_segment=*/false);
      } else {
        if (closing_) break;
        if (std::chrono::steady_clock::now() - last_group >= kIdleRelease) ReleaseSpares();
        continue;
      }
    }
    if (sync_mode && pending_records_ < last_group_records_ && !closing_ && !flush_requested_) {
      // The producers the last sync released are appending again: gather them into one group.
      gather_target_ = last_group_records_;
      flusher_wakeup_.wait_for(lock, window, [&] {
        return closing_ || flush_requested_ || pending_records_ >= gather_target_;
      });
      gather_target_ = 0;
    }
    const uint64_t last_lsn = next_lsn_ - 1;
    const uint64_t last_group_bytes = pending_bytes_;
    last_group_records_ = pending_records_;
    // Records written now; a marker-only group at Close has none.
    const bool closing_marker = pending_records_ == 0;
    unmarked_records_ = !closing_marker;
    writing.swap(pending_);
    pending_bytes_ = 0;
    pending_records_ = 0;
    flush_requested_ = false;
    space_available_.notify_all();
    lock.unlock();

    uint64_t unused_reserve = 0;
    const Status status = WriteGroup(writing, &unused_reserve);
    last_group = std::chrono::steady_clock::now();

    lock.lock();
    for (auto& chunk : writing) {
      if (spare_bytes_ + chunk.bytes.capacity() > max_spare_bytes) break;
      chunk.bytes.Clear();
      spare_bytes_ += chunk.bytes.capacity();
      spare_buffers_.push_back(std::move(chunk.bytes));
    }
    writing.clear();
    // A quiet spell: buffers kept from a busier one would only hold memory.
    if (last_group_bytes <= kSmallChunkBytes) ReleaseSpares();
    // What the padding did not use goes back to the segment's size, unless the producers have
    // since moved on to a newer segment (a chunk pending starts one). (After a failure nothing
    // more is appended, and a failed roll left the count to the new segment.)
    if (status.ok() &&
        std::none_of(pending_.begin(), pending_.end(),
                     [](const PendingChunk& chunk) { return chunk.starts_segment; })) {
      segment_bytes_ -= unused_reserve;
    }
    // The next segment goes around the page cache while the recent writes are large enough
    // for the padding to be small beside them.
    next_segment_direct_ =
        DirectWritesPossible(options_) && average_group_bytes_ >= options_.direct_write_threshold;
    if (!status.ok() && closing_marker) {
      // Every record was durable before: the marker only guards them, so its loss is no
      // failure. Recovery cuts away whatever part of it reached the disk.
      closing_marker_failed_ = true;
      break;
    }
    if (!status.ok()) {
      // Nothing is written after a failure: what reached the disk is unknown, and recovery
      // cuts the remnant away on reopen.
      failure_ =
          Status(status.code(), fmt::format("WAL '{}' failed: {}", directory_, status.message()));
      pending_.clear();
      pending_bytes_ = 0;
      pending_records_ = 0;
      break;
    }
    durable_lsn_.store(last_lsn, std::memory_order_release);
    producer_wakeup_.notify_all();
  }
  flusher_done_ = true;
  producer_wakeup_.notify_all();
  space_available_.notify_all();
}

bool WalWriter::HasSparesToRelease() const {
  return spare_buffers_.size() > kQuietSpareBuffers ||
         std::any_of(spare_buffers_.begin(), spare_buffers_.end(), [](const AlignedBytes& buffer) {
           return buffer.capacity() != kSmallChunkBytes;
         });
}

void WalWriter::ReleaseSpares() {
  if (!HasSparesToRelease()) return;
  std::erase_if(spare_buffers_,
                [](const AlignedBytes& buffer) { return buffer.capacity() != kSmallChunkBytes; });
  if (spare_buffers_.size() > kQuietSpareBuffers) spare_buffers_.resize(kQuietSpareBuffers);
  spare_bytes_ = spare_buffers_.size() * kSmallChunkBytes;
}

Status WalWriter::WriteGroup(std::vector<PendingChunk>& chunks, uint64_t* unused_reserve) {
  uint64_t group_records = 0;
  for (auto& chunk : chunks) {
    if (chunk.starts_segment) {
      LAMINAR_RETURN_IF_ERROR(RollSegment(chunk.first_lsn, chunk.direct));
      // Append counted a whole header block for a direct segment.
      *unused_reserve =
          counted_direct_ && !file_direct_ ? kDirectWriteAlignment - wal::kSegmentHeaderSize : 0;
    }
    // A direct write must end at a block boundary; the next one starts there. Every buffer
    // but a group's last (or a segment's last) is full, and its size a multiple of a block.
    const size_t records = chunk.bytes.size();
    if (file_direct_) chunk.bytes.PadToAlignment();
    if (chunk.holds_reserve) *unused_reserve += kMaxPadding - (chunk.bytes.size() - records);
    group_records += records;
    LAMINAR_RETURN_IF_ERROR(file_->Append(chunk.bytes.view()));
  }
  // A running average over about the last eight groups, whatever their segments.
  average_group_bytes_ = (average_group_bytes_ * 7 + group_records) / 8;
  LAMINAR_RETURN_IF_ERROR(file_->Sync());
  sync_count_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status WalWriter::RollSegment(uint64_t first_lsn, bool direct) {
  // The old segment is complete and durable before the new one exists, so only the newest
  // segment can ever end in a torn record.
  LAMINAR_RETURN_IF_ERROR(file_->Sync());
  LAMINAR_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  LAMINAR_ASSIGN_OR_RETURN(file_, CreateSegment(fs_, directory_, first_lsn, direct, &file_direct_));
  counted_direct_ = direct;
  std::lock_guard lock(segments_mutex_);
  segments_.push_back(first_lsn);
  return Status::Ok();
}

Result<size_t> WalWriter::Truncate(uint64_t before_lsn) {
  std::lock_guard lock(segments_mutex_);
  // Segment i holds LSNs [segments_[i], segments_[i + 1]); the newest has no upper bound.
  size_t deletable = 0;
  while (deletable + 1 < segments_.size() && segments_[deletable + 1] <= before_lsn) {
    ++deletable;
  }
  size_t deleted = 0;
  Status status;
  for (; deleted < deletable && status.ok(); ++deleted) {
    status = fs_->DeleteFile(JoinPath(directory_, wal::SegmentFileName(segments_[deleted])));
    if (!status.ok()) break;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(deleted));
  LAMINAR_RETURN_IF_ERROR(status);
  if (deleted > 0) LAMINAR_RETURN_IF_ERROR(fs_->SyncDirectory(directory_));
  return deleted;
}

Status WalWriter::Close() {
  if (closed_) return status();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  flusher_wakeup_.notify_one();
  space_available_.notify_all();
  flusher_.join();
  closed_ = true;
  Status result = status();
  if (file_) {
    Status closed = file_->Close();
    // A file whose closing marker failed reports that failure again; the records were durable.
    std::lock_guard lock(mutex_);
    if (result.ok() && !closing_marker_failed_) result = std::move(closed);
    file_.reset();
  }
  return result;
}

uint64_t WalWriter::next_lsn() const {
  std::lock_guard lock(mutex_);
  return next_lsn_;
}

uint64_t WalWriter::buffers_allocated() const {
  std::lock_guard lock(mutex_);
  return buffers_allocated_;
}

uint64_t WalWriter::flusher_wakeups() const {
  std::lock_guard lock(mutex_);
  return flusher_wakeups_;
}

uint64_t WalWriter::spare_bytes() const {
  std::lock_guard lock(mutex_);
  return spare_bytes_;
}

Status WalWriter::status() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::vector<uint64_t> WalWriter::segments() const {
  std::lock_guard lock(segments_mutex_);
  return segments_;
}

}  // namespace laminar::storage

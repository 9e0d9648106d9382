#include "storage/wal/wal_reader.h"

#include "storage/wal/wal_format.h"

namespace laminar::storage {

using wal::Frame;

Result<std::unique_ptr<WalReader>> WalReader::Open(FileSystem* fs, std::string directory,
                                                   uint64_t from_lsn) {
  std::vector<uint64_t> segments;
  LAMINAR_ASSIGN_OR_RETURN(const bool exists, fs->Exists(directory));
  if (exists) {
    LAMINAR_ASSIGN_OR_RETURN(segments, wal::ListSegments(fs, directory));
  }
  size_t first_segment = 0;
  if (!segments.empty()) {
    if (from_lsn == 0) from_lsn = segments.front();
    if (from_lsn < segments.front()) {
      return Status::Error(ErrorCode::kCorruption,
                           "WAL '{}': records from LSN {} are gone; the oldest segment starts at "
                           "LSN {}",
                           directory, from_lsn, segments.front());
    }
    while (first_segment + 1 < segments.size() && segments[first_segment + 1] <= from_lsn) {
      ++first_segment;
    }
  }
  return std::unique_ptr<WalReader>(
      new WalReader(fs, std::move(directory), from_lsn, std::move(segments), first_segment));
}

WalReader::WalReader(FileSystem* fs, std::string directory, uint64_t from_lsn,
                     std::vector<uint64_t> segments, size_t first_segment)
    : fs_(fs),
      directory_(std::move(directory)),
      from_lsn_(from_lsn),
      segments_(std::move(segments)),
      segment_index_(first_segment) {
  if (segments_.empty()) {
    at_end_ = true;
    tail_.next_lsn = from_lsn_;
  }
}

std::string WalReader::SegmentPath(size_t index) const {
  return JoinPath(directory_, wal::SegmentFileName(segments_[index]));
}

void WalReader::FinishAt(uint64_t valid_size, Status torn) {
  at_end_ = true;
  tail_.segment_path = SegmentPath(segment_index_);
  tail_.next_lsn = next_lsn_;
  tail_.valid_size = valid_size;
  tail_.file_size = contents_.size();
  tail_.torn = std::move(torn);
}

Status WalReader::LoadSegment() {
  const std::string path = SegmentPath(segment_index_);
  LAMINAR_ASSIGN_OR_RETURN(contents_, fs_->ReadFile(path));
  next_lsn_ = segments_[segment_index_];
  offset_ = 0;
  const bool newest = segment_index_ + 1 == segments_.size();
  if (contents_.size() < wal::kSegmentHeaderSize) {
    // A crash while the segment was being created: it holds no record yet.
    if (newest) {
      FinishAt(0, Status::Error(ErrorCode::kTornWrite,
                                "WAL segment '{}' offset 0 (LSN {}): header cut short ({} of {} "
                                "bytes)",
                                path, next_lsn_, contents_.size(), wal::kSegmentHeaderSize));
      return Status::Ok();
    }
    return Status::Error(ErrorCode::kCorruption,
                         "WAL segment '{}': header cut short ({} of {} bytes) in a segment that "
                         "is not the newest",
                         path, contents_.size(), wal::kSegmentHeaderSize);
  }
  if (newest && wal::IsTornSegmentHeader(contents_)) {
    // A direct write of the header block, torn: the rest of the block reads as zeros.
    FinishAt(0, Status::Error(ErrorCode::kTornWrite,
                              "WAL segment '{}' offset 0 (LSN {}): header torn ({} bytes, no "
                              "record after it)",
                              path, next_lsn_, contents_.size()));
    return Status::Ok();
  }
  LAMINAR_RETURN_IF_ERROR(wal::CheckSegmentHeader(contents_, path, next_lsn_));
  version_ = wal::SegmentVersion(contents_);
  offset_ = wal::kSegmentHeaderSize;
  loaded_ = true;
  return Status::Ok();
}

Status WalReader::HandleBadFrame(ErrorCode problem, const std::string& reason) {
  const std::string path = SegmentPath(segment_index_);
  const bool newest = segment_index_ + 1 == segments_.size();
  const ErrorCode code = problem == ErrorCode::kTornWrite ? ErrorCode::kCorruption : problem;
  if (!newest) {
    return Status::Error(code,
                         "WAL segment '{}' offset {} (LSN {}): {}; the segment is not the newest, "
                         "so it is not a torn write",
                         path, offset_, next_lsn_, reason);
  }
  const size_t cut = contents_.size() - offset_;
  if (version_ >= 3) {
    // Each group begins with a marker and is synced before the next is written: a marker
    // after the damage shows that the damaged bytes had been synced.
    if (const auto marker = wal::GroupMarkerFollows(contents_, offset_, next_lsn_)) {
      return Status::Error(code,
                           "WAL segment '{}' offset {} (LSN {}): {}; a group begun at offset {} "
                           "after it shows it had been synced, so it is not a torn write",
                           path, offset_, next_lsn_, reason, *marker);
    }
    const bool out_of_order = wal::ValidFrameFollows(contents_, offset_);
    FinishAt(offset_, Status::Error(ErrorCode::kTornWrite,
                                    "WAL segment '{}' offset {} (LSN {}): torn write, {}; {} bytes "
                                    "after the last valid record cut away{}",
                                    path, offset_, next_lsn_, reason, cut,
                                    out_of_order ? ", among them records of the same unsynced "
                                                   "group that the device persisted out of order"
                                                 : ""));
    return Status::Ok();
  }
  if (!wal::ValidFrameFollows(contents_, offset_)) {
    FinishAt(offset_, Status::Error(ErrorCode::kTornWrite,
                                    "WAL segment '{}' offset {} (LSN {}): torn write, {}; {} "
                                    "bytes after the last valid record",
                                    path, offset_, next_lsn_, reason, cut));
    return Status::Ok();
  }
  return Status::Error(code,
                       "WAL segment '{}' offset {} (LSN {}): {}; valid records follow it in a "
                       "segment of format version {}, which has no group markers, so it is not "
                       "a torn write",
                       path, offset_, next_lsn_, reason, version_);
}

Result<bool> WalReader::Next(WalRecord* record) {
  while (!at_end_) {
    if (!loaded_) {
      LAMINAR_RETURN_IF_ERROR(LoadSegment());
      continue;
    }
    const Frame frame = wal::ParseFrame(contents_, offset_);
    switch (frame.kind) {
      case Frame::Kind::kRecord: {
        const uint64_t lsn = next_lsn_++;
        offset_ += frame.size;
        if (lsn < from_lsn_) continue;
        record->lsn = lsn;
        record->payload = frame.payload;
        return true;
      }
      case Frame::Kind::kPadding:
        offset_ += frame.size;
        break;
      case Frame::Kind::kGroupMarker:
        if (frame.marker_lsn != next_lsn_) {
          return Status::Error(ErrorCode::kCorruption,
                               "WAL segment '{}' offset {}: a group marker says the next record "
                               "is LSN {}, but it is LSN {}",
                               SegmentPath(segment_index_), offset_, frame.marker_lsn, next_lsn_);
        }
        offset_ += frame.size;
        break;
      case Frame::Kind::kEnd:
        if (segment_index_ + 1 == segments_.size()) {
          FinishAt(offset_, Status::Ok());
          break;
        }
        if (segments_[segment_index_ + 1] != next_lsn_) {
          return Status::Error(ErrorCode::kCorruption,
                               "WAL '{}': segment '{}' ends before LSN {} but the next segment "
                               "starts at LSN {}",
                               directory_, SegmentPath(segment_index_), next_lsn_,
                               segments_[segment_index_ + 1]);
        }
        ++segment_index_;
        loaded_ = false;
        break;
      case Frame::Kind::kBad:
        LAMINAR_RETURN_IF_ERROR(HandleBadFrame(frame.problem, frame.reason));
        break;
    }
  }
  return false;
}

}  // namespace laminar::storage

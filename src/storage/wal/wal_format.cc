#include "storage/wal/wal_format.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/crc32c.h"

namespace laminar::storage::wal {

// Integers are stored little-endian; on a little-endian host that is a plain copy.
static_assert(std::endian::native == std::endian::little, "the WAL codec assumes little-endian");

namespace {

constexpr std::string_view kPrefix = "wal-";
constexpr std::string_view kSuffix = ".log";
constexpr size_t kLsnDigits = 20;

template <typename T>
T Load(const char* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

template <typename T>
void Store(char* bytes, T value) {
  std::memcpy(bytes, &value, sizeof(T));
}

constexpr char kFullType = static_cast<char>(RecordType::kFull);
constexpr char kPaddingType = static_cast<char>(RecordType::kPadding);
constexpr char kMarkerType = static_cast<char>(RecordType::kGroupMarker);
constexpr uint32_t kMarkerPayloadSize = kGroupMarkerSize - kRecordHeaderSize;

// A frame's checksum covers its type, then its payload.
uint32_t ChecksumStart(char type) { return Crc32c(std::string_view(&type, 1)); }

uint32_t TypedChecksum(char type, std::string_view payload) {
  return MaskCrc(Crc32cExtend(ChecksumStart(type), payload));
}

}  // namespace

std::string SegmentFileName(uint64_t first_lsn) {
  std::string digits = std::to_string(first_lsn);
  std::string name(kPrefix);
  name.append(kLsnDigits - digits.size(), '0');
  name += digits;
  name += kSuffix;
  return name;
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kPrefix.size() + kLsnDigits + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(kPrefix.size(), kLsnDigits);
  uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Result<std::vector<uint64_t>> ListSegments(FileSystem* fs, const std::string& directory) {
  LAMINAR_ASSIGN_OR_RETURN(const auto names, fs->ListDirectory(directory));
  std::vector<uint64_t> segments;
  for (const auto& name : names) {
    if (const auto first_lsn = ParseSegmentFileName(name)) segments.push_back(*first_lsn);
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

std::string EncodeSegmentHeader(uint64_t first_lsn, uint32_t version) {
  std::string header(kSegmentHeaderSize, '\0');
  std::memcpy(header.data(), kSegmentMagic.data(), kSegmentMagic.size());
  Store<uint32_t>(header.data() + 8, version);
  Store<uint32_t>(header.data() + 12, 0);
  Store<uint64_t>(header.data() + 16, first_lsn);
  Store<uint32_t>(header.data() + 24, MaskCrc(Crc32c(std::string_view(header.data(), 24))));
  return header;
}

namespace {

bool HasSegmentMagic(std::string_view contents) {
  return contents.substr(0, kSegmentMagic.size()) == kSegmentMagic;
}

bool HeaderChecksumMatches(std::string_view contents) {
  return UnmaskCrc(Load<uint32_t>(contents.data() + 24)) == Crc32c(contents.substr(0, 24));
}

}  // namespace

bool IsTornSegmentHeader(std::string_view contents) {
  // A segment's first write, synced before any record goes in, is at most one block.
  if (contents.size() > kDirectWriteAlignment) return false;
  const uint32_t version = Load<uint32_t>(contents.data() + 8);
  if (version > kFormatVersion) return false;
  const bool intact = HasSegmentMagic(contents) && HeaderChecksumMatches(contents);
  const std::string_view rest = contents.substr(kSegmentHeaderSize);
  return !intact && std::all_of(rest.begin(), rest.end(), [](char c) { return c == '\0'; });
}

Status CheckSegmentHeader(std::string_view contents, const std::string& path,
                          uint64_t expected_first_lsn) {
  if (!HasSegmentMagic(contents)) {
    return Status::Error(ErrorCode::kCorruption, "WAL segment '{}': not a WAL segment (bad magic)",
                         path);
  }
  // The version comes before the checksum: another version may lay out its header otherwise.
  const uint32_t version = Load<uint32_t>(contents.data() + 8);
  if (version < kOldestReadableVersion || version > kFormatVersion) {
    return Status::Error(ErrorCode::kUnsupportedFormatVersion,
                         "WAL segment '{}': format version {} (this build reads versions {} to {})",
                         path, version, kOldestReadableVersion, kFormatVersion);
  }
  if (!HeaderChecksumMatches(contents)) {
    return Status::Error(ErrorCode::kChecksumMismatch,
                         "WAL segment '{}' offset 0: header checksum mismatch", path);
  }
  const uint64_t first_lsn = Load<uint64_t>(contents.data() + 16);
  if (first_lsn != expected_first_lsn) {
    return Status::Error(ErrorCode::kCorruption,
                         "WAL segment '{}': header says first LSN {}, the file name says {}", path,
                         first_lsn, expected_first_lsn);
  }
  return Status::Ok();
}

uint32_t SegmentVersion(std::string_view contents) { return Load<uint32_t>(contents.data() + 8); }

uint32_t RecordChecksum(std::string_view payload) { return TypedChecksum(kFullType, payload); }

uint32_t RecordChecksumStart() { return ChecksumStart(kFullType); }

void EncodeRecordHeader(size_t payload_size, uint32_t masked_checksum, char* out) {
  Store<uint32_t>(out, static_cast<uint32_t>(payload_size));
  Store<uint32_t>(out + 4, masked_checksum);
  out[8] = kFullType;
}

size_t PaddingSize(uint64_t size, size_t block) {
  const size_t rest = static_cast<size_t>(size % block);
  if (rest == 0) return 0;
  const size_t padding = block - rest;
  return padding >= kRecordHeaderSize ? padding : padding + block;
}

void EncodePaddingRecord(size_t size, char* out) {
  const size_t length = size - kRecordHeaderSize;
  std::memset(out + kRecordHeaderSize, 0, length);
  const std::string_view payload(out + kRecordHeaderSize, length);
  Store<uint32_t>(out, static_cast<uint32_t>(length));
  Store<uint32_t>(out + 4, TypedChecksum(kPaddingType, payload));
  out[8] = kPaddingType;
}

void EncodeGroupMarker(uint64_t next_lsn, char* out) {
  Store<uint64_t>(out + kRecordHeaderSize, next_lsn);
  const std::string_view payload(out + kRecordHeaderSize, kMarkerPayloadSize);
  Store<uint32_t>(out, kMarkerPayloadSize);
  Store<uint32_t>(out + 4, TypedChecksum(kMarkerType, payload));
  out[8] = kMarkerType;
}

Frame ParseFrame(std::string_view contents, size_t offset) {
  Frame frame;
  const size_t remaining = contents.size() - offset;
  if (remaining == 0) return frame;
  frame.kind = Frame::Kind::kBad;
  if (remaining < kRecordHeaderSize) {
    frame.problem = ErrorCode::kTornWrite;
    frame.reason =
        fmt::format("record header cut short ({} of {} bytes)", remaining, kRecordHeaderSize);
    return frame;
  }
  const char* header = contents.data() + offset;
  const uint32_t length = Load<uint32_t>(header);
  const uint32_t stored = Load<uint32_t>(header + 4);
  const char type = header[8];
  if (type != kFullType && type != kPaddingType && type != kMarkerType) {
    frame.problem = ErrorCode::kCorruption;
    frame.reason = fmt::format("unknown record type {}", static_cast<int>(uint8_t(type)));
    return frame;
  }
  if (length > kMaxPayloadSize || (type == kMarkerType && length != kMarkerPayloadSize)) {
    frame.problem = ErrorCode::kCorruption;
    frame.reason = fmt::format("impossible record length {}", length);
    return frame;
  }
  if (remaining - kRecordHeaderSize < length) {
    frame.problem = ErrorCode::kTornWrite;
    frame.reason = fmt::format("record cut short ({} of {} payload bytes)",
                               remaining - kRecordHeaderSize, length);
    return frame;
  }
  const std::string_view payload = contents.substr(offset + kRecordHeaderSize, length);
  if (TypedChecksum(type, payload) != stored) {
    frame.problem = ErrorCode::kChecksumMismatch;
    frame.reason = type == kFullType      ? "record checksum mismatch"
                   : type == kPaddingType ? "padding checksum mismatch"
                                          : "group marker checksum mismatch";
    return frame;
  }
  frame.kind = type == kFullType      ? Frame::Kind::kRecord
               : type == kPaddingType ? Frame::Kind::kPadding
                                      : Frame::Kind::kGroupMarker;
  if (type == kMarkerType) frame.marker_lsn = Load<uint64_t>(payload.data());
  frame.payload = payload;
  frame.size = kRecordHeaderSize + length;
  return frame;
}

bool ValidFrameFollows(std::string_view contents, size_t offset) {
  for (size_t candidate = offset + 1; candidate + kRecordHeaderSize <= contents.size();
       ++candidate) {
    // Cheap filters first: the type byte and a length that fits; only then the checksum.
    if (contents[candidate + 8] != kFullType) continue;
    const uint32_t length = Load<uint32_t>(contents.data() + candidate);
    if (length > contents.size() - candidate - kRecordHeaderSize) continue;
    if (ParseFrame(contents, candidate).kind == Frame::Kind::kRecord) return true;
  }
  return false;
}

std::optional<size_t> GroupMarkerFollows(std::string_view contents, size_t offset, uint64_t lsn) {
  for (size_t candidate = offset + 1; candidate + kGroupMarkerSize <= contents.size();
       ++candidate) {
    if (contents[candidate + 8] != kMarkerType ||
        Load<uint32_t>(contents.data() + candidate) != kMarkerPayloadSize) {
      continue;
    }
    const Frame frame = ParseFrame(contents, candidate);
    // Every record between takes at least a header's bytes.
    const uint64_t most_between = (candidate - offset) / kRecordHeaderSize;
    if (frame.kind == Frame::Kind::kGroupMarker && frame.marker_lsn >= lsn &&
        frame.marker_lsn - lsn <= most_between) {
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace laminar::storage::wal

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/crc32c.h"
#include "common/fault_injection_file_system.h"
#include "common/memory_file_system.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_reader.h"
#include "storage/wal/wal_writer.h"

namespace laminar::storage {
namespace {

constexpr char kDirectory[] = "/db/wal";

using Records = std::vector<std::pair<uint64_t, std::string>>;

Result<Records> ReadAll(FileSystem* fs, uint64_t from_lsn = 0, WalTail* tail = nullptr) {
  LAMINAR_ASSIGN_OR_RETURN(auto reader, WalReader::Open(fs, kDirectory, from_lsn));
  Records records;
  WalRecord record;
  while (true) {
    LAMINAR_ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
    if (!more) break;
    records.emplace_back(record.lsn, std::string(record.payload));
  }
  if (tail != nullptr) *tail = reader->tail();
  return records;
}

std::string Payload(uint64_t i) {
  // Varying sizes, including empty payloads, so framing is exercised.
  return std::string(i % 37, static_cast<char>('a' + i % 26)) + std::to_string(i);
}

std::string SegmentPath(uint64_t first_lsn) {
  return std::string(kDirectory) + "/" + wal::SegmentFileName(first_lsn);
}

// Whether a segment was written around the page cache: its header is padded to a block.
bool AroundThePageCache(const std::string& contents) {
  return contents.size() >= kDirectWriteAlignment &&
         wal::ParseFrame(contents, wal::kSegmentHeaderSize).kind == wal::Frame::Kind::kPadding;
}

// A closed log's newest segment as a crash before Close would have left it: without the
// marker-only group Close ends the log with (a block of its own around the page cache).
std::string WithoutClosingMarker(const std::string& contents) {
  const size_t size = AroundThePageCache(contents) ? kDirectWriteAlignment : wal::kGroupMarkerSize;
  EXPECT_GE(contents.size(), wal::kSegmentHeaderSize + size);
  EXPECT_EQ(wal::ParseFrame(contents, contents.size() - size).kind, wal::Frame::Kind::kGroupMarker);
  return contents.substr(0, contents.size() - size);
}

// A record framed as the writer frames it (header and payload), for segments built by hand.
std::string FramedRecord(std::string_view payload) {
  char header[wal::kRecordHeaderSize];
  wal::EncodeRecordHeader(payload.size(), wal::RecordChecksum(payload), header);
  return std::string(header, sizeof header) + std::string(payload);
}

// The offset of the record with LSN `lsn` in a segment whose first LSN is `first_lsn`.
size_t RecordOffset(const std::string& contents, uint64_t first_lsn, uint64_t lsn) {
  size_t offset = wal::kSegmentHeaderSize;
  for (uint64_t next = first_lsn;;) {
    const wal::Frame frame = wal::ParseFrame(contents, offset);
    EXPECT_NE(frame.kind, wal::Frame::Kind::kBad);
    EXPECT_NE(frame.kind, wal::Frame::Kind::kEnd);
    if (frame.kind == wal::Frame::Kind::kRecord && next++ == lsn) return offset;
    if (frame.kind == wal::Frame::Kind::kBad || frame.kind == wal::Frame::Kind::kEnd) return 0;
    offset += frame.size;
  }
}

class WalTest : public ::testing::Test {
 protected:
  // kAsync options whose flush timer never fires, so that each Sync writes one group, with
  // every segment around the page cache where the file system allows it.
  static WalOptions OneGroupPerSync() {
    WalOptions options;
    options.sync_mode = WalSyncMode::kAsync;
    options.async_flush_interval_micros = 600'000'000;
    options.direct_write_threshold = 0;
    return options;
  }

  // Empties the log's directory, and lets the file system write around the page cache or not.
  void StartOver(bool direct) {
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    memory_.set_direct_writes(direct);
  }

  // How many bytes the marker-only group Close ends a log with can take segment `first_lsn`
  // past its size: a block around the page cache, the marker through it.
  uint64_t ClosingMarkerAllowance(uint64_t first_lsn) {
    return AroundThePageCache(*fs_.ReadFile(SegmentPath(first_lsn))) ? kDirectWriteAlignment
                                                                     : wal::kGroupMarkerSize;
  }

  std::unique_ptr<WalWriter> OpenWriter(WalOptions options = {}) {
    auto writer = WalWriter::Open(&fs_, kDirectory, options);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  // Appends `count` records with Payload(first..first+count) and waits for all of them.
  void AppendDurably(WalWriter* writer, uint64_t first, uint64_t count) {
    uint64_t last = 0;
    for (uint64_t i = first; i < first + count; ++i) {
      auto lsn = writer->Append(Payload(i));
      ASSERT_TRUE(lsn.ok()) << lsn.status();
      last = *lsn;
    }
    ASSERT_TRUE(writer->WaitDurable(last).ok());
  }

  // The log reads back as `payloads`, from LSN 1.
  void ExpectLogHolds(const std::vector<std::string>& payloads) {
    auto records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_EQ(records->size(), payloads.size());
    for (size_t i = 0; i < payloads.size(); ++i) {
      EXPECT_EQ((*records)[i].first, i + 1);
      // Not EXPECT_EQ: a failure would print megabytes.
      EXPECT_TRUE((*records)[i].second == payloads[i]) << "record " << i + 1;
    }
  }

  // Runs `produce` on `threads` threads (given their index) while another thread keeps
  // truncating the log behind what is durable.
  static void ProduceWhileTruncating(WalWriter* writer, int threads,
                                     const std::function<void(int)>& produce) {
    std::atomic<bool> done{false};
    std::thread truncator([&] {
      while (!done.load()) {
        ASSERT_TRUE(writer->Truncate(writer->durable_lsn() / 2).ok());
      }
    });
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) producers.emplace_back(produce, t);
    for (auto& producer : producers) producer.join();
    ASSERT_TRUE(writer->Sync().ok());
    done = true;
    truncator.join();
  }

  MemoryFileSystem memory_;
  FaultInjectionFileSystem fs_{&memory_};
};

TEST_F(WalTest, SegmentFileNamesCarryTheFirstLsnInTwentyDigits) {
  EXPECT_EQ(wal::SegmentFileName(42), "wal-00000000000000000042.log");
  EXPECT_EQ(wal::ParseSegmentFileName("wal-00000000000000000042.log"), 42u);
  EXPECT_EQ(wal::ParseSegmentFileName("wal-18446744073709551615.log"), UINT64_MAX);
  EXPECT_FALSE(wal::ParseSegmentFileName("wal-18446744073709551616.log").has_value());
  EXPECT_FALSE(wal::ParseSegmentFileName("wal-42.log").has_value());
  EXPECT_FALSE(wal::ParseSegmentFileName("wal-0000000000000000004x.log").has_value());
}

TEST_F(WalTest, RoundTripAcrossSegmentRolls) {
  WalOptions options;
  options.segment_size = 256;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  AppendDurably(writer.get(), 0, 300);
  EXPECT_EQ(writer->next_lsn(), 301u);
  EXPECT_EQ(writer->durable_lsn(), 300u);
  const auto segments = writer->segments();
  EXPECT_GT(segments.size(), 10u);
  ASSERT_TRUE(writer->Close().ok());

  // No segment exceeds the limit, since every record is smaller than it.
  for (const uint64_t first_lsn : segments) {
    EXPECT_LE(*fs_.GetFileSize(SegmentPath(first_lsn)), 256u);
  }
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 300u);
  for (uint64_t i = 0; i < 300; ++i) {
    EXPECT_EQ((*records)[i].first, i + 1);
    EXPECT_EQ((*records)[i].second, Payload(i));
  }
  // Reading from the middle starts at that record, even inside a segment.
  auto tail_records = ReadAll(&fs_, 123);
  ASSERT_TRUE(tail_records.ok()) << tail_records.status();
  ASSERT_EQ(tail_records->size(), 178u);
  EXPECT_EQ(tail_records->front().first, 123u);
  EXPECT_EQ(tail_records->front().second, Payload(122));
}

TEST_F(WalTest, ARecordLargerThanASegmentGetsASegmentOfItsOwn) {
  WalOptions options;
  options.segment_size = 100;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  const std::string big(1000, 'x');
  ASSERT_TRUE(writer->Append("small").ok());
  ASSERT_TRUE(writer->Append(big).ok());
  ASSERT_TRUE(writer->Append("after").ok());
  ASSERT_TRUE(writer->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].second, big);
}

// Records fill the pending buffers (64 KiB, then 1 MiB) one after another, continuing in the
// next buffer where one is full; around the page cache every buffer written but a group's
// last is whole blocks, and only the last is padded.
TEST_F(WalTest, RecordsOfEverySizeAroundTheGroupBuffersReadBackInOrder) {
  for (const bool direct : {false, true})
    for (const WalSyncMode mode : {WalSyncMode::kAsync, WalSyncMode::kSync}) {
      SCOPED_TRACE(mode == WalSyncMode::kAsync ? "async" : "sync");
      SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
      ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
      memory_.set_direct_writes(direct);
      WalOptions options;
      options.sync_mode = mode;
      options.segment_size = 8 << 20;
      options.max_pending_bytes = 4 << 20;
      options.direct_write_threshold = 0;
      auto writer = OpenWriter(options);
      ASSERT_NE(writer, nullptr);
      const size_t mib = 1 << 20;
      const size_t kib64 = 64 << 10;
      const std::vector<size_t> sizes = {
          10,  kib64 - 20, kib64 - 19, kib64,   kib64 + 1, mib - 20, mib - 19,  3 * mib,   5,
          mib, mib / 2,    mib / 2,    mib / 2, mib + 1,   2 * mib,  kib64 / 2, kib64 / 2, 0};
      std::vector<std::string> payloads;
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < sizes.size(); ++i) {
          std::string payload(sizes[i], static_cast<char>('a' + (round * 18 + i) % 26));
          if (!payload.empty()) payload.front() = static_cast<char>(i);
          auto lsn = writer->Append(payload);
          ASSERT_TRUE(lsn.ok()) << lsn.status();
          // A sync log decides to go around the page cache once a group has been written:
          // from then on every new segment does (the threshold is 0).
          if (*lsn == 1) {
            ASSERT_TRUE(writer->WaitDurable(*lsn).ok());
          }
          payloads.push_back(std::move(payload));
        }
      }
      const std::vector<uint64_t> segments = writer->segments();
      ASSERT_TRUE(writer->Close().ok());
      EXPECT_GE(segments.size(), 3u);
      for (const uint64_t first_lsn : segments) {
        const std::string contents = *fs_.ReadFile(SegmentPath(first_lsn));
        const uint64_t size = contents.size();
        EXPECT_LE(size, options.segment_size +
                            (first_lsn == segments.back() ? ClosingMarkerAllowance(first_lsn) : 0))
            << "segment " << first_lsn;
        EXPECT_EQ(contents[8], 3) << "segment " << first_lsn;
        // Async segments start around the page cache; sync ones from the second on.
        if (direct && (mode == WalSyncMode::kAsync || first_lsn != segments.front())) {
          EXPECT_TRUE(AroundThePageCache(contents)) << "segment " << first_lsn;
          EXPECT_EQ(size % kDirectWriteAlignment, 0u) << "segment " << first_lsn;
        }
      }
      ExpectLogHolds(payloads);
    }
}

// A header split by the end of a buffer is written into both, whether the record was
// checksummed before its copy (small records) or by it (records of 64 KiB and more, whose
// header is copied first and completed once the payload is in).
TEST_F(WalTest, AHeaderSplitBetweenTwoBuffersIsCompletedInBoth) {
  for (const bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
    StartOver(direct);
    auto writer = OpenWriter(OneGroupPerSync());
    ASSERT_NE(writer, nullptr);
    std::vector<std::string> payloads;
    // Each group's first buffer holds 64 KiB and begins with a marker; its first record leaves
    // `before` bytes of room, so the next header has that many bytes in it and the rest in
    // the next buffer.
    const size_t first_buffer = 64 << 10;
    for (const size_t next_size : {size_t{20}, size_t{100'000}}) {
      for (size_t before = 0; before <= wal::kRecordHeaderSize; ++before) {
        payloads.emplace_back(
            first_buffer - wal::kGroupMarkerSize - wal::kRecordHeaderSize - before,
            static_cast<char>('a' + before));
        payloads.emplace_back(next_size, static_cast<char>('A' + before));
        for (size_t i = payloads.size() - 2; i < payloads.size(); ++i) {
          ASSERT_TRUE(writer->Append(payloads[i]).ok());
        }
        ASSERT_TRUE(writer->Sync().ok());
      }
    }
    ASSERT_TRUE(writer->Close().ok());
    ExpectLogHolds(payloads);
  }
}

// A record appended in parts is the parts back to back, whatever their sizes (empty ones too)
// and wherever the buffers end.
TEST_F(WalTest, ARecordAppendedInPartsReadsBackAsOnePayload) {
  auto writer = OpenWriter(OneGroupPerSync());
  ASSERT_NE(writer, nullptr);
  std::vector<std::string> payloads;
  // 64 KiB - 5 and 64 KiB in all: either side of the size checksummed by its copy.
  for (const size_t big : {size_t{0}, size_t{1000}, size_t{(64 << 10) - 10}, size_t{(64 << 10) - 5},
                           size_t{70'000}, size_t{1'500'000}}) {
    const std::string large(big, 'L');
    const std::vector<std::string_view> parts = {"", "head", "", large, "x", ""};
    auto lsn = writer->Append(parts);
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    payloads.push_back("head" + large + "x");
  }
  auto empty = writer->Append(std::span<const std::string_view>());
  ASSERT_TRUE(empty.ok()) << empty.status();
  payloads.emplace_back();
  ASSERT_TRUE(writer->Close().ok());
  ExpectLogHolds(payloads);
}

// Records checksummed by their copy that each start a segment (a roll between the previous
// record and this one) read back too, through and around the page cache.
TEST_F(WalTest, LargeRecordsThatStartSegmentsReadBack) {
  for (const bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
    StartOver(direct);
    WalOptions options = OneGroupPerSync();
    options.segment_size = 128 << 10;
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    std::vector<std::string> payloads;
    for (int i = 0; i < 6; ++i) {
      payloads.emplace_back(100'000 + i, static_cast<char>('a' + i));
      const std::vector<std::string_view> parts = {std::string_view(payloads.back()).substr(0, 7),
                                                   std::string_view(payloads.back()).substr(7)};
      ASSERT_TRUE(writer->Append(parts).ok());
      if (i % 2 == 1) {
        ASSERT_TRUE(writer->Sync().ok());
      }
    }
    EXPECT_EQ(writer->segments().size(), payloads.size());
    ASSERT_TRUE(writer->Close().ok());
    ExpectLogHolds(payloads);
  }
}

TEST_F(WalTest, ReopeningContinuesAfterTheLastRecord) {
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 10);
  }
  auto writer = OpenWriter();
  ASSERT_NE(writer, nullptr);
  EXPECT_TRUE(writer->recovery().torn.ok());
  EXPECT_EQ(writer->next_lsn(), 11u);
  EXPECT_EQ(writer->durable_lsn(), 10u);
  auto lsn = writer->Append("eleven");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, 11u);
  ASSERT_TRUE(writer->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 11u);
  EXPECT_EQ(records->back(), std::make_pair(uint64_t{11}, std::string("eleven")));
}

TEST_F(WalTest, ANewLogStartsAtTheConfiguredLsn) {
  WalOptions options;
  options.first_lsn = 1000;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(*writer->Append("x"), 1000u);
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_TRUE(*fs_.Exists(SegmentPath(1000)));
}

TEST_F(WalTest, ManyProducersInSyncModeAreAllAcknowledgedAndReadBackOnceInOrder) {
  WalOptions options;
  options.segment_size = 4096;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  std::mutex acknowledged_mutex;
  std::map<uint64_t, std::string> acknowledged;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string payload = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto lsn = writer->Append(payload);
        ASSERT_TRUE(lsn.ok()) << lsn.status();
        ASSERT_TRUE(writer->WaitDurable(*lsn).ok());
        ASSERT_GE(writer->durable_lsn(), *lsn);
        std::lock_guard lock(acknowledged_mutex);
        ASSERT_TRUE(acknowledged.emplace(*lsn, payload).second) << "LSN handed out twice";
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(acknowledged.size(), size_t{kThreads * kPerThread});
  EXPECT_LE(writer->sync_count(), uint64_t{kThreads * kPerThread});
  ASSERT_TRUE(writer->Close().ok());

  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), acknowledged.size());
  uint64_t expected_lsn = 1;
  for (const auto& [lsn, payload] : *records) {
    EXPECT_EQ(lsn, expected_lsn++);
    EXPECT_EQ(acknowledged[lsn], payload);
  }
}

TEST_F(WalTest, AsyncModeFlushesInTheBackgroundAndSyncForcesIt) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 1000;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  uint64_t last = 0;
  for (uint64_t i = 0; i < 1000; ++i) last = *writer->Append(Payload(i));
  ASSERT_TRUE(writer->Sync().ok());
  EXPECT_EQ(writer->durable_lsn(), last);
  ASSERT_TRUE(writer->WaitDurable(last).ok());
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 1000u);
}

TEST_F(WalTest, AsyncModeMakesRecordsDurableWithoutBeingAsked) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 1000;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  const uint64_t lsn = *writer->Append("flushed by the timer");
  ASSERT_TRUE(writer->WaitDurable(lsn).ok());  // Returns after the next periodic flush.
  EXPECT_GE(writer->durable_lsn(), lsn);
}

// An async log with nothing to write sleeps without its timer, and the first record appended
// after a quiet spell wakes it: the record becomes durable without Sync.
TEST_F(WalTest, AnIdleAsyncLogSleepsUntilARecordArrives) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 1000;  // A timer would wake it 1,000 times a second.
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  const auto durable_soon = [&](uint64_t lsn) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (writer->durable_lsn() < lsn && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return writer->durable_lsn() >= lsn;
  };
  for (int spell = 0; spell < 3; ++spell) {
    SCOPED_TRACE(spell);
    // Flushed by the timer the record started, not by Sync.
    const auto lsn = writer->Append(std::string(300 << 10, 'q'));
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    ASSERT_TRUE(durable_soon(*lsn));
    // The spare buffers go back after about 100 ms; then the flusher sleeps.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (writer->spare_bytes() > (128 << 10) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_LE(writer->spare_bytes(), 128u << 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const uint64_t before = writer->flusher_wakeups();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_LE(writer->flusher_wakeups() - before, 1u);
  }
  ASSERT_TRUE(writer->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 3u);
}

TEST_F(WalTest, CloseWritesWhatIsPending) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 60'000'000;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  for (uint64_t i = 0; i < 50; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(writer->Append("late").status().code(), ErrorCode::kClosed);
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 50u);
}

TEST_F(WalTest, WaitingForAnLsnNotYetAppendedIsAnError) {
  auto writer = OpenWriter();
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->WaitDurable(5).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(writer->WaitDurable(0).ok());
}

TEST_F(WalTest, CrashKeepsEverythingAcknowledgedCutsTheTornTailAndAppendingContinues) {
  WalOptions options;
  options.segment_size = 1024;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  AppendDurably(writer.get(), 0, 100);
  const uint64_t acknowledged = writer->durable_lsn();
  // The next group's write is torn five bytes in; the crash follows.
  fs_.InjectFault(
      FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite).OnPath("wal-").KeepingBytes(5));
  auto lsn = writer->Append(Payload(100));
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(writer->WaitDurable(*lsn).code(), ErrorCode::kIoError);
  EXPECT_EQ(writer->Append("more").status().code(), ErrorCode::kIoError);
  EXPECT_EQ(writer->Close().code(), ErrorCode::kIoError);
  writer.reset();
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  fs_.ClearFaults();

  writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->recovery().torn.code(), ErrorCode::kTornWrite);
  EXPECT_EQ(writer->recovery().file_size - writer->recovery().valid_size, 5u);
  EXPECT_EQ(writer->next_lsn(), acknowledged + 1);
  AppendDurably(writer.get(), 200, 20);
  ASSERT_TRUE(writer->Close().ok());

  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), acknowledged + 20);
  for (uint64_t i = 0; i < acknowledged; ++i) EXPECT_EQ((*records)[i].second, Payload(i));
  for (uint64_t i = 0; i < 20; ++i) {
    EXPECT_EQ((*records)[acknowledged + i].first, acknowledged + 1 + i);
    EXPECT_EQ((*records)[acknowledged + i].second, Payload(200 + i));
  }
}

TEST_F(WalTest, CrashWithProducersRunningLosesNothingAcknowledged) {
  WalOptions options;
  options.segment_size = 2048;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  std::mutex acknowledged_mutex;
  std::map<uint64_t, std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string payload = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto lsn = writer->Append(payload);
        if (!lsn.ok()) return;
        if (!writer->WaitDurable(*lsn).ok()) return;
        std::lock_guard lock(acknowledged_mutex);
        acknowledged.emplace(*lsn, payload);
      }
    });
  }
  while (true) {
    std::lock_guard lock(acknowledged_mutex);
    if (acknowledged.size() >= 500) break;
  }
  ASSERT_TRUE(fs_.SimulateCrash().ok());  // The power goes while producers are appending.
  stop = true;
  for (auto& thread : threads) thread.join();
  writer.reset();

  auto reopened = OpenWriter(options);
  ASSERT_NE(reopened, nullptr);
  ASSERT_TRUE(reopened->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  std::map<uint64_t, std::string> recovered(records->begin(), records->end());
  for (const auto& [lsn, payload] : acknowledged) {
    ASSERT_EQ(recovered.count(lsn), 1u) << "acknowledged LSN " << lsn << " lost";
    EXPECT_EQ(recovered[lsn], payload);
  }
}

TEST_F(WalTest, TornLastRecordAtEveryCutPositionIsCutAway) {
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 5);
    ASSERT_TRUE(writer->Append("the last record, which will be torn").ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  const std::string path = SegmentPath(1);
  const std::string full = *fs_.ReadFile(path);
  // The last record, then the marker Close ended the log with: a cut in the marker loses no
  // record.
  const size_t closing_marker = full.size() - wal::kGroupMarkerSize;
  const size_t last_record = closing_marker - wal::kRecordHeaderSize - 35;
  ASSERT_EQ(RecordOffset(full, 1, 6), last_record);
  for (size_t cut = last_record; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    // The segment the reopen before began goes too: segment 1 is the newest again.
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    ASSERT_TRUE(memory_.CreateDirectories(kDirectory).ok());
    ASSERT_TRUE(fs_.WriteFile(path, full.substr(0, cut), /*sync=*/true).ok());

    WalTail tail;
    auto records = ReadAll(&fs_, 0, &tail);
    ASSERT_TRUE(records.ok()) << records.status();
    const bool record_whole = cut >= closing_marker;
    EXPECT_EQ(records->size(), record_whole ? 6u : 5u);
    EXPECT_EQ(tail.valid_size, record_whole ? closing_marker : last_record);
    EXPECT_EQ(tail.torn.code(),
              cut == last_record || cut == closing_marker ? ErrorCode::kOk : ErrorCode::kTornWrite);

    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->recovery().torn.code(), tail.torn.code());
    // Segment 1 holds records: the log goes on in a new segment.
    EXPECT_EQ(writer->segments(), (std::vector<uint64_t>{1, record_whole ? 7u : 6u}));
    EXPECT_EQ(*writer->Append("replacement"), record_whole ? 7u : 6u);
    ASSERT_TRUE(writer->Close().ok());
    records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_EQ(records->size(), record_whole ? 7u : 6u);
    EXPECT_EQ(records->back().second, "replacement");
  }
}

// A power loss can leave the last group's write persisted out of order: a hole where its
// first records were, later records of it intact. No group marker follows the hole (the
// group's own is before it), so it is a torn tail: the records after it, which were never
// synced, are cut away with it, and the log goes on after the records before it.
TEST_F(WalTest, AHoleInTheLastGroupBeforeItsLaterRecordsIsATornTail) {
  for (const bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
    StartOver(direct);
    const WalOptions options = OneGroupPerSync();
    auto group_payload = [](uint64_t i) { return std::string(500, 'g') + Payload(i); };
    size_t synced_size = 0;
    {
      auto writer = OpenWriter(options);
      ASSERT_NE(writer, nullptr);
      for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
      ASSERT_TRUE(writer->Sync().ok());
      synced_size = *fs_.GetFileSize(SegmentPath(1));
      for (uint64_t i = 10; i < 200; ++i) ASSERT_TRUE(writer->Append(group_payload(i)).ok());
      ASSERT_TRUE(writer->Sync().ok());
      ASSERT_TRUE(writer->Close().ok());
    }
    // The crash came before Close; the group's first 5000 bytes after its marker never
    // reached the device, its later blocks did.
    std::string contents = WithoutClosingMarker(*fs_.ReadFile(SegmentPath(1)));
    const size_t hole = RecordOffset(contents, 1, 11);
    ASSERT_EQ(hole, synced_size + wal::kGroupMarkerSize);
    ASSERT_GT(contents.size(), hole + 50'000);
    std::fill(contents.begin() + static_cast<ptrdiff_t>(hole),
              contents.begin() + static_cast<ptrdiff_t>(hole + 5000), '\0');
    ASSERT_TRUE(wal::ValidFrameFollows(contents, hole));
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), contents, /*sync=*/true).ok());

    WalTail tail;
    auto records = ReadAll(&fs_, 0, &tail);
    ASSERT_TRUE(records.ok()) << records.status();
    EXPECT_EQ(records->size(), 10u);
    EXPECT_EQ(tail.valid_size, hole);
    EXPECT_EQ(tail.torn.code(), ErrorCode::kTornWrite);
    EXPECT_NE(tail.torn.message().find("persisted out of order"), std::string_view::npos)
        << tail.torn;

    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->recovery().torn.code(), ErrorCode::kTornWrite);
    EXPECT_EQ(writer->next_lsn(), 11u);
    for (uint64_t i = 10; i < 15; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
    ASSERT_TRUE(writer->Close().ok());
    std::vector<std::string> payloads;
    for (uint64_t i = 0; i < 15; ++i) payloads.push_back(Payload(i));
    ExpectLogHolds(payloads);
  }
}

// A group that a roll carried into a new segment begins there with a marker too: a hole in
// that part, with later records of the group intact after it, is a torn tail, and the part in
// the older segment (synced by the roll) stays.
TEST_F(WalTest, AHoleInThePartOfTheLastGroupAfterARollIsATornTail) {
  for (const bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
    StartOver(direct);
    WalOptions options = OneGroupPerSync();
    options.segment_size = 64 << 10;
    std::vector<std::string> payloads;
    std::vector<uint64_t> segments;
    {
      auto writer = OpenWriter(options);
      ASSERT_NE(writer, nullptr);
      for (uint64_t i = 0; i < 10; ++i) {
        payloads.push_back(Payload(i));
        ASSERT_TRUE(writer->Append(payloads.back()).ok());
      }
      ASSERT_TRUE(writer->Sync().ok());
      for (uint64_t i = 10; i < 110; ++i) {
        payloads.push_back(std::string(1000, 'r') + Payload(i));
        ASSERT_TRUE(writer->Append(payloads.back()).ok());
      }
      ASSERT_TRUE(writer->Sync().ok());
      segments = writer->segments();
      ASSERT_TRUE(writer->Close().ok());
    }
    ASSERT_EQ(segments.size(), 2u);
    const uint64_t newest = segments.back();
    std::string contents = WithoutClosingMarker(*fs_.ReadFile(SegmentPath(newest)));
    const wal::Frame marker =
        wal::ParseFrame(contents, direct ? kDirectWriteAlignment : wal::kSegmentHeaderSize);
    ASSERT_EQ(marker.kind, wal::Frame::Kind::kGroupMarker);
    EXPECT_EQ(marker.marker_lsn, newest);
    const size_t hole = RecordOffset(contents, newest, newest);
    ASSERT_GT(contents.size(), hole + 20'000);
    std::fill(contents.begin() + static_cast<ptrdiff_t>(hole),
              contents.begin() + static_cast<ptrdiff_t>(hole + 3000), '\0');
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(newest), contents, /*sync=*/true).ok());

    WalTail tail;
    auto records = ReadAll(&fs_, 0, &tail);
    ASSERT_TRUE(records.ok()) << records.status();
    EXPECT_EQ(records->size(), newest - 1);
    EXPECT_EQ(tail.torn.code(), ErrorCode::kTornWrite);
    payloads.resize(newest - 1);
    ExpectLogHolds(payloads);
  }
}

// Close ends the log with a marker in a group of its own, synced after the records. A reopened
// log goes on in a new segment, so that the old one ends with its records; a segment without
// records is continued, and a Close with nothing written adds nothing to it.
TEST_F(WalTest, CloseEndsTheLogWithAMarkerAndAReopenedLogGoesOnInANewSegment) {
  using Kind = wal::Frame::Kind;
  using Frames = std::vector<std::pair<Kind, uint64_t>>;
  auto frames = [&](uint64_t first_lsn) {
    Frames kinds;
    const std::string contents = *fs_.ReadFile(SegmentPath(first_lsn));
    for (size_t offset = wal::kSegmentHeaderSize; offset < contents.size();) {
      const wal::Frame frame = wal::ParseFrame(contents, offset);
      EXPECT_NE(frame.kind, Kind::kBad);
      if (frame.kind == Kind::kBad) break;
      kinds.emplace_back(frame.kind, frame.marker_lsn);
      offset += frame.size;
    }
    return kinds;
  };
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 1);
    const uint64_t syncs = writer->sync_count();
    ASSERT_TRUE(writer->Close().ok());
    EXPECT_EQ(writer->sync_count(), syncs + 1);
  }
  const Frames first = {{Kind::kGroupMarker, 1}, {Kind::kRecord, 0}, {Kind::kGroupMarker, 2}};
  EXPECT_EQ(frames(1), first);
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->segments(), (std::vector<uint64_t>{1, 2}));
    ASSERT_TRUE(writer->Close().ok());
  }
  EXPECT_EQ(frames(1), first);
  EXPECT_EQ(frames(2), Frames{});
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 1, 1);
  }
  const Frames second = {{Kind::kGroupMarker, 2}, {Kind::kRecord, 0}, {Kind::kGroupMarker, 3}};
  EXPECT_EQ(frames(2), second);
  // A crash before Close left the records last; the reopened log goes on in segment 3, and
  // segment 2 ends with its record.
  ASSERT_TRUE(
      fs_.WriteFile(SegmentPath(2), WithoutClosingMarker(*fs_.ReadFile(SegmentPath(2))), true)
          .ok());
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->segments(), (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_TRUE(writer->recovery().torn.ok());
  }
  EXPECT_EQ(frames(2), (Frames{{Kind::kGroupMarker, 2}, {Kind::kRecord, 0}}));
  ExpectLogHolds({Payload(0), Payload(1)});
  // Damage to that record is now in an older segment: never a torn write.
  std::string contents = *fs_.ReadFile(SegmentPath(2));
  contents.back() ^= 0x10;
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(2), contents, /*sync=*/true).ok());
  EXPECT_EQ(ReadAll(&fs_).status().code(), ErrorCode::kChecksumMismatch);
}

// The records were durable before Close writes its marker: a failure to write it is no error,
// and the log reopens with every record.
TEST_F(WalTest, AClosingMarkerThatCannotBeWrittenIsNoError) {
  for (const FaultOperation operation : {FaultOperation::kAppend, FaultOperation::kSync}) {
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 5);
    const uint64_t fired = fs_.faults_fired();
    fs_.InjectFault(FaultRule::At(operation, FaultKind::kNoSpace).OnPath("wal-"));
    EXPECT_TRUE(writer->Close().ok());
    EXPECT_EQ(fs_.faults_fired(), fired + 1);
    fs_.ClearFaults();
    writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->next_lsn(), 6u);
    ASSERT_TRUE(writer->Close().ok());
    ExpectLogHolds({Payload(0), Payload(1), Payload(2), Payload(3), Payload(4)});
  }
}

// A record of the unsynced last group whose payload holds marker bytes does not pass for a
// later group's marker: the LSN it names could not follow the damage.
TEST_F(WalTest, MarkerBytesInAPayloadDoNotTurnATornTailIntoCorruption) {
  const WalOptions options = OneGroupPerSync();
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
    ASSERT_TRUE(writer->Sync().ok());
    for (const uint64_t named : {uint64_t{1}, uint64_t{5000}}) {
      std::string payload(100, 'p');
      char marker[wal::kGroupMarkerSize];
      wal::EncodeGroupMarker(named, marker);
      payload.append(marker, sizeof marker);
      ASSERT_TRUE(writer->Append(payload).ok());
    }
    ASSERT_TRUE(writer->Sync().ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  std::string contents = WithoutClosingMarker(*fs_.ReadFile(SegmentPath(1)));
  const size_t hole = RecordOffset(contents, 1, 11);
  contents[hole + wal::kRecordHeaderSize] ^= 0x10;
  ASSERT_TRUE(wal::GroupMarkerFollows(contents, hole, 11) == std::nullopt);
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), contents, /*sync=*/true).ok());
  WalTail tail;
  auto records = ReadAll(&fs_, 0, &tail);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 10u);
  EXPECT_EQ(tail.torn.code(), ErrorCode::kTornWrite);
}

// Open begins a new segment after one with records: a crash (or a failure) at any step of
// that loses nothing, and the next Open begins it again.
TEST_F(WalTest, ACrashWhileOpenBeginsTheNewSegmentLosesNothing) {
  const std::vector<FaultRule> faults = {
      FaultRule::At(FaultOperation::kCreate, FaultKind::kIoError).OnPath(wal::SegmentFileName(8)),
      FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite)
          .OnPath(wal::SegmentFileName(8))
          .KeepingBytes(10),
      FaultRule::At(FaultOperation::kSync, FaultKind::kIoError).OnPath(wal::SegmentFileName(8)),
      FaultRule::At(FaultOperation::kSyncDirectory, FaultKind::kIoError)};
  for (size_t i = 0; i < faults.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    {
      auto writer = OpenWriter();
      ASSERT_NE(writer, nullptr);
      AppendDurably(writer.get(), 0, 7);
      ASSERT_TRUE(writer->Close().ok());
    }
    fs_.InjectFault(faults[i]);
    EXPECT_FALSE(WalWriter::Open(&fs_, kDirectory).ok());
    fs_.ClearFaults();
    ASSERT_TRUE(fs_.SimulateCrash().ok());
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->next_lsn(), 8u);
    EXPECT_EQ(writer->segments(), (std::vector<uint64_t>{1, 8}));
    AppendDurably(writer.get(), 7, 1);
    ASSERT_TRUE(writer->Close().ok());
    std::vector<std::string> payloads;
    for (uint64_t p = 0; p < 8; ++p) payloads.push_back(Payload(p));
    ExpectLogHolds(payloads);
  }
}

// A randomized model of a single power loss: groups of records of random sizes, each synced,
// then a loss while the next group is in flight, its sectors persisted in any order (each
// 512-byte sector whole, old or new). Open never fails, and the log reads back every record of
// the synced groups and, after them, a prefix of the lost group's. And with the last group
// whole, one flipped bit anywhere before it is always reported, never cut away.
TEST_F(WalTest, ASinglePowerLossNeverFailsOpenNorLosesASyncedGroup) {
  constexpr size_t kSector = 512;
  std::mt19937_64 random(20261123);
  for (int iteration = 0; iteration < 300; ++iteration) {
    SCOPED_TRACE(iteration);
    const bool direct = random() % 2 == 0;
    StartOver(direct);
    std::vector<std::string> payloads;
    std::vector<size_t> records_after;  // Records in the log after each Sync.
    std::vector<std::string> states;    // The segment after Open and after each Sync.
    {
      auto writer = OpenWriter(OneGroupPerSync());
      ASSERT_NE(writer, nullptr);
      states.push_back(*fs_.ReadFile(SegmentPath(1)));
      records_after.push_back(0);
      const int groups = 2 + static_cast<int>(random() % 5);
      for (int g = 0; g < groups; ++g) {
        const int records = 1 + static_cast<int>(random() % 30);
        for (int r = 0; r < records; ++r) {
          const size_t size = random() % 8 == 0 ? random() % 150'000 : random() % 3000;
          std::string payload(size, static_cast<char>('a' + payloads.size() % 26));
          ASSERT_TRUE(writer->Append(payload).ok());
          payloads.push_back(std::move(payload));
        }
        ASSERT_TRUE(writer->Sync().ok());
        states.push_back(*fs_.ReadFile(SegmentPath(1)));
        records_after.push_back(payloads.size());
      }
      ASSERT_EQ(writer->segments(), std::vector<uint64_t>{1});
    }
    // The loss: group k + 1 in flight over the synced state k.
    const size_t k = random() % (states.size() - 1);
    const std::string& synced = states[k];
    const std::string& next = states[k + 1];
    std::string crashed = synced;
    for (size_t sector = synced.size() / kSector * kSector; sector < next.size();
         sector += kSector) {
      if (random() % 2 == 0) continue;  // This sector never reached the device.
      const size_t end = std::min(next.size(), sector + kSector);
      if (crashed.size() < end) crashed.resize(end, '\0');
      std::copy(next.begin() + static_cast<ptrdiff_t>(sector),
                next.begin() + static_cast<ptrdiff_t>(end),
                crashed.begin() + static_cast<ptrdiff_t>(sector));
    }
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), crashed, /*sync=*/true).ok());
    auto records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_GE(records->size(), records_after[k]);
    ASSERT_LE(records->size(), records_after[k + 1]);
    for (size_t i = 0; i < records->size(); ++i) {
      ASSERT_TRUE((*records)[i].second == payloads[i]) << "record " << i + 1;
    }
    auto writer = OpenWriter(OneGroupPerSync());
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->next_lsn(), records->size() + 1);
    writer.reset();

    // Damage before a whole last group: the last group's marker follows it.
    const std::string& whole = states.back();
    size_t last_marker = 0;
    for (size_t offset = wal::kSegmentHeaderSize; offset < whole.size();) {
      const wal::Frame frame = wal::ParseFrame(whole, offset);
      ASSERT_NE(frame.kind, wal::Frame::Kind::kBad);
      if (frame.kind == wal::Frame::Kind::kGroupMarker) last_marker = offset;
      offset += frame.size;
    }
    ASSERT_GT(last_marker, wal::kSegmentHeaderSize);
    std::string damaged = whole;
    const size_t at = wal::kSegmentHeaderSize + random() % (last_marker - wal::kSegmentHeaderSize);
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (random() % 8)));
    StartOver(direct);
    ASSERT_TRUE(memory_.CreateDirectories(kDirectory).ok());
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), damaged, /*sync=*/true).ok());
    const Status status = ReadAll(&fs_).status();
    EXPECT_TRUE(status.code() == ErrorCode::kChecksumMismatch ||
                status.code() == ErrorCode::kCorruption)
        << "bit flipped at offset " << at << ": " << status;
  }
}

TEST_F(WalTest, TornHeaderOfTheNewestSegmentIsReplaced) {
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 3);
  }
  // A crash while segment 4 was being created left a few bytes of its header.
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(4), "LDBW", /*sync=*/true).ok());
  auto writer = OpenWriter();
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->recovery().torn.code(), ErrorCode::kTornWrite);
  EXPECT_EQ(*writer->Append("four"), 4u);
  ASSERT_TRUE(writer->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 4u);
}

TEST_F(WalTest, TornTailFollowedOnlyByZerosIsATornWrite) {
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 3);
  }
  const std::string path = SegmentPath(1);
  const std::string full = *fs_.ReadFile(path);
  ASSERT_TRUE(fs_.WriteFile(path, full + std::string(100, '\0'), /*sync=*/true).ok());
  WalTail tail;
  auto records = ReadAll(&fs_, 0, &tail);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 3u);
  EXPECT_EQ(tail.torn.code(), ErrorCode::kTornWrite);
}

class WalCorruptionTest : public WalTest {
 protected:
  // Writes ten records into one segment, closes the log (which ends it with a group marker)
  // and returns the offset of record `index` (0-based).
  size_t WriteTenRecords(size_t index) {
    auto writer = OpenWriter();
    EXPECT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 10);
    EXPECT_TRUE(writer->Close().ok());
    return RecordOffset(*fs_.ReadFile(SegmentPath(1)), 1, index + 1);
  }

  // Segment 1 holds `contents`: reading the log fails with `code`, saying `saying`.
  void ExpectReadFails(const std::string& contents, ErrorCode code, std::string_view saying) {
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), contents, /*sync=*/true).ok());
    auto records = ReadAll(&fs_);
    ASSERT_FALSE(records.ok());
    EXPECT_EQ(records.status().code(), code);
    EXPECT_NE(records.status().message().find(saying), std::string_view::npos) << records.status();
  }

  void FlipBit(const std::string& path, size_t offset) {
    std::string contents = *fs_.ReadFile(path);
    contents[offset] ^= 0x10;
    ASSERT_TRUE(fs_.WriteFile(path, contents, /*sync=*/true).ok());
  }
};

// Damage to the last group of a log closed cleanly: the marker Close ended it with shows the
// group had been synced.
TEST_F(WalCorruptionTest, BitFlipInTheMiddleIsAChecksumMismatchNamingSegmentAndOffset) {
  const size_t offset = WriteTenRecords(4);
  FlipBit(SegmentPath(1), offset + wal::kRecordHeaderSize + 2);
  auto records = ReadAll(&fs_);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kChecksumMismatch);
  EXPECT_NE(records.status().message().find(wal::SegmentFileName(1)), std::string_view::npos);
  EXPECT_NE(records.status().message().find("offset " + std::to_string(offset)),
            std::string_view::npos);
  EXPECT_NE(records.status().ToString().find("LDB-4007"), std::string::npos);
  // The writer refuses to continue a log that is damaged in the middle.
  EXPECT_EQ(WalWriter::Open(&fs_, kDirectory).status().code(), ErrorCode::kChecksumMismatch);
}

TEST_F(WalCorruptionTest, DamagedLengthInTheMiddleIsNeverSkipped) {
  const size_t offset = WriteTenRecords(3);
  FlipBit(SegmentPath(1), offset + 3);  // The length's high byte: far past the file end.
  auto records = ReadAll(&fs_);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kCorruption);
}

TEST_F(WalCorruptionTest, BitFlipInTheLastRecordOfAnOlderSegmentIsAnError) {
  WalOptions options;
  options.segment_size = 200;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 40);
  }
  auto segments = wal::ListSegments(&fs_, kDirectory);
  ASSERT_TRUE(segments.ok());
  ASSERT_GE(segments->size(), 3u);
  const std::string path = SegmentPath((*segments)[0]);
  const uint64_t size = *fs_.GetFileSize(path);
  FlipBit(path, size - 1);
  auto records = ReadAll(&fs_);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kChecksumMismatch);
  // Cutting an older segment short is corruption too, not a torn write.
  ASSERT_TRUE(fs_.Truncate(path, size - 1).ok());
  records = ReadAll(&fs_);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kCorruption);
}

// The flusher syncs each group before it writes the next, and each group begins with a
// marker: a marker after damage shows the damaged bytes had been synced, so the damage is never
// cut away as a torn write, even when the log's closing marker is gone (a crash) and all that
// follows is one small group.
TEST_F(WalCorruptionTest, DamageBeforeALaterGroupIsNotATornWrite) {
  for (const bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "around the page cache" : "through the page cache");
    StartOver(direct);
    const WalOptions options = OneGroupPerSync();
    {
      auto writer = OpenWriter(options);
      ASSERT_NE(writer, nullptr);
      for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
      ASSERT_TRUE(writer->Sync().ok());
      ASSERT_TRUE(writer->Append(Payload(10)).ok());
      ASSERT_TRUE(writer->Sync().ok());
      ASSERT_TRUE(writer->Close().ok());
    }
    std::string contents = WithoutClosingMarker(*fs_.ReadFile(SegmentPath(1)));
    contents[RecordOffset(contents, 1, 6) + wal::kRecordHeaderSize + 1] ^= 0x10;
    ExpectReadFails(contents, ErrorCode::kChecksumMismatch, "a group begun at offset");
    EXPECT_EQ(WalWriter::Open(&fs_, kDirectory, options).status().code(),
              ErrorCode::kChecksumMismatch);
    EXPECT_EQ(*fs_.ReadFile(SegmentPath(1)), contents);  // Left as it was for the operator.
  }
}

TEST_F(WalCorruptionTest, AGroupMarkerNamingAnotherLsnIsCorruption) {
  WriteTenRecords(0);
  std::string contents = *fs_.ReadFile(SegmentPath(1));
  // The first group's marker, right after the header, rewritten with a checksum to match.
  ASSERT_EQ(wal::ParseFrame(contents, wal::kSegmentHeaderSize).marker_lsn, 1u);
  wal::EncodeGroupMarker(2, contents.data() + wal::kSegmentHeaderSize);
  ExpectReadFails(contents, ErrorCode::kCorruption, "next record is LSN 2, but it is LSN 1");
}

// Segments written before group markers (format versions 1 and 2) keep their rule: damage
// followed by any valid record is not a torn write, damage with none after it is. A writer
// leaves such a segment as it is and goes on in a new one, with markers.
TEST_F(WalCorruptionTest, SegmentsWithoutGroupMarkersKeepTheirRule) {
  std::string legacy = wal::EncodeSegmentHeader(1, 2);
  std::vector<size_t> offsets;
  for (uint64_t i = 0; i < 6; ++i) {
    offsets.push_back(legacy.size());
    legacy += FramedRecord(Payload(i));
  }
  ASSERT_TRUE(memory_.CreateDirectories(kDirectory).ok());

  std::string damaged = legacy;
  damaged[offsets[2] + wal::kRecordHeaderSize] ^= 0x10;
  ExpectReadFails(damaged, ErrorCode::kChecksumMismatch, "format version 2");

  WalTail tail;
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), legacy.substr(0, legacy.size() - 3), true).ok());
  auto records = ReadAll(&fs_, 0, &tail);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), 5u);
  EXPECT_EQ(tail.torn.code(), ErrorCode::kTornWrite);

  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), legacy, /*sync=*/true).ok());
  WalOptions options;
  options.segment_size = 400;
  std::vector<uint64_t> segments;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 6, 30);
    segments = writer->segments();
    ASSERT_TRUE(writer->Close().ok());
  }
  ASSERT_GE(segments.size(), 3u);
  for (const uint64_t first_lsn : segments) {
    const std::string contents = *fs_.ReadFile(SegmentPath(first_lsn));
    const bool old = first_lsn == 1;
    EXPECT_EQ(contents[8], old ? 2 : 3) << "segment " << first_lsn;
    bool marked = false;
    for (size_t offset = wal::kSegmentHeaderSize; offset < contents.size();) {
      const wal::Frame frame = wal::ParseFrame(contents, offset);
      ASSERT_NE(frame.kind, wal::Frame::Kind::kBad) << "segment " << first_lsn;
      marked |= frame.kind == wal::Frame::Kind::kGroupMarker;
      offset += frame.size;
    }
    EXPECT_EQ(marked, !old) << "segment " << first_lsn;
  }
  EXPECT_EQ(segments[1], 7u);
  EXPECT_EQ(*fs_.ReadFile(SegmentPath(1)), legacy);
  std::vector<std::string> payloads;
  for (uint64_t i = 0; i < 36; ++i) payloads.push_back(Payload(i));
  ExpectLogHolds(payloads);

  // A version 2 segment without records is continued, without markers: its readers apply the
  // older rule to it, which markers would not serve.
  ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
  ASSERT_TRUE(memory_.CreateDirectories(kDirectory).ok());
  const std::string empty = wal::EncodeSegmentHeader(1, 2);
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), empty, /*sync=*/true).ok());
  {
    auto writer = OpenWriter();
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->segments(), std::vector<uint64_t>{1});
    AppendDurably(writer.get(), 0, 3);
    ASSERT_TRUE(writer->Close().ok());
  }
  std::string expected = empty;
  for (uint64_t i = 0; i < 3; ++i) expected += FramedRecord(Payload(i));
  EXPECT_EQ(*fs_.ReadFile(SegmentPath(1)), expected);
  ExpectLogHolds({Payload(0), Payload(1), Payload(2)});
}

TEST_F(WalCorruptionTest, AMissingSegmentIsAGap) {
  WalOptions options;
  options.segment_size = 200;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 40);
  }
  auto segments = *wal::ListSegments(&fs_, kDirectory);
  ASSERT_GE(segments.size(), 3u);
  ASSERT_TRUE(fs_.DeleteFile(SegmentPath(segments[1])).ok());
  auto records = ReadAll(&fs_);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kCorruption);
}

TEST_F(WalCorruptionTest, BadHeadersAreReported) {
  WriteTenRecords(0);
  std::string contents = *fs_.ReadFile(SegmentPath(1));
  std::string bad_version = contents;
  bad_version.replace(0, wal::kSegmentHeaderSize, wal::EncodeSegmentHeader(1, 1));
  bad_version[8] = 4;  // Version 4 (this build writes 3), with a checksum to match.
  const uint32_t crc = MaskCrc(Crc32c(std::string_view(bad_version.data(), 24)));
  std::memcpy(bad_version.data() + 24, &crc, 4);
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), bad_version, /*sync=*/true).ok());
  EXPECT_EQ(ReadAll(&fs_).status().code(), ErrorCode::kUnsupportedFormatVersion);

  // Versions 1 and 2 (without group markers, which nothing keeps from being read) are still
  // read; version 0 never existed.
  for (const char version : {char{1}, char{2}, char{0}}) {
    std::string other_version = contents;
    other_version[8] = version;
    const uint32_t other_crc = MaskCrc(Crc32c(std::string_view(other_version.data(), 24)));
    std::memcpy(other_version.data() + 24, &other_crc, 4);
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), other_version, /*sync=*/true).ok());
    auto records = ReadAll(&fs_);
    if (version != 0) {
      ASSERT_TRUE(records.ok()) << records.status();
      EXPECT_EQ(records->size(), 10u);
    } else {
      EXPECT_EQ(records.status().code(), ErrorCode::kUnsupportedFormatVersion);
    }
  }

  std::string bad_magic = contents;
  bad_magic[0] = 'X';
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), bad_magic, /*sync=*/true).ok());
  EXPECT_EQ(ReadAll(&fs_).status().code(), ErrorCode::kCorruption);

  std::string bad_header_crc = contents;
  bad_header_crc[17] ^= 1;
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), bad_header_crc, /*sync=*/true).ok());
  EXPECT_EQ(ReadAll(&fs_).status().code(), ErrorCode::kChecksumMismatch);
}

class WalFaultTest : public WalTest,
                     public ::testing::WithParamInterface<std::pair<FaultOperation, FaultKind>> {};

TEST_P(WalFaultTest, AFailedWriteOrSyncFailsTheWriterAndKeepsDurableRecords) {
  const auto [operation, kind] = GetParam();
  const ErrorCode expected =
      kind == FaultKind::kNoSpace ? ErrorCode::kNoSpace : ErrorCode::kIoError;
  auto writer = OpenWriter();
  ASSERT_NE(writer, nullptr);
  AppendDurably(writer.get(), 0, 50);
  fs_.InjectFault(FaultRule::At(operation, kind).OnPath("wal-").Repeating());
  auto lsn = writer->Append(Payload(50));
  ASSERT_TRUE(lsn.ok());
  const Status failed = writer->WaitDurable(*lsn);
  EXPECT_EQ(failed.code(), expected);
  EXPECT_NE(failed.message().find(wal::SegmentFileName(1)), std::string_view::npos) << failed;
  EXPECT_NE(failed.ToString().find(expected == ErrorCode::kNoSpace ? "LDB-4004" : "LDB-4001"),
            std::string::npos);
  EXPECT_EQ(writer->Append("after").status().code(), expected);
  EXPECT_EQ(writer->Sync().code(), expected);
  EXPECT_EQ(writer->status().code(), expected);
  EXPECT_TRUE(writer->WaitDurable(50).ok());  // Durable before the failure: still durable.
  EXPECT_EQ(writer->durable_lsn(), 50u);
  EXPECT_EQ(writer->Close().code(), expected);
  writer.reset();
  fs_.ClearFaults();
  ASSERT_TRUE(fs_.SimulateCrash().ok());

  auto reopened = OpenWriter();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->next_lsn(), 51u);
  ASSERT_TRUE(reopened->Close().ok());
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 50u);
  for (uint64_t i = 0; i < 50; ++i) EXPECT_EQ((*records)[i].second, Payload(i));
}

INSTANTIATE_TEST_SUITE_P(
    WriteAndSync, WalFaultTest,
    ::testing::Values(std::make_pair(FaultOperation::kAppend, FaultKind::kNoSpace),
                      std::make_pair(FaultOperation::kAppend, FaultKind::kIoError),
                      std::make_pair(FaultOperation::kSync, FaultKind::kNoSpace),
                      std::make_pair(FaultOperation::kSync, FaultKind::kIoError)),
    [](const ::testing::TestParamInfo<std::pair<FaultOperation, FaultKind>>& info) {
      const std::string operation = info.param.first == FaultOperation::kAppend ? "Write" : "Sync";
      return operation + (info.param.second == FaultKind::kNoSpace ? "NoSpace" : "IoError");
    });

TEST_F(WalTest, NoSpaceWhileRollingFailsTheWriter) {
  WalOptions options;
  options.segment_size = 200;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  AppendDurably(writer.get(), 0, 5);
  fs_.InjectFault(FaultRule::At(FaultOperation::kCreate, FaultKind::kNoSpace).Repeating());
  uint64_t last = 0;
  Status status;
  for (uint64_t i = 5; i < 100 && status.ok(); ++i) {
    auto lsn = writer->Append(Payload(i));
    if (!lsn.ok()) {
      status = lsn.status();
      break;
    }
    last = *lsn;
    status = writer->WaitDurable(last);
  }
  EXPECT_EQ(status.code(), ErrorCode::kNoSpace);
  const uint64_t durable = writer->durable_lsn();
  writer.reset();
  fs_.ClearFaults();
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->size(), durable);
}

TEST_F(WalTest, TruncateDeletesOnlySegmentsBelowTheLsn) {
  WalOptions options;
  options.segment_size = 200;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  AppendDurably(writer.get(), 0, 100);
  const auto segments = writer->segments();
  ASSERT_GE(segments.size(), 5u);

  // A cut inside segment 2 keeps it: it still holds records the caller needs.
  const uint64_t cut = segments[2] + 1;
  auto deleted = writer->Truncate(cut);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2u);
  EXPECT_EQ(writer->segments().front(), segments[2]);
  EXPECT_FALSE(*fs_.Exists(SegmentPath(segments[1])));
  EXPECT_TRUE(*fs_.Exists(SegmentPath(segments[2])));
  auto records = ReadAll(&fs_, cut);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->front().first, cut);
  EXPECT_EQ(records->back().first, 100u);
  // Records before the oldest segment are gone, and asking for them says so.
  EXPECT_EQ(ReadAll(&fs_, 1).status().code(), ErrorCode::kCorruption);

  // A cut exactly at a segment's first LSN deletes everything before it; the newest segment
  // always stays, and appending continues.
  EXPECT_EQ(*writer->Truncate(segments[3]), 1u);
  const size_t remaining = writer->segments().size();
  EXPECT_EQ(*writer->Truncate(UINT64_MAX), remaining - 1);
  EXPECT_EQ(writer->segments().size(), 1u);
  AppendDurably(writer.get(), 100, 10);
  ASSERT_TRUE(writer->Close().ok());
  records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->back().first, 110u);
}

TEST_F(WalTest, TruncateWhileProducersAppendAcrossRolls) {
  WalOptions options;
  options.segment_size = 256;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  ProduceWhileTruncating(writer.get(), 4,
                         [&](int t) { AppendDurably(writer.get(), t * 1000, 200); });
  const uint64_t oldest = writer->segments().front();
  ASSERT_TRUE(writer->Close().ok());
  auto records = ReadAll(&fs_, oldest);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->back().first, 800u);
  EXPECT_EQ(records->size(), 800u - oldest + 1);
}

TEST_F(WalTest, GroupsReuseTheBuffersOfTheGroupsBefore) {
  // Each group here is 24 MiB of records, gathered while the flusher waits (the timer never
  // fires, and half of max_pending_bytes is not reached) and written by Sync. The first group
  // allocates its buffers; every later group must refill them instead of faulting in fresh
  // pages, which costs a producer more than copying the records. (The writer kept 16 buffers
  // before, so each group allocated 8 or more again.)
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 600'000'000;
  options.max_pending_bytes = 64 << 20;
  options.segment_size = 64 << 20;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  const std::string payload((64 << 10) - 5, 'r');  // Records spill over buffer boundaries.
  const auto group = [&] {
    for (uint64_t bytes = 0; bytes < (24 << 20); bytes += payload.size()) {
      ASSERT_TRUE(writer->Append(payload).ok());
    }
    ASSERT_TRUE(writer->Sync().ok());
    ASSERT_TRUE(writer->Truncate(writer->durable_lsn()).ok());
  };
  group();
  const uint64_t first = writer->buffers_allocated();
  EXPECT_GE(first, 24u);
  for (int i = 0; i < 5; ++i) group();
  EXPECT_EQ(writer->buffers_allocated(), first);
  EXPECT_EQ(writer->sync_count(), 6u);
  ASSERT_TRUE(writer->Close().ok());
}

TEST_F(WalTest, AnIdleLogGivesBackItsSpareBuffers) {
  // One record of 300 KiB is one group of more than 64 KiB, so only the idle release (about
  // 100 ms without anything to write) can give its buffers back: a small and a large one, or
  // five small ones where segments are under 1 MiB.
  struct Case {
    const char* name;
    WalSyncMode mode;
    uint64_t segment_size;
  };
  for (const Case& c :
       {Case{"async", WalSyncMode::kAsync, 64 << 20}, Case{"sync", WalSyncMode::kSync, 64 << 20},
        Case{"sync, small buffers", WalSyncMode::kSync, 512 << 10},
        Case{"async, small buffers", WalSyncMode::kAsync, 512 << 10}}) {
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    WalOptions options;
    options.sync_mode = c.mode;
    options.segment_size = c.segment_size;
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    auto lsn = writer->Append(std::string(300 << 10, 'q'));
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    ASSERT_TRUE(writer->Sync().ok());
    EXPECT_GE(writer->buffers_allocated(), 2u);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (writer->spare_bytes() > (128 << 10) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_LE(writer->spare_bytes(), 128u << 10);
    // The log goes on as before.
    ASSERT_TRUE(writer->Append("after").ok());
    ASSERT_TRUE(writer->Close().ok());
    auto records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    EXPECT_EQ(records->size(), 2u);
  }
}

// Segments written around the page cache: the memory file system refuses any direct write
// that is not whole aligned blocks, as O_DIRECT does.
class WalDirectTest : public WalTest {
 protected:
  void SetUp() override { memory_.set_direct_writes(true); }

  // Reopens after a torn write: the tear is reported, and the log goes on at `next_lsn` and
  // reads back as Payload(0), Payload(1), ... with five records appended after the cut.
  void ExpectTornThenGoesOn(const WalOptions& options, uint64_t next_lsn) {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    EXPECT_EQ(writer->recovery().torn.code(), ErrorCode::kTornWrite) << writer->recovery().torn;
    EXPECT_EQ(writer->next_lsn(), next_lsn);
    AppendDurably(writer.get(), next_lsn - 1, 5);
    ASSERT_TRUE(writer->Close().ok());
    auto records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_EQ(records->size(), next_lsn + 4);
    for (uint64_t i = 0; i < next_lsn + 4; ++i) EXPECT_EQ((*records)[i].second, Payload(i));
  }

  void ExpectWholeBlocks(const std::vector<uint64_t>& segments) {
    for (const uint64_t first_lsn : segments) {
      EXPECT_EQ(*fs_.GetFileSize(SegmentPath(first_lsn)) % kDirectWriteAlignment, 0u)
          << "segment " << first_lsn;
    }
  }
};

TEST_F(WalDirectTest, WritesAreWholeBlocksAndReadBackInOrder) {
  for (const int64_t flush_micros : {int64_t{5000}, int64_t{1}}) {
    SCOPED_TRACE(flush_micros);
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    WalOptions options;
    options.sync_mode = WalSyncMode::kAsync;
    options.async_flush_interval_micros = flush_micros;
    options.segment_size = 64 << 10;
    options.direct_write_threshold = 0;  // Every segment around the page cache.
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    std::vector<std::string> payloads;
    for (uint64_t i = 0; i < 3000; ++i) {
      // Mostly small records, some of several blocks, one larger than a pending buffer.
      std::string payload = i == 1500     ? std::string(3 << 20, 'L')
                            : i % 97 == 0 ? std::string(10000 + i, static_cast<char>('a' + i % 26))
                                          : Payload(i);
      auto lsn = writer->Append(payload);
      ASSERT_TRUE(lsn.ok()) << lsn.status();
      // Now and then a producer waits, so that groups of every size are written.
      if (i % 50 == 0) {
        ASSERT_TRUE(writer->WaitDurable(*lsn).ok());
      }
      payloads.push_back(std::move(payload));
    }
    const std::vector<uint64_t> segments = writer->segments();
    ASSERT_TRUE(writer->Close().ok());
    EXPECT_GT(segments.size(), 3u);
    ExpectWholeBlocks(segments);
    ExpectLogHolds(payloads);
    // Reading from the middle skips the padding as well.
    auto tail = ReadAll(&fs_, 2001);
    ASSERT_TRUE(tail.ok()) << tail.status();
    ASSERT_EQ(tail->size(), 1000u);
    EXPECT_EQ(tail->front().second, payloads[2000]);
  }
}

// Padding counts against the segment size: no segment grows past it, whether each record is a
// write of its own (small ones, and ones that end just short of a block, which padding nearly
// doubles) or many records share a group of several pending buffers.
TEST_F(WalDirectTest, PaddingCountsAgainstTheSegmentSize) {
  struct Case {
    size_t record_bytes;
    bool write_each;
    bool direct;  // False: a file system without direct writes, so nothing is padded.
  };
  for (const Case c :
       {Case{20, true, true}, Case{4090 - wal::kRecordHeaderSize, true, true},
        Case{3000, false, true}, Case{2000, true, false}, Case{3000, false, false}}) {
    SCOPED_TRACE(fmt::format("{} bytes{}{}", c.record_bytes, c.write_each ? ", each written" : "",
                             c.direct ? "" : ", page cache"));
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    memory_.set_direct_writes(c.direct);
    WalOptions options;
    options.sync_mode = WalSyncMode::kAsync;
    options.async_flush_interval_micros = 1'000'000;  // Groups end only at Sync.
    options.segment_size = c.write_each ? 64 << 10 : 4 << 20;
    options.direct_write_threshold = 0;  // Small writes too.
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    const uint64_t count = c.write_each ? 200 : 10'000;
    for (uint64_t i = 0; i < count; ++i) {
      ASSERT_TRUE(
          writer->Append(std::string(c.record_bytes, static_cast<char>('a' + i % 26))).ok());
      if (c.write_each || i % 2000 == 1999) {
        ASSERT_TRUE(writer->Sync().ok());
      }
    }
    ASSERT_TRUE(writer->Sync().ok());
    const std::vector<uint64_t> segments = writer->segments();
    ASSERT_TRUE(writer->Close().ok());
    EXPECT_GE(segments.size(), 4u);
    // Closed segments are full but for a record and the padding reserved by the buffers in
    // flight when they rolled (one per write, or the buffers of a whole group): a reserve
    // never given back would roll them early.
    const uint64_t in_flight = c.write_each ? 2 : 16;
    const uint64_t least = options.segment_size - (c.record_bytes + wal::kRecordHeaderSize) -
                           kDirectWriteAlignment - in_flight * (kDirectWriteAlignment + 8);
    for (size_t i = 0; i < segments.size(); ++i) {
      const uint64_t size = *fs_.GetFileSize(SegmentPath(segments[i]));
      EXPECT_LE(size, options.segment_size +
                          (i + 1 == segments.size() ? ClosingMarkerAllowance(segments[i]) : 0))
          << "segment " << segments[i];
      if (i + 1 < segments.size()) {
        EXPECT_GE(size, least) << "segment " << segments[i];
      }
      if (c.direct) {
        EXPECT_EQ(size % kDirectWriteAlignment, 0u) << "segment " << segments[i];
      }
    }
    auto records = ReadAll(&fs_);
    ASSERT_TRUE(records.ok()) << records.status();
    EXPECT_EQ(records->size(), count);
  }
}

// Only a segment's first block, with a broken header and nothing but zeros after it, is a
// torn creation that the writer may recreate; anything else with a broken header is an error.
TEST_F(WalDirectTest, OnlyATornFirstBlockIsRecreated) {
  const std::string header = wal::EncodeSegmentHeader(1, 2);
  // A header block whose version field reads `version` and whose magic (or, with
  // `magic_intact`, only its checksum) is broken.
  auto broken = [&](size_t size, char version, bool magic_intact = false) {
    std::string contents(size, '\0');
    contents.replace(0, header.size(), header);
    contents[8] = version;
    if (magic_intact) {
      contents[24] ^= 1;  // The checksum, torn.
    } else {
      contents[0] = 'X';  // The magic, torn.
    }
    return contents;
  };
  struct Case {
    std::string contents;
    bool newest;
    ErrorCode expected;  // kOk: recreated.
  };
  const std::vector<Case> cases = {
      {broken(kDirectWriteAlignment, 2), true, ErrorCode::kOk},
      {broken(kDirectWriteAlignment, 0), true, ErrorCode::kOk},
      {broken(kDirectWriteAlignment + kDirectWriteAlignment, 2), true, ErrorCode::kCorruption},
      {broken(kDirectWriteAlignment, 3), true, ErrorCode::kOk},
      {broken(kDirectWriteAlignment, 4, true), true, ErrorCode::kUnsupportedFormatVersion},
      {broken(kDirectWriteAlignment, 2, true), true, ErrorCode::kOk},
      {broken(kDirectWriteAlignment, 2).replace(100, 1, "x"), true, ErrorCode::kCorruption},
      {broken(kDirectWriteAlignment, 2), false, ErrorCode::kCorruption},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
    ASSERT_TRUE(memory_.CreateDirectories(kDirectory).ok());
    const Case& c = cases[i];
    ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), c.contents, /*sync=*/true).ok());
    if (!c.newest) {
      // A valid newer segment after it: the broken one is not the newest.
      ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), c.contents, true).ok());
      ASSERT_TRUE(fs_.WriteFile(SegmentPath(5), wal::EncodeSegmentHeader(5, 1), true).ok());
    }
    WalOptions options;
    options.sync_mode = WalSyncMode::kAsync;
    auto writer = WalWriter::Open(&fs_, kDirectory, options);
    if (c.expected == ErrorCode::kOk) {
      ASSERT_TRUE(writer.ok()) << writer.status();
      EXPECT_EQ((*writer)->recovery().torn.code(), ErrorCode::kTornWrite);
      EXPECT_EQ((*writer)->recovery().valid_size, 0u);
      EXPECT_EQ((*writer)->next_lsn(), 1u);
      ASSERT_TRUE((*writer)->Close().ok());
    } else if (c.newest) {
      EXPECT_EQ(writer.status().code(), c.expected) << writer.status();
      // Refused, and left as it was for the operator.
      EXPECT_EQ(*fs_.ReadFile(SegmentPath(1)), c.contents);
    } else {
      auto records = ReadAll(&fs_);
      EXPECT_EQ(records.status().code(), c.expected) << records.status();
    }
  }
}

// Every new segment is version 3, whichever way it is written: a new log starts around the
// page cache in async mode (when its segments are large enough), through it in sync mode.
TEST_F(WalDirectTest, NewSegmentsAreVersionThreeEitherWay) {
  for (const uint64_t segment_size : {uint64_t{64} << 20, uint64_t{32} << 10}) {
    for (const WalSyncMode mode : {WalSyncMode::kAsync, WalSyncMode::kSync}) {
      ASSERT_TRUE(memory_.DeleteRecursively(kDirectory).ok());
      WalOptions options;
      options.sync_mode = mode;
      options.segment_size = segment_size;  // Below 64 KiB: never around the page cache.
      auto writer = OpenWriter(options);
      ASSERT_NE(writer, nullptr);
      ASSERT_TRUE(writer->Close().ok());
      const std::string contents = *fs_.ReadFile(SegmentPath(1));
      const bool direct = segment_size >= (64 << 10) && mode == WalSyncMode::kAsync;
      EXPECT_EQ(contents[8], 3) << segment_size;
      EXPECT_EQ(AroundThePageCache(contents), direct) << segment_size;
    }
  }
}

TEST_F(WalDirectTest, ATornHeaderBlockIsRecreatedOnReopen) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.segment_size = 64 << 10;
  options.direct_write_threshold = 0;
  uint64_t second_segment = 0;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 5);
    // The next segment's first write (its header block) is torn after 4 bytes.
    const uint64_t next = writer->next_lsn();
    fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite)
                        .OnPath(wal::SegmentFileName(next))
                        .KeepingBytes(4));
    auto lsn = writer->Append(std::string(70 << 10, 'b'));  // Past the segment size: a roll.
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    EXPECT_EQ(writer->WaitDurable(*lsn).code(), ErrorCode::kIoError);
    second_segment = next;
  }
  fs_.ClearFaults();
  ASSERT_EQ(fs_.GetFileSize(SegmentPath(second_segment)).ValueOr(0), kDirectWriteAlignment);
  ExpectTornThenGoesOn(options, second_segment);
}

// The device may complete the blocks of a direct write in any order: a tear can leave a hole
// with the write's last block, and its padding record, intact after it. Padding never shows
// that acknowledged records follow, so that is a torn tail, not damage in the middle.
TEST_F(WalDirectTest, AHoleBeforeTheLastBlockOfAWriteIsATornTail) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  size_t durable_size = 0;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 10);
    durable_size = *fs_.GetFileSize(SegmentPath(1));
    // One write of a record of 3 blocks and a bit: 4 blocks, the last ending in padding.
    ASSERT_TRUE(writer->Append(std::string(3 * kDirectWriteAlignment + 100, 'h')).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  // A crash before Close: the write was the last.
  std::string contents = WithoutClosingMarker(*fs_.ReadFile(SegmentPath(1)));
  ASSERT_EQ(contents.size(), durable_size + 4 * kDirectWriteAlignment);
  // The middle two blocks never reached the device.
  std::fill(contents.begin() + static_cast<ptrdiff_t>(durable_size + kDirectWriteAlignment),
            contents.begin() + static_cast<ptrdiff_t>(durable_size + 3 * kDirectWriteAlignment),
            '\0');
  ASSERT_TRUE(fs_.WriteFile(SegmentPath(1), contents, /*sync=*/true).ok());
  ExpectTornThenGoesOn(options, 11);
}

// Segments follow the writes. A sync log starts through the page cache; large writes (64 KiB
// records, each waited for) move the next segment around it; small writes (a producer waiting
// for each small record) would be padded to a block each, and move the next segment back.
TEST_F(WalDirectTest, SegmentsFollowTheSizeOfTheWrites) {
  WalOptions options;  // Sync mode, the default threshold.
  options.segment_size = 256 << 10;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  auto direct = [&](uint64_t first_lsn) {
    return AroundThePageCache(*fs_.ReadFile(SegmentPath(first_lsn)));
  };
  std::vector<std::string> payloads;
  auto append = [&](std::string payload) {
    auto lsn = writer->Append(payload);
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    ASSERT_TRUE(writer->WaitDurable(*lsn).ok());
    payloads.push_back(std::move(payload));
  };
  for (int i = 0; i < 12; ++i) append(std::string(64 << 10, static_cast<char>('A' + i)));
  std::vector<uint64_t> segments = writer->segments();
  ASSERT_GE(segments.size(), 3u);
  EXPECT_FALSE(direct(segments[0])) << "a sync log starts through the page cache";
  EXPECT_TRUE(direct(segments.back())) << "large writes: around it";
  const size_t large_segments = segments.size();
  for (uint64_t i = 0; i < 300; ++i) append(Payload(i));
  segments = writer->segments();
  ASSERT_GT(segments.size(), large_segments);
  EXPECT_FALSE(direct(segments.back())) << "small writes: through it again";
  ASSERT_TRUE(writer->Close().ok());
  // Whichever way, no segment grows past its size (one record of 64 KiB and the header block
  // fit), and those around the page cache are whole blocks.
  for (const uint64_t first_lsn : segments) {
    const uint64_t size = *fs_.GetFileSize(SegmentPath(first_lsn));
    EXPECT_LE(size, options.segment_size +
                        (first_lsn == segments.back() ? ClosingMarkerAllowance(first_lsn) : 0))
        << "segment " << first_lsn;
    if (direct(first_lsn)) {
      EXPECT_EQ(size % kDirectWriteAlignment, 0u) << "segment " << first_lsn;
    }
  }
  ExpectLogHolds(payloads);
}

// An async log whose writes are small (a Sync after each record) moves to the page cache too,
// from the segment begun once the recent writes average under the threshold.
TEST_F(WalDirectTest, AnAsyncLogOfSmallWritesMovesToThePageCache) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.segment_size = 64 << 10;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  std::vector<std::string> payloads;
  for (uint64_t i = 0; i < 200; ++i) {
    payloads.push_back(Payload(i));
    ASSERT_TRUE(writer->Append(payloads.back()).ok());
    ASSERT_TRUE(writer->Sync().ok());
  }
  const std::vector<uint64_t> segments = writer->segments();
  ASSERT_TRUE(writer->Close().ok());
  ASSERT_GE(segments.size(), 2u);
  EXPECT_TRUE(AroundThePageCache(*fs_.ReadFile(SegmentPath(segments.front()))));
  EXPECT_FALSE(AroundThePageCache(*fs_.ReadFile(SegmentPath(segments.back()))));
  for (const uint64_t first_lsn : segments) {
    EXPECT_LE(*fs_.GetFileSize(SegmentPath(first_lsn)),
              options.segment_size +
                  (first_lsn == segments.back() ? ClosingMarkerAllowance(first_lsn) : 0));
  }
  ExpectLogHolds(payloads);
}

TEST_F(WalDirectTest, ProducersAppendAcrossRollsWhileSegmentsAreTruncated) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.async_flush_interval_micros = 100;
  options.segment_size = 128 << 10;
  options.direct_write_threshold = 0;
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  ProduceWhileTruncating(writer.get(), 4, [&](int t) {
    for (int i = 0; i < 500; ++i) {
      // Sizes from a few bytes to two blocks, so writes end anywhere in a block.
      ASSERT_TRUE(writer
                      ->Append(std::string(static_cast<size_t>((t * 977 + i * 131) % 8200),
                                           static_cast<char>('a' + t)))
                      .ok());
    }
  });
  const std::vector<uint64_t> segments = writer->segments();
  ASSERT_TRUE(writer->Close().ok());
  ExpectWholeBlocks(segments);
  for (const uint64_t first_lsn : segments) {
    const uint64_t size = *fs_.GetFileSize(SegmentPath(first_lsn));
    auto records = ReadAll(&fs_, first_lsn);
    ASSERT_TRUE(records.ok()) << records.status();
    // A segment holds at least one record, so one larger than the rest of it makes it larger.
    if (!records->empty() &&
        records->front().second.size() + 2 * kDirectWriteAlignment < options.segment_size) {
      EXPECT_LE(size, options.segment_size) << "segment " << first_lsn;
    }
  }
  auto records = ReadAll(&fs_, segments.front());
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(records->back().first, 2000u);
  EXPECT_EQ(records->size(), 2000u - segments.front() + 1);
}

TEST_F(WalDirectTest, ACrashKeepsTheSyncedRecordsAndTheLogGoesOn) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  options.segment_size = 64 << 10;
  options.direct_write_threshold = 0;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 500);
    ExpectWholeBlocks(writer->segments());
    ASSERT_TRUE(fs_.SimulateCrash().ok());
  }
  // The newest segment is continued through the page cache; the segments after it are direct.
  auto writer = OpenWriter(options);
  ASSERT_NE(writer, nullptr);
  EXPECT_TRUE(writer->recovery().torn.ok()) << writer->recovery().torn;
  EXPECT_EQ(writer->next_lsn(), 501u);
  const size_t segments_before = writer->segments().size();
  AppendDurably(writer.get(), 500, 8000);
  const std::vector<uint64_t> segments = writer->segments();
  ASSERT_TRUE(writer->Close().ok());
  ASSERT_GT(segments.size(), segments_before + 2);
  ExpectWholeBlocks(std::vector<uint64_t>(segments.begin() + segments_before, segments.end()));
  auto records = ReadAll(&fs_);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 8500u);
  for (uint64_t i = 0; i < 8500; ++i) EXPECT_EQ((*records)[i].second, Payload(i));
}

TEST_F(WalDirectTest, ATornDirectWriteIsCutAwayOnReopen) {
  WalOptions options;
  options.sync_mode = WalSyncMode::kAsync;
  {
    auto writer = OpenWriter(options);
    ASSERT_NE(writer, nullptr);
    AppendDurably(writer.get(), 0, 10);
    // The next write reaches the device for its first 5000 bytes; the rest of its blocks
    // read as zeros.
    fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite)
                        .OnPath("wal-")
                        .KeepingBytes(5000));
    auto lsn = writer->Append(std::string(20000, 'x'));
    ASSERT_TRUE(lsn.ok()) << lsn.status();
    EXPECT_EQ(writer->WaitDurable(*lsn).code(), ErrorCode::kIoError);
    EXPECT_FALSE(writer->Close().ok());
  }
  fs_.ClearFaults();
  ExpectTornThenGoesOn(options, 11);
}

// A record spanning two writes of one group (a group's first, 64 KiB buffer is full, and the
// record goes on in a 1 MiB one): whichever of the two writes tears, the record is a torn tail,
// cut away on reopen, and the records before it stay.
TEST_F(WalDirectTest, ARecordSpanningTwoWritesIsCutAwayWhenEitherTears) {
  for (const uint64_t torn_write : {uint64_t{1}, uint64_t{2}}) {
    SCOPED_TRACE(torn_write);
    StartOver(/*direct=*/true);
    WalOptions options;
    options.sync_mode = WalSyncMode::kAsync;
    {
      auto writer = OpenWriter(OneGroupPerSync());
      ASSERT_NE(writer, nullptr);
      for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(writer->Append(Payload(i)).ok());
      ASSERT_TRUE(writer->Sync().ok());
      fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite, torn_write)
                          .OnPath("wal-")
                          .KeepingBytes(torn_write == 1 ? 30000 : 4096));
      ASSERT_TRUE(writer->Append(std::string(200 << 10, 's')).ok());
      EXPECT_EQ(writer->Sync().code(), ErrorCode::kIoError);
      EXPECT_FALSE(writer->Close().ok());
    }
    fs_.ClearFaults();
    ExpectTornThenGoesOn(options, 11);
  }
}

// The same log on the machine's file system: written around the page cache where it allows
// that (the segments are then whole blocks), through it where it does not.
TEST(WalPosixTest, RecordsRoundTripOnTheRealFileSystem) {
  char pattern[] = "/tmp/laminar-wal-test-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string directory = std::string(pattern) + "/wal";
  FileSystem* fs = FileSystem::Posix();
  std::vector<std::string> payloads;
  // The async phase's segments and their contents, which the sync phase leaves as they are.
  std::map<uint64_t, std::string> async_segments;
  for (const WalSyncMode mode : {WalSyncMode::kAsync, WalSyncMode::kSync}) {
    WalOptions options;
    options.sync_mode = mode;
    options.segment_size = 1 << 20;
    auto writer = WalWriter::Open(fs, directory, options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    if (mode == WalSyncMode::kSync) {
      EXPECT_EQ((*writer)->segments().size(), async_segments.size() + 1);
    }
    for (uint64_t i = 0; i < 2000; ++i) {
      std::string payload =
          i % 101 == 0 ? std::string(70000, static_cast<char>('A' + i % 26)) : Payload(i);
      auto lsn = (*writer)->Append(payload);
      ASSERT_TRUE(lsn.ok()) << lsn.status();
      if (i % 200 == 0) {
        ASSERT_TRUE((*writer)->WaitDurable(*lsn).ok());
      }
      payloads.push_back(std::move(payload));
    }
    ASSERT_TRUE((*writer)->Close().ok());
    {
      // Segments written around the page cache (their header padded to a block) are whole
      // blocks; the sync writer goes on in a segment of its own.
      auto segments = wal::ListSegments(fs, directory);
      ASSERT_TRUE(segments.ok()) << segments.status();
      for (const uint64_t first_lsn : *segments) {
        const std::string path = JoinPath(directory, wal::SegmentFileName(first_lsn));
        const std::string contents = *fs->ReadFile(path);
        ASSERT_GE(contents.size(), wal::kSegmentHeaderSize);
        if (mode == WalSyncMode::kAsync) {
          async_segments[first_lsn] = contents;
        } else if (async_segments.count(first_lsn) > 0) {
          EXPECT_TRUE(async_segments[first_lsn] == contents) << path;
        }
        EXPECT_EQ(contents[8], 3) << path;
        if (AroundThePageCache(contents)) {
          EXPECT_EQ(contents.size() % kDirectWriteAlignment, 0u) << path;
        }
      }
    }
  }
  auto reader = WalReader::Open(fs, directory, 0);
  ASSERT_TRUE(reader.ok()) << reader.status();
  WalRecord record;
  size_t count = 0;
  while (true) {
    auto more = (*reader)->Next(&record);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ASSERT_LT(count, payloads.size());
    EXPECT_EQ(record.lsn, count + 1);
    EXPECT_TRUE(record.payload == payloads[count]) << "record " << count + 1;
    ++count;
  }
  EXPECT_EQ(count, payloads.size());
  EXPECT_TRUE((*reader)->tail().torn.ok()) << (*reader)->tail().torn;
  ASSERT_TRUE(fs->DeleteRecursively(pattern).ok());
}

TEST_F(WalTest, InvalidOptionsAreRejected) {
  WalOptions options;
  options.segment_size = 10;
  EXPECT_EQ(WalWriter::Open(&fs_, kDirectory, options).status().code(),
            ErrorCode::kInvalidConfiguration);
  // A small segment is simply never written around the page cache.
  options.sync_mode = WalSyncMode::kAsync;
  options.segment_size = 8000;
  auto writer = WalWriter::Open(&fs_, kDirectory, options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE((*writer)->Close().ok());
}

TEST_F(WalTest, AnEmptyDirectoryIsAnEmptyLog) {
  auto records = ReadAll(&fs_, 1);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace laminar::storage

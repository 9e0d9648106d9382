#include "storage/checkpoint_store.h"

#include <gtest/gtest.h>

#include "common/error_code.h"
#include "common/fault_injection_file_system.h"
#include "common/memory_file_system.h"
#include "storage/local_object_store.h"

namespace laminar::storage {
namespace {

CheckpointData MakeData(uint64_t id) {
  CheckpointData data;
  data.id = id;
  data.created_micros = 1000 + static_cast<int64_t>(id);
  data.catalog = {"CREATE SOURCE s (a BIGINT)", "CREATE STREAM t AS SELECT a FROM s"};
  data.sections = {{"source", "s", std::string("abc\0def", 7)},
                   {"query", "t", std::string(1000, 'q')},
                   {"view", "v", ""}};
  data.watermarks = {{"s", -5}, {"t", INT64_MIN}};
  data.source_offsets = {{"s", 42}};
  data.sink_epochs = {{"out", id}};
  data.wals = {{"s", {"sync", "wal/s-3"}}};
  return data;
}

/// A checkpoint store over a local object store on a MemoryFileSystem rooted at "data".
struct Fixture {
  explicit Fixture(int retain)
      : objects(std::move(*LocalObjectStore::Open(&fs, "data"))), store(objects.get(), retain) {}
  std::string PathOf(uint64_t id) const {
    return "data/" +
           CheckpointStore::PrefixOf(id).substr(0, CheckpointStore::PrefixOf(id).size() - 1);
  }
  MemoryFileSystem fs;
  std::unique_ptr<LocalObjectStore> objects;
  CheckpointStore store;
};

TEST(CheckpointStoreTest, WritesReadsAndLists) {
  Fixture f(3);
  CheckpointStore& store = f.store;
  EXPECT_TRUE(store.List()->empty());
  ASSERT_TRUE(store.Write(MakeData(1)).ok());
  ASSERT_TRUE(store.Write(MakeData(2)).ok());
  EXPECT_EQ(*store.List(), (std::vector<uint64_t>{1, 2}));
  auto read = store.Read(2);
  ASSERT_TRUE(read.ok()) << read.status();
  const CheckpointData expected = MakeData(2);
  EXPECT_EQ(read->id, 2u);
  EXPECT_EQ(read->created_micros, expected.created_micros);
  EXPECT_EQ(read->catalog, expected.catalog);
  ASSERT_EQ(read->sections.size(), 3u);
  EXPECT_EQ(read->Find("source", "s")->bytes, expected.sections[0].bytes);
  EXPECT_EQ(read->Find("query", "t")->bytes, expected.sections[1].bytes);
  EXPECT_EQ(read->Find("view", "v")->bytes, "");
  EXPECT_EQ(read->Find("view", "t"), nullptr);
  EXPECT_EQ(read->watermarks, expected.watermarks);
  EXPECT_EQ(read->source_offsets, expected.source_offsets);
  EXPECT_EQ(read->sink_epochs, expected.sink_epochs);
  EXPECT_EQ(read->wals, expected.wals);
  auto manifest = store.ReadManifest(2);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_TRUE(manifest->sections.empty());
  EXPECT_EQ(manifest->source_offsets, expected.source_offsets);
}

TEST(CheckpointStoreTest, KeepsTheNewestN) {
  Fixture f(2);
  CheckpointStore& store = f.store;
  MemoryFileSystem& fs = f.fs;
  for (uint64_t id = 1; id <= 5; ++id) ASSERT_TRUE(store.Write(MakeData(id)).ok());
  EXPECT_EQ(*store.List(), (std::vector<uint64_t>{4, 5}));
  EXPECT_FALSE(*fs.Exists(f.PathOf(3)));
}

TEST(CheckpointStoreTest, ACheckpointWithoutManifestIsIgnoredAndRemoved) {
  Fixture f(5);
  CheckpointStore& store = f.store;
  MemoryFileSystem& fs = f.fs;
  ASSERT_TRUE(store.Write(MakeData(1)).ok());
  // A crash after state.bin, before the manifest.
  ASSERT_TRUE(fs.CreateDirectories(f.PathOf(2)).ok());
  ASSERT_TRUE(fs.WriteFile(JoinPath(f.PathOf(2), "state.bin"), "partial", true).ok());
  EXPECT_EQ(*store.List(), (std::vector<uint64_t>{1}));
  ASSERT_TRUE(store.Write(MakeData(3)).ok());
  EXPECT_FALSE(*fs.Exists(f.PathOf(2)));
  EXPECT_EQ(*store.List(), (std::vector<uint64_t>{1, 3}));
}

TEST(CheckpointStoreTest, UnsyncedDataNeverLooksComplete) {
  Fixture f(5);
  CheckpointStore& store = f.store;
  MemoryFileSystem& fs = f.fs;
  ASSERT_TRUE(store.Write(MakeData(1)).ok());
  fs.DropUnsyncedData();
  auto read = store.Read(1);
  EXPECT_TRUE(read.ok()) << read.status();
}

TEST(CheckpointStoreTest, DamageIsDetected) {
  Fixture f(5);
  CheckpointStore& store = f.store;
  MemoryFileSystem& fs = f.fs;
  ASSERT_TRUE(store.Write(MakeData(1)).ok());
  const std::string state = JoinPath(f.PathOf(1), "state.bin");
  const std::string manifest = JoinPath(f.PathOf(1), "MANIFEST.json");
  std::string bytes = *fs.ReadFile(state);
  const std::string original_state = bytes;
  bytes[500] ^= 1;
  ASSERT_TRUE(fs.WriteFile(state, bytes, true).ok());
  EXPECT_EQ(store.Read(1).status().code(), ErrorCode::kChecksumMismatch);
  ASSERT_TRUE(fs.WriteFile(state, original_state.substr(0, 100), true).ok());
  EXPECT_EQ(store.Read(1).status().code(), ErrorCode::kTornWrite);
  ASSERT_TRUE(fs.WriteFile(state, original_state, true).ok());
  ASSERT_TRUE(store.Read(1).ok());

  std::string text = *fs.ReadFile(manifest);
  const std::string original_manifest = text;
  text.replace(text.find("\"id\": 1"), 7, "\"id\": 2");
  ASSERT_TRUE(fs.WriteFile(manifest, text, true).ok());
  EXPECT_EQ(store.Read(1).status().code(), ErrorCode::kChecksumMismatch);
  ASSERT_TRUE(fs.WriteFile(manifest, original_manifest.substr(0, 50), true).ok());
  EXPECT_EQ(store.Read(1).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(store.Read(7).status().code(), ErrorCode::kFileNotFound);
}

TEST(CheckpointStoreTest, NoSpaceOrIoErrorsFailTheCheckpointAndKeepTheOthers) {
  for (FaultKind kind : {FaultKind::kNoSpace, FaultKind::kIoError}) {
    for (const char* path : {"state.bin", "MANIFEST.json"}) {
      MemoryFileSystem memory;
      FaultInjectionFileSystem fs(&memory);
      auto objects = LocalObjectStore::Open(&fs, "data");
      ASSERT_TRUE(objects.ok());
      CheckpointStore store(objects->get(), 3);
      ASSERT_TRUE(store.Write(MakeData(1)).ok());
      fs.InjectFault(FaultRule::At(FaultOperation::kAppend, kind).OnPath(path));
      const Status failed = store.Write(MakeData(2));
      EXPECT_EQ(failed.code(),
                kind == FaultKind::kNoSpace ? ErrorCode::kNoSpace : ErrorCode::kIoError)
          << failed;
      // Checkpoint 2 does not exist; checkpoint 1 is intact, also after a power loss.
      memory.DropUnsyncedData();
      EXPECT_EQ(*store.List(), (std::vector<uint64_t>{1})) << path;
      auto read = store.Read(1);
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->catalog, MakeData(1).catalog);
      fs.ClearFaults();
      EXPECT_TRUE(store.Write(MakeData(3)).ok());
      EXPECT_EQ(*store.List(), (std::vector<uint64_t>{1, 3}));
    }
  }
}

}  // namespace
}  // namespace laminar::storage

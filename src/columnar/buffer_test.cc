#include "columnar/buffer.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace laminar {
namespace {

TEST(BufferTest, BuilderMemoryIsAlignedAndZeroPadded) {
  BufferBuilder builder;
  for (int i = 0; i < 100; ++i) builder.AppendValue(int32_t{i});
  auto buffer = builder.Finish();
  ASSERT_EQ(buffer->size(), 400u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer->data()) % kBufferAlignment, 0u);
  EXPECT_EQ(buffer->data_as<int32_t>()[99], 99);
  // Padding up to the next 64-byte multiple reads as zero.
  for (size_t i = buffer->size(); i < RoundUpToAlignment(buffer->size()); ++i) {
    EXPECT_EQ(buffer->data()[i], 0) << i;
  }
  EXPECT_TRUE(buffer->owns_memory());
  EXPECT_EQ(builder.size(), 0u) << "Finish leaves the builder empty";
}

TEST(BufferTest, WrapKeepsOwnerAliveUntilLastReference) {
  auto storage = std::make_shared<std::vector<int>>(std::vector<int>{1, 2, 3});
  std::weak_ptr<std::vector<int>> watch = storage;
  auto buffer = Buffer::Wrap(storage->data(), 12, storage);
  storage.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(buffer->data_as<int>()[2], 3);
  EXPECT_FALSE(buffer->owns_memory());
  buffer.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(BufferTest, EmptyBuilderFinishesToEmptyBuffer) {
  BufferBuilder builder;
  auto buffer = builder.Finish();
  EXPECT_EQ(buffer->size(), 0u);
}

TEST(BufferArenaTest, BuffersAreAlignedZeroPaddedAndKeepTheArenaAlive) {
  std::shared_ptr<BufferArena> arena = BufferArena::Make(1024, 4);
  const int64_t values[3] = {7, 8, 9};
  std::shared_ptr<const Buffer> first = BufferArena::Add(arena, values, sizeof(values));
  std::shared_ptr<const Buffer> second = BufferArena::Add(arena, "abc", 3);
  ASSERT_EQ(first->size(), sizeof(values));
  EXPECT_EQ(first->data_as<int64_t>()[2], 9);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first->data()) % kBufferAlignment, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(second->data()) % kBufferAlignment, 0u);
  for (size_t i = 3; i < kBufferAlignment; ++i) EXPECT_EQ(second->data()[i], 0) << i;
  EXPECT_TRUE(first->owns_memory());
  EXPECT_FALSE(BufferArena::SoleOwner(arena)) << "its buffers share the arena's count";
  std::weak_ptr<BufferArena> watch = arena;
  arena.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(second->data()[1], 'b');
  first.reset();
  second.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(BufferArenaTest, RefilledOnlyWhenSoleOwnerAndPaddingIsZeroedAgain) {
  std::shared_ptr<BufferArena> arena = BufferArena::Make(256, 2);
  EXPECT_TRUE(BufferArena::SoleOwner(arena));
  const uint8_t ones[64] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  (void)BufferArena::Add(arena, ones, sizeof(ones));
  EXPECT_FALSE(arena->RoomFor(256)) << "64 of 256 bytes used";
  ASSERT_TRUE(BufferArena::SoleOwner(arena));
  arena->Reset();
  EXPECT_TRUE(arena->RoomFor(256));
  std::shared_ptr<const Buffer> small = BufferArena::Add(arena, ones, 2);
  for (size_t i = 2; i < kBufferAlignment; ++i) EXPECT_EQ(small->data()[i], 0) << i;
  std::shared_ptr<const Buffer> empty = BufferArena::Add(arena, nullptr, 0);
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_FALSE(arena->RoomFor(0)) << "both slots are taken";
}

TEST(BufferArenaTest, BuildersAreCopiedWithTheirZeroPadding) {
  std::shared_ptr<BufferArena> arena = BufferArena::Make(1024, 4);
  // Fill the arena with ones, then refill it: the padding of a builder's bytes must be zero.
  const std::vector<uint8_t> ones(1024, 1);
  (void)BufferArena::Add(arena, ones.data(), ones.size());
  ASSERT_TRUE(BufferArena::SoleOwner(arena));
  arena->Reset();
  BufferBuilder small;
  small.AppendValue(int32_t{7});
  BufferBuilder large;
  for (int i = 0; i < 20; ++i) large.AppendValue(int32_t{i});
  BufferBuilder empty;
  std::shared_ptr<const Buffer> a = BufferArena::AddBuilder(arena, small);
  std::shared_ptr<const Buffer> b = BufferArena::AddBuilder(arena, large);
  std::shared_ptr<const Buffer> c = BufferArena::AddBuilder(arena, empty);
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ(a->data_as<int32_t>()[0], 7);
  for (size_t i = 4; i < kBufferAlignment; ++i) EXPECT_EQ(a->data()[i], 0) << i;
  ASSERT_EQ(b->size(), 80u);
  EXPECT_EQ(b->data_as<int32_t>()[19], 19);
  for (size_t i = 80; i < 2 * kBufferAlignment; ++i) EXPECT_EQ(b->data()[i], 0) << i;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % kBufferAlignment, 0u);
  EXPECT_EQ(c->size(), 0u);
  // A builder that held more than 64 bytes, cleared, then given a few: what it held before
  // must not reach the padding.
  a.reset();
  b.reset();
  c.reset();
  ASSERT_TRUE(BufferArena::SoleOwner(arena));
  arena->Reset();
  large.Clear();
  large.AppendValue(int32_t{-1});
  std::shared_ptr<const Buffer> reused = BufferArena::AddBuilder(arena, large);
  ASSERT_EQ(reused->size(), 4u);
  EXPECT_EQ(reused->data_as<int32_t>()[0], -1);
  for (size_t i = 4; i < kBufferAlignment; ++i) EXPECT_EQ(reused->data()[i], 0) << i;
}

TEST(ArenaReferencesTest, BuffersTakeReferencesTakenAheadAndTheRestAreDropped) {
  std::shared_ptr<BufferArena> arena = BufferArena::Make(1024, 4);
  std::shared_ptr<BufferArena> other = BufferArena::Make(1024, 4);
  ArenaReferences references;
  references.Reset(arena, 3);
  EXPECT_EQ(arena.use_count(), 4);
  EXPECT_FALSE(BufferArena::SoleOwner(arena)) << "references taken ahead count as holders";
  BufferBuilder bytes;
  bytes.AppendValue(int64_t{5});
  std::shared_ptr<const Buffer> first = BufferArena::AddBuilder(references.Take(arena), bytes);
  std::shared_ptr<const Buffer> second = BufferArena::AddBuilder(references.Take(arena), bytes);
  EXPECT_EQ(arena.use_count(), 4) << "the buffers took two of the three references";
  EXPECT_EQ(second->data_as<int64_t>()[0], 5);
  // A reference to another arena is a new one, not one of those taken for `arena`.
  std::shared_ptr<BufferArena> taken = references.Take(other);
  EXPECT_EQ(taken, other);
  EXPECT_EQ(arena.use_count(), 4);
  references.Clear();
  EXPECT_EQ(arena.use_count(), 3);
  first.reset();
  second.reset();
  EXPECT_TRUE(BufferArena::SoleOwner(arena));
  // Once all are taken, Take makes new references.
  references.Reset(arena, 1);
  std::shared_ptr<BufferArena> one = references.Take(arena);
  std::shared_ptr<BufferArena> two = references.Take(arena);
  EXPECT_EQ(arena.use_count(), 3);
}

TEST(BufferTest, AllocateGivesAlignedWritableBytesWithZeroPadding) {
  uint8_t* bytes = nullptr;
  std::shared_ptr<const Buffer> buffer = Buffer::Allocate(20, &bytes);
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(buffer->data(), bytes);
  EXPECT_EQ(buffer->size(), 20u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % kBufferAlignment, 0u);
  for (size_t i = 20; i < kBufferAlignment; ++i) EXPECT_EQ(buffer->data()[i], 0) << i;
  for (uint8_t i = 0; i < 20; ++i) bytes[i] = i;
  EXPECT_EQ(buffer->data()[19], 19);
  EXPECT_TRUE(buffer->owns_memory());
  std::shared_ptr<const Buffer> empty = Buffer::Allocate(0, &bytes);
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_EQ(empty->data(), nullptr);
}

TEST(BufferTest, ClearKeepsMemoryAndZeroesWhatWasWritten) {
  BufferBuilder builder;
  builder.AppendValue(int64_t{-1});
  const uint8_t* memory = builder.data();
  builder.Clear();
  EXPECT_EQ(builder.size(), 0u);
  EXPECT_EQ(builder.data(), memory);
  builder.Resize(8);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(builder.data()[i], 0) << i;
}

TEST(BitTest, CountSetBitsOverUnalignedRanges) {
  uint8_t bits[32] = {};
  for (int i = 0; i < 256; i += 3) SetBit(bits, i);
  for (int offset = 0; offset < 70; ++offset) {
    for (int length : {0, 1, 7, 63, 64, 65, 150}) {
      if (offset + length > 256) continue;
      int64_t expected = 0;
      for (int i = offset; i < offset + length; ++i) expected += GetBit(bits, i);
      EXPECT_EQ(CountSetBits(bits, offset, length), expected) << offset << "+" << length;
    }
  }
  ClearBit(bits, 0);
  EXPECT_FALSE(GetBit(bits, 0));
}

}  // namespace
}  // namespace laminar

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

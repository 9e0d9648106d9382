#include "state/ordered_index.h"

#include <cstring>

namespace laminar::state {
namespace {

/// Emptied blocks kept for reuse, so that steady insert/pop cycles do not allocate.
constexpr size_t kMaxSpareBlocks = 16;

}  // namespace

std::shared_ptr<OrderedIndex::Block> OrderedIndex::NewBlock() {
  if (spare_blocks_.empty()) return std::make_shared_for_overwrite<Block>();
  std::shared_ptr<Block> block = std::move(spare_blocks_.back());
  spare_blocks_.pop_back();
  return block;
}

void OrderedIndex::RecycleBlock(std::shared_ptr<Block> block) {
  // A block a frozen copy still reads is left to it.
  if (block.use_count() == 1 && spare_blocks_.size() < kMaxSpareBlocks) {
    spare_blocks_.push_back(std::move(block));
  }
}

OrderedIndex::Block& OrderedIndex::Writable(size_t index) {
  std::shared_ptr<Block>& block = blocks_[index];
  if (block.use_count() > 1) {
    std::shared_ptr<Block> copy = NewBlock();
    copy->count = block->count;
    std::memcpy(copy->times, block->times, block->count * sizeof(int64_t));
    std::memcpy(copy->slots, block->slots, block->count * sizeof(uint32_t));
    block = std::move(copy);
  }
  return *block;
}

OrderedIndex::Frozen OrderedIndex::Freeze() const {
  Frozen frozen;
  frozen.blocks_.assign(blocks_.begin(), blocks_.end());
  frozen.size_ = size_;
  return frozen;
}

OrderedIndex::Block* OrderedIndex::InsertBlock(size_t index) {
  std::shared_ptr<Block> block = NewBlock();
  block->count = 0;
  Block* raw = block.get();
  blocks_.insert(blocks_.begin() + static_cast<ptrdiff_t>(index), std::move(block));
  last_times_.insert(last_times_.begin() + static_cast<ptrdiff_t>(index), 0);
  return raw;
}

void OrderedIndex::DropBlock(size_t index) {
  RecycleBlock(std::move(blocks_[index]));
  blocks_.erase(blocks_.begin() + static_cast<ptrdiff_t>(index));
  last_times_.erase(last_times_.begin() + static_cast<ptrdiff_t>(index));
}

void OrderedIndex::Insert(int64_t time, uint32_t slot) {
  ++size_;
  // The first block holding a later time; the new entry goes after every entry <= time.
  size_t index = static_cast<size_t>(
      std::upper_bound(last_times_.begin(), last_times_.end(), time) - last_times_.begin());
  if (index == blocks_.size()) {
    // After everything: append, starting a new block when the last one is full.
    // A full last block is not copied for a frozen copy: the entry goes into a new one.
    Block* block = blocks_.empty() || blocks_.back()->count == kBlockCapacity
                       ? InsertBlock(blocks_.size())
                       : &Writable(blocks_.size() - 1);
    block->times[block->count] = time;
    block->slots[block->count] = slot;
    ++block->count;
    last_times_.back() = time;
    return;
  }
  Block* block = &Writable(index);
  uint32_t position = static_cast<uint32_t>(
      std::upper_bound(block->times, block->times + block->count, time) - block->times);
  if (block->count == kBlockCapacity) {
    constexpr uint32_t kHalf = kBlockCapacity / 2;
    Block* right = InsertBlock(index + 1);
    right->count = kBlockCapacity - kHalf;
    std::memcpy(right->times, block->times + kHalf, right->count * sizeof(int64_t));
    std::memcpy(right->slots, block->slots + kHalf, right->count * sizeof(uint32_t));
    block->count = kHalf;
    last_times_[index] = block->times[kHalf - 1];
    last_times_[index + 1] = right->times[right->count - 1];
    if (position > kHalf) {
      block = right;
      position -= kHalf;
      ++index;
    }
  }
  uint32_t tail = block->count - position;
  std::memmove(block->times + position + 1, block->times + position, tail * sizeof(int64_t));
  std::memmove(block->slots + position + 1, block->slots + position, tail * sizeof(uint32_t));
  block->times[position] = time;
  block->slots[position] = slot;
  ++block->count;
  if (tail == 0) last_times_[index] = time;
}

bool OrderedIndex::Erase(int64_t time, uint32_t slot) {
  for (size_t index = FirstBlockAtOrAfter(time); index < blocks_.size(); ++index) {
    const Block& block = *blocks_[index];
    uint32_t position = static_cast<uint32_t>(
        std::lower_bound(block.times, block.times + block.count, time) - block.times);
    for (; position < block.count && block.times[position] == time; ++position) {
      if (block.slots[position] == slot) {
        RemoveAt(index, position);
        return true;
      }
    }
    // The run of `time` continues into the next block only when it reaches this one's end.
    if (position < block.count) return false;
  }
  return false;
}

void OrderedIndex::RemoveAt(size_t index, uint32_t position) {
  Block& block = Writable(index);
  uint32_t tail = block.count - position - 1;
  std::memmove(block.times + position, block.times + position + 1, tail * sizeof(int64_t));
  std::memmove(block.slots + position, block.slots + position + 1, tail * sizeof(uint32_t));
  --block.count;
  --size_;
  if (block.count == 0) {
    DropBlock(index);
    return;
  }
  last_times_[index] = block.times[block.count - 1];
  MaybeMerge(index);
}

void OrderedIndex::MaybeMerge(size_t index) {
  if (blocks_[index]->count >= kBlockCapacity / 4) return;
  // Merge into the left one of the pair, which keeps its place.
  size_t left;
  if (index + 1 < blocks_.size() &&
      blocks_[index]->count + blocks_[index + 1]->count <= kBlockCapacity / 2) {
    left = index;
  } else if (index > 0 && blocks_[index - 1]->count + blocks_[index]->count <= kBlockCapacity / 2) {
    left = index - 1;
  } else {
    return;
  }
  Block& into = Writable(left);
  const Block& from = *blocks_[left + 1];
  std::memcpy(into.times + into.count, from.times, from.count * sizeof(int64_t));
  std::memcpy(into.slots + into.count, from.slots, from.count * sizeof(uint32_t));
  into.count += from.count;
  last_times_[left] = last_times_[left + 1];
  DropBlock(left + 1);
}

void OrderedIndex::PopUpTo(int64_t time, std::vector<Entry>* out) {
  size_t whole_blocks = 0;
  for (; whole_blocks < blocks_.size(); ++whole_blocks) {
    const Block& block = *blocks_[whole_blocks];
    uint32_t count =
        last_times_[whole_blocks] <= time
            ? block.count
            : static_cast<uint32_t>(std::upper_bound(block.times, block.times + block.count, time) -
                                    block.times);
    for (uint32_t i = 0; i < count; ++i) out->push_back(Entry{block.times[i], block.slots[i]});
    size_ -= count;
    if (count < block.count) {
      if (count > 0) {
        Block& first = Writable(whole_blocks);
        uint32_t rest = first.count - count;
        std::memmove(first.times, first.times + count, rest * sizeof(int64_t));
        std::memmove(first.slots, first.slots + count, rest * sizeof(uint32_t));
        first.count = rest;
      }
      break;
    }
  }
  if (whole_blocks == 0) {
    if (!blocks_.empty()) MaybeMerge(0);
    return;
  }
  for (size_t i = 0; i < whole_blocks; ++i) RecycleBlock(std::move(blocks_[i]));
  blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<ptrdiff_t>(whole_blocks));
  last_times_.erase(last_times_.begin(),
                    last_times_.begin() + static_cast<ptrdiff_t>(whole_blocks));
  if (!blocks_.empty()) MaybeMerge(0);
}

std::optional<int64_t> OrderedIndex::MinTime() const {
  if (blocks_.empty()) return std::nullopt;
  return blocks_.front()->times[0];
}

size_t OrderedIndex::MemoryBytes() const {
  return sizeof(*this) + (blocks_.size() + spare_blocks_.size()) * sizeof(Block) +
         blocks_.capacity() * sizeof(std::shared_ptr<Block>) +
         spare_blocks_.capacity() * sizeof(std::shared_ptr<Block>) +
         last_times_.capacity() * sizeof(int64_t);
}

}  // namespace laminar::state

#include "server/output_checksum.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "columnar/temporal.h"
#include "common/hash.h"

namespace laminar::server {
namespace {

constexpr uint64_t kPrime = 0x9e3779b97f4a7c15;
constexpr uint64_t kNullSalt = 0xd6e8feb86659fd93;
constexpr uint64_t kStringMultiplier = 0xa0761d6478bd642f;
constexpr uint64_t kStringSeed = 0xe7037ed1a0b428db;

// The high and low halves of a 128-bit product, folded.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product >> 64) ^ static_cast<uint64_t>(product);
}

uint64_t HashBytes(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t h = kStringSeed ^ (static_cast<uint64_t>(n) * kPrime);
  while (n >= 8) {
    uint64_t word = 0;
    std::memcpy(&word, p, 8);
    h = Fold(h ^ word, kStringMultiplier);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = Fold(h ^ word, kStringMultiplier ^ n);
  }
  return Mix64(h);
}

// One step of a row's hash: the row's hash so far, the column's salt and the value's hash.
inline uint64_t Combine(uint64_t row_hash, uint64_t salt, uint64_t value_hash) {
  return Mix64((row_hash ^ salt) * kPrime + value_hash);
}

uint64_t DoubleHash(double value) {
  if (value == 0.0) value = 0.0;  // -0.0 and 0.0 are equal values.
  if (std::isnan(value)) return 0x7ff8000000000000;
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Applies `value_hash(row)` of one column to every row's hash; NULL rows get the NULL mark.
template <typename ValueHash>
void HashColumn(const Column& column, uint64_t salt, std::vector<uint64_t>& row_hashes,
                ValueHash value_hash) {
  const int64_t rows = column.length();
  if (column.validity_buffer() == nullptr) {
    for (int64_t row = 0; row < rows; ++row) {
      row_hashes[static_cast<size_t>(row)] =
          Combine(row_hashes[static_cast<size_t>(row)], salt, value_hash(row));
    }
    return;
  }
  for (int64_t row = 0; row < rows; ++row) {
    uint64_t& hash = row_hashes[static_cast<size_t>(row)];
    hash = column.IsNull(row) ? Combine(hash, salt ^ kNullSalt, 0)
                              : Combine(hash, salt, value_hash(row));
  }
}

void HashColumn(const Column& column, int index, std::vector<uint64_t>& row_hashes) {
  const DataType& type = column.type();
  // The salt makes the hash depend on the column's position and type (DECIMAL: its scale).
  const uint64_t salt =
      Mix64((static_cast<uint64_t>(index) << 16) ^ (static_cast<uint64_t>(type.id()) << 8) ^
            static_cast<uint64_t>(type.id() == TypeId::kDecimal ? type.scale() : 0));
  switch (type.id()) {
    case TypeId::kNull:
      for (uint64_t& hash : row_hashes) hash = Combine(hash, salt ^ kNullSalt, 0);
      return;
    case TypeId::kBoolean:
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return uint64_t{column.BooleanValue(row)}; });
    case TypeId::kTinyInt: {
      const int8_t* values = column.Values<int8_t>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return static_cast<uint64_t>(int64_t{values[row]}); });
    }
    case TypeId::kSmallInt: {
      const int16_t* values = column.Values<int16_t>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return static_cast<uint64_t>(int64_t{values[row]}); });
    }
    case TypeId::kInteger:
    case TypeId::kDate: {
      const int32_t* values = column.Values<int32_t>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return static_cast<uint64_t>(int64_t{values[row]}); });
    }
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      const int64_t* values = column.Values<int64_t>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return static_cast<uint64_t>(values[row]); });
    }
    case TypeId::kReal: {
      const float* values = column.Values<float>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return DoubleHash(double{values[row]}); });
    }
    case TypeId::kDouble: {
      const double* values = column.Values<double>();
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return DoubleHash(values[row]); });
    }
    case TypeId::kDecimal: {
      const __int128* values = column.Values<__int128>();
      return HashColumn(column, salt, row_hashes, [&](int64_t row) {
        const auto bits = static_cast<unsigned __int128>(values[row]);
        return Mix64(static_cast<uint64_t>(bits) + Mix64(static_cast<uint64_t>(bits >> 64)));
      });
    }
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return HashColumn(column, salt, row_hashes,
                        [&](int64_t row) { return HashBytes(column.StringValue(row)); });
    case TypeId::kInterval: {
      const Interval* values = column.Values<Interval>();
      return HashColumn(column, salt, row_hashes, [&](int64_t row) {
        const Interval& value = values[row];
        const uint64_t months_and_days =
            static_cast<uint64_t>(static_cast<uint32_t>(value.months)) |
            static_cast<uint64_t>(static_cast<uint32_t>(value.days)) << 32;
        return Mix64(months_and_days) ^ Mix64(static_cast<uint64_t>(value.micros) + kPrime);
      });
    }
  }
}

}  // namespace

void OutputChecksum::Add(const exec::ChangeBatch& batch) {
  const int64_t rows = batch.num_rows();
  if (rows == 0) return;
  std::vector<uint64_t> row_hashes(static_cast<size_t>(rows),
                                   Mix64(static_cast<uint64_t>(batch.rows.num_columns())));
  for (int c = 0; c < batch.rows.num_columns(); ++c) {
    HashColumn(batch.rows.column(c), c, row_hashes);
  }
  uint64_t sum = sum_;
  if (batch.append_only()) {
    for (const uint64_t hash : row_hashes) sum += Mix64(hash ^ kPrime);
    net_rows_ += rows;
  } else {
    for (int64_t row = 0; row < rows; ++row) {
      const uint64_t term = Mix64(row_hashes[static_cast<size_t>(row)] ^ kPrime);
      const int weight = batch.weight(row);
      sum += static_cast<uint64_t>(static_cast<int64_t>(weight)) * term;
      net_rows_ += weight;
    }
  }
  sum_ = sum;
  changes_ += rows;
}

std::string OutputChecksum::Hex() const { return fmt::format("{:016x}", sum_); }

}  // namespace laminar::server

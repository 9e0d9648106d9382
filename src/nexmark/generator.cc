#include "nexmark/generator.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "columnar/column_builder.h"
#include "common/check.h"
#include "nexmark/event_random.h"
#include "nexmark/price.h"

namespace laminar::nexmark {
namespace {

// --- Constants of the specification (SPEC.md, "Generator") -----------------------------------

constexpr uint64_t kProportionDenominator = 50;  // 1 person : 3 auctions : 46 bids.
// Hot sellers, auctions and bidders are the first of each block of this many ids.
constexpr int64_t kHotBlock = 100;
constexpr int64_t kNumActivePeople = 1000;
constexpr int64_t kPersonIdLead = 10;
constexpr int64_t kNumInFlightAuctions = 100;
constexpr int64_t kAuctionIdLead = 10;
// The events between an auction and the auction kNumInFlightAuctions later: 100 * 50 / 3.
constexpr uint64_t kAuctionHorizonEvents = kNumInFlightAuctions * kProportionDenominator / 3;
// Hot ratios: an event picks the hot value unless U[0, ratio) draws 0 (as in the reference
// generators), so the hot share is (ratio - 1) / ratio.
constexpr uint64_t kHotAuctionRatio = 2;  // 1/2 of bids on a hot auction.
constexpr uint64_t kHotBidderRatio = 4;   // 3/4 of bids by a hot bidder.
constexpr uint64_t kHotSellerRatio = 4;   // 3/4 of auctions by a hot seller.
constexpr uint64_t kHotChannelRatio = 2;  // 1/2 of bids through a hot channel.
constexpr int64_t kFirstCategory = 10;
constexpr uint64_t kNumCategories = 5;
constexpr uint64_t kNumChannels = 10'000;
// Average row sizes that `extra` pads to, counted as the reference generators count them.
constexpr int64_t kAveragePersonBytes = 200;
constexpr int64_t kAverageAuctionBytes = 500;
constexpr int64_t kAverageBidBytes = 100;
constexpr int kItemNameLength = 20;
constexpr int kDescriptionLength = 100;

constexpr std::array<std::string_view, 11> kFirstNames = {
    "peter", "paul", "luke", "john", "saul", "vicky", "kate", "julie", "sarah", "deiter", "walter"};
constexpr std::array<std::string_view, 9> kLastNames = {
    "shultz", "abrams", "spencer", "white", "bartels", "walton", "smith", "jones", "noris"};
constexpr std::array<std::string_view, 10> kCities = {
    "phoenix", "los angeles", "san francisco", "boise", "portland",
    "bend",    "redmond",     "seattle",       "kent",  "cheyenne"};
constexpr std::array<std::string_view, 6> kStates = {"az", "ca", "id", "or", "wa", "wy"};
constexpr std::array<std::string_view, 4> kHotChannels = {"Google", "Facebook", "Baidu", "Apple"};
// One fixed url per hot channel, of the same shape as other urls (three directories of 3-4
// letters) and without a channel_id: q21 maps hot channels to ids by name.
constexpr std::array<std::string_view, 4> kHotUrls = {
    "https://www.nexmark.com/goog/adw/srch/item.htm?query=1",
    "https://www.nexmark.com/meta/feed/ads/item.htm?query=1",
    "https://www.nexmark.com/bidu/tie/srch/item.htm?query=1",
    "https://www.nexmark.com/aapl/apps/stor/item.htm?query=1",
};

// Upper bounds of the longest string a row puts in any one column (the extra padding, or the url
// of a bid), used to refuse batches whose string columns would pass 2 GiB before generating.
constexpr int64_t kMaxPersonStringBytes = 256;   // extra <= 167.
constexpr int64_t kMaxAuctionStringBytes = 512;  // extra <= 397.
constexpr int64_t kMaxBidStringBytes = 128;      // url <= 77, extra <= 81.

// --- Fixed text tables -------------------------------------------------------------------------
//
// Long random text (item names, descriptions, extra padding) is cut from one fixed pool of
// random letters at a random offset, and the url of each of the 10,000 ordinary channels is
// fixed: both are built once per process from fixed keys, independent of the seed, so that
// generating a row copies bytes instead of drawing one random number per letter.

constexpr size_t kLetterPoolSize = size_t{1} << 16;  // Offsets are U[0, kLetterPoolSize).
constexpr size_t kMaxLetterRead = 512;               // Longest substring ever cut from the pool.
constexpr uint64_t kLetterPoolKey = 0x4c414d494e415231;  // Keys of the fixed tables' streams.
constexpr uint64_t kChannelKey = 0x4348414e4e454c31;

// Writes `count` (at most 12) lowercase letters taken from one 64-bit random value: the base-26
// digits of value / 2^64, most significant first. Multiplying by 26 = 2 x 13 drops one random bit
// per letter, so even the twelfth letter draws on 53 bits and is uniform to within 2^-48; twelve
// letters together take one of 26^12 values, each from 194 or 195 of the 2^64 inputs.
void LettersFromBits(uint64_t bits, int count, char* out) {
  LAMINAR_DCHECK(count <= 12);
  for (int i = 0; i < count; ++i) {
    const unsigned __int128 product = static_cast<unsigned __int128>(bits) * 26;
    out[i] = static_cast<char>('a' + static_cast<int>(product >> 64));
    bits = static_cast<uint64_t>(product);
  }
}

const std::string& LetterPool() {
  static const std::string pool = [] {
    std::string letters(kLetterPoolSize + kMaxLetterRead, 'a');
    EventRandom random(EventRandom::SeedKey(kLetterPoolKey), 0);
    for (size_t i = 0; i < letters.size(); i += 12) {
      char chunk[12];
      LettersFromBits(random.Next(), 12, chunk);
      std::memcpy(letters.data() + i, chunk, std::min<size_t>(12, letters.size() - i));
    }
    return letters;
  }();
  return pool;
}

// Makes the compiler forget what it knows about `value`. GCC expands a memcpy whose size it
// knows to be at least ~50 bytes (the extra padding of a bid, 54..81 bytes; a hot channel's url)
// into `rep movsq`, which takes dozens of cycles to start on AMD Zen cores: with the plain
// memcpy call, bids generate about 40% faster (12 -> 17 million per second on one Zen 3 core).
inline void HideValueFromOptimizer(size_t& value) {
#if defined(__GNUC__)
  asm("" : "+r"(value));
#endif
}

// `length` random letters: the pool from a random offset.
std::string_view PoolLetters(EventRandom& random, const std::string& pool, size_t length) {
  LAMINAR_DCHECK(length <= kMaxLetterRead);
  return std::string_view(pool.data() + random.Uniform(kLetterPoolSize), length);
}

// 32-bit bit reversal: bit i of k becomes bit 31 - i, read as an unsigned integer (so channel 1
// gets 2147483648). The channel_id of channel k in its url.
uint32_t ReverseBits32(uint32_t k) {
  k = ((k >> 1) & 0x55555555u) | ((k & 0x55555555u) << 1);
  k = ((k >> 2) & 0x33333333u) | ((k & 0x33333333u) << 2);
  k = ((k >> 4) & 0x0f0f0f0fu) | ((k & 0x0f0f0f0fu) << 4);
  k = ((k >> 8) & 0x00ff00ffu) | ((k & 0x00ff00ffu) << 8);
  return (k >> 16) | (k << 16);
}

// The ordinary channels 0..9999. Channel k is named "channel-<k>"; its url is
// https://www.nexmark.com/<a>/<b>/<c>/item.htm?query=1, where a, b and c have 3 + U[0, 2)
// letters, followed for nine channels in ten by &channel_id=<ReverseBits32(k)>. The draws come
// from the stream (kChannelKey, k), so every channel always has the same url, in every run and
// for every seed.
//
// Only the variable parts are stored, 32 bytes per channel (320 KB in all, which stays in a
// core's L2 cache where the full texts would not), and the texts are assembled with fixed-size
// copies when a bid needs them.
class ChannelTable {
 public:
  static constexpr size_t kMaxNameLength = 12;  // "channel-9999"
  static constexpr size_t kMaxUrlLength = 77;

  ChannelTable() : records_(kNumChannels) {
    for (uint32_t k = 0; k < kNumChannels; ++k) {
      Record& record = records_[k];
      EventRandom random(EventRandom::SeedKey(kChannelKey), k);
      char letters[12];
      LettersFromBits(random.Next(), 12, letters);
      int used = 0;
      for (int part = 0; part < 3; ++part) {
        const int length = 3 + static_cast<int>(random.Uniform(2));
        std::memcpy(record.directories + record.directories_length, letters + used, length);
        record.directories[record.directories_length + length] = '/';
        record.directories_length += static_cast<uint8_t>(length + 1);
        used += length;
      }
      if (random.Uniform(10) != 9) {
        const std::string id = std::to_string(ReverseBits32(k));
        std::memcpy(record.id, id.data(), id.size());
        record.id_length = static_cast<uint8_t>(id.size());
      }
      const std::string number = std::to_string(k);
      std::memcpy(record.number, number.data(), number.size());
    }
  }

  /// Writes channel k's name to `out` (kMaxNameLength bytes of room) and returns its length.
  size_t Name(uint64_t k, char* out) const {
    std::memcpy(out, "channel-", 8);
    std::memcpy(out + 8, records_[k].number, 4);
    return 8 + 1 + (k >= 10) + (k >= 100) + (k >= 1000);
  }

  /// Writes channel k's url to `out` (kMaxUrlLength + 16 bytes of room: copies may overrun the
  /// end of the text) and returns its length.
  size_t Url(uint64_t k, char* out) const {
    const Record& record = records_[k];
    std::memcpy(out, "https://www.nexmark.com/", 24);
    std::memcpy(out + 24, record.directories, sizeof(record.directories));
    size_t length = 24 + record.directories_length;
    std::memcpy(out + length, "item.htm?query=1", 16);
    length += 16;
    if (record.id_length > 0) {
      std::memcpy(out + length, "&channel_id=", 12);
      std::memcpy(out + length + 12, record.id, sizeof(record.id));
      length += 12 + record.id_length;
    }
    return length;
  }

 private:
  struct Record {
    char directories[16] = {};  // "<a>/<b>/<c>/"
    char id[10] = {};           // Decimal ReverseBits32(k).
    uint8_t directories_length = 0;
    uint8_t id_length = 0;  // 0: the url carries no channel_id.
    char number[4] = {};    // Decimal k.
  };
  static_assert(sizeof(Record) == 32);

  std::vector<Record> records_;
};

const ChannelTable& Channels() {
  static const ChannelTable table;
  return table;
}

// --- Ids and time ------------------------------------------------------------------------------

// The specification's next_person(n): a person among the last 1000, or up to 10 not yet created.
int64_t NextPerson(uint64_t event_id, EventRandom& random) {
  const int64_t people = LastPerson(event_id) + 1;
  const int64_t active = std::min(people, kNumActivePeople);
  return people - active + static_cast<int64_t>(random.Uniform(active + kPersonIdLead));
}

// The specification's referenced auction: one of the last 100, or up to 10 not yet created.
int64_t NextAuction(uint64_t event_id, EventRandom& random) {
  const int64_t newest = LastAuction(event_id);
  const int64_t oldest = std::max<int64_t>(newest - kNumInFlightAuctions, 0);
  return oldest + static_cast<int64_t>(random.Uniform(newest - oldest + 1 + kAuctionIdLead));
}

// Event ids below this multiply by 10^6 within 64 bits.
constexpr uint64_t kMaxFastTimeEventId = std::numeric_limits<uint64_t>::max() / 1'000'000;

uint64_t EventTimeOffset(uint64_t event_id, uint64_t rate) {
  if (event_id <= kMaxFastTimeEventId) [[likely]] {
    return event_id * 1'000'000 / rate;
  }
  return static_cast<uint64_t>(static_cast<unsigned __int128>(event_id) * 1'000'000 / rate);
}

// The length of `extra` for a row whose other columns count `nominal_size` bytes: the rest of
// `average_size`, spread uniformly over +-20% (the reference generators' nextExtra).
size_t ExtraLength(EventRandom& random, int64_t nominal_size, int64_t average_size) {
  if (nominal_size >= average_size) return 0;
  const int64_t target = average_size - nominal_size;
  const int64_t delta = (2 * target + 5) / 10;  // round(target * 0.2)
  const int64_t length =
      target - delta + (delta == 0 ? 0 : static_cast<int64_t>(random.Uniform(2 * delta)));
  return static_cast<size_t>(length);
}

// Calls `visit(n)` for each event n in [first, end) of `table`, in order.
template <typename Visit>
void ForEachEvent(NexmarkTable table, uint64_t first, uint64_t end, Visit&& visit) {
  const uint64_t lo = EventIdOfRow(table, 0);
  const uint64_t hi = lo + CountEvents(table, 0, kProportionDenominator);
  for (uint64_t block = first / kProportionDenominator * kProportionDenominator; block < end;
       block += kProportionDenominator) {
    const uint64_t block_end = std::min(end, block + hi);
    for (uint64_t n = std::max(first, block + lo); n < block_end; ++n) visit(n);
  }
}

// Appends a string whose size the caller has bounded (GenerateTable checks the 2 GiB limit up
// front), so an error here is a bug in that bound.
inline void AppendBounded(ColumnBuilder& builder, std::string_view value) {
  size_t size = value.size();
  HideValueFromOptimizer(size);
  Status status = builder.AppendString(std::string_view(value.data(), size));
  LAMINAR_CHECK_MSG(status.ok(), "nexmark row larger than its bound");
}

struct Generation {
  const NexmarkConfig& config;
  uint64_t seed_key;
  const std::string& pool;
  const PriceTable& prices;
  int64_t Time(uint64_t event_id) const {
    return config.base_time + static_cast<int64_t>(EventTimeOffset(event_id, config.rate));
  }
};

// --- The three tables --------------------------------------------------------------------------

Result<Batch> GeneratePersons(const Generation& generation, uint64_t first, uint64_t end) {
  const int64_t rows = static_cast<int64_t>(CountEvents(NexmarkTable::kPerson, first, end));
  ColumnBuilder id(DataType::BigInt());
  ColumnBuilder name(DataType::Varchar());
  ColumnBuilder email(DataType::Varchar());
  ColumnBuilder credit_card(DataType::Varchar());
  ColumnBuilder city(DataType::Varchar());
  ColumnBuilder state(DataType::Varchar());
  ColumnBuilder date_time(DataType::Timestamp());
  ColumnBuilder extra(DataType::Varchar());
  id.Reserve(rows);
  // String bytes are reserved for slightly more than the average row (a builder rounds its
  // capacity up to a power of two and zeroes it, so reserving for the longest row would cost).
  name.Reserve(rows, rows * 12);
  email.Reserve(rows, rows * 17);
  credit_card.Reserve(rows, rows * 19);
  city.Reserve(rows, rows * 8);
  state.Reserve(rows, rows * 2);
  date_time.Reserve(rows);
  extra.Reserve(rows, rows * 140);

  std::string text;
  ForEachEvent(NexmarkTable::kPerson, first, end, [&](uint64_t n) {
    EventRandom random(generation.seed_key, n);
    int64_t nominal_size = 8;  // The id, as the reference generators count it.
    id.AppendFixed(LastPerson(n) + kFirstPersonId);

    text.assign(kFirstNames[random.Uniform(kFirstNames.size())]);
    text += ' ';
    text += kLastNames[random.Uniform(kLastNames.size())];
    AppendBounded(name, text);
    nominal_size += static_cast<int64_t>(text.size());

    char letters[12];
    LettersFromBits(random.Next(), 12, letters);
    text.assign(letters, 7);
    text += '@';
    text.append(letters + 7, 5);
    text += ".com";
    AppendBounded(email, text);
    nominal_size += static_cast<int64_t>(text.size());

    text.clear();
    for (int group = 0; group < 4; ++group) {
      const uint64_t digits = random.Uniform(10'000);
      if (group > 0) text += ' ';
      text += static_cast<char>('0' + digits / 1000);
      text += static_cast<char>('0' + digits / 100 % 10);
      text += static_cast<char>('0' + digits / 10 % 10);
      text += static_cast<char>('0' + digits % 10);
    }
    AppendBounded(credit_card, text);
    nominal_size += static_cast<int64_t>(text.size());

    const std::string_view city_name = kCities[random.Uniform(kCities.size())];
    AppendBounded(city, city_name);
    const std::string_view state_name = kStates[random.Uniform(kStates.size())];
    AppendBounded(state, state_name);
    nominal_size += static_cast<int64_t>(city_name.size() + state_name.size());

    date_time.AppendFixed(generation.Time(n));
    const size_t extra_length = ExtraLength(random, nominal_size, kAveragePersonBytes);
    AppendBounded(extra, PoolLetters(random, generation.pool, extra_length));
  });

  std::vector<Column> columns;
  columns.reserve(8);
  for (ColumnBuilder* builder :
       {&id, &name, &email, &credit_card, &city, &state, &date_time, &extra}) {
    columns.push_back(builder->Finish());
  }
  return Batch::Make(PersonSchema(), std::move(columns));
}

Result<Batch> GenerateAuctions(const Generation& generation, uint64_t first, uint64_t end) {
  const int64_t rows = static_cast<int64_t>(CountEvents(NexmarkTable::kAuction, first, end));
  ColumnBuilder id(DataType::BigInt());
  ColumnBuilder item_name(DataType::Varchar());
  ColumnBuilder description(DataType::Varchar());
  ColumnBuilder initial_bid(DataType::BigInt());
  ColumnBuilder reserve(DataType::BigInt());
  ColumnBuilder date_time(DataType::Timestamp());
  ColumnBuilder expires(DataType::Timestamp());
  ColumnBuilder seller(DataType::BigInt());
  ColumnBuilder category(DataType::BigInt());
  ColumnBuilder extra(DataType::Varchar());
  id.Reserve(rows);
  item_name.Reserve(rows, rows * kItemNameLength);
  description.Reserve(rows, rows * kDescriptionLength);
  initial_bid.Reserve(rows);
  reserve.Reserve(rows);
  date_time.Reserve(rows);
  expires.Reserve(rows);
  seller.Reserve(rows);
  category.Reserve(rows);
  extra.Reserve(rows, rows * 334);

  // id, item_name, description, initial_bid, reserve, date_time, expires, seller, category: the
  // reference generators count the strings' bytes and 8 bytes for each of the other five.
  constexpr int64_t kNominalSize = 8 + kItemNameLength + kDescriptionLength + 5 * 8;
  ForEachEvent(NexmarkTable::kAuction, first, end, [&](uint64_t n) {
    EventRandom random(generation.seed_key, n);
    id.AppendFixed(LastAuction(n) + kFirstAuctionId);
    AppendBounded(item_name, PoolLetters(random, generation.pool, kItemNameLength));
    AppendBounded(description, PoolLetters(random, generation.pool, kDescriptionLength));
    const int64_t initial = generation.prices.Price(random.Next());
    initial_bid.AppendFixed(initial);
    reserve.AppendFixed(initial + generation.prices.Price(random.Next()));
    const int64_t now = generation.Time(n);
    date_time.AppendFixed(now);
    // Auctions last 1 us + U[0, 2 * horizon): on average until the auction 100 auctions later
    // is created, so about 100 auctions are open at any time.
    const int64_t horizon = generation.Time(n + kAuctionHorizonEvents) - now;
    expires.AppendFixed(now + 1 +
                        static_cast<int64_t>(random.Uniform(std::max<uint64_t>(2 * horizon, 1))));
    const int64_t seller_id = random.Uniform(kHotSellerRatio) > 0
                                  ? LastPerson(n) / kHotBlock * kHotBlock
                                  : NextPerson(n, random);
    seller.AppendFixed(seller_id + kFirstPersonId);
    category.AppendFixed(kFirstCategory + static_cast<int64_t>(random.Uniform(kNumCategories)));
    const size_t extra_length = ExtraLength(random, kNominalSize, kAverageAuctionBytes);
    AppendBounded(extra, PoolLetters(random, generation.pool, extra_length));
  });

  std::vector<Column> columns;
  columns.reserve(10);
  for (ColumnBuilder* builder : {&id, &item_name, &description, &initial_bid, &reserve, &date_time,
                                 &expires, &seller, &category, &extra}) {
    columns.push_back(builder->Finish());
  }
  return Batch::Make(AuctionSchema(), std::move(columns));
}

Result<Batch> GenerateBids(const Generation& generation, uint64_t first, uint64_t end) {
  const int64_t rows = static_cast<int64_t>(CountEvents(NexmarkTable::kBid, first, end));
  ColumnBuilder auction(DataType::BigInt());
  ColumnBuilder bidder(DataType::BigInt());
  ColumnBuilder price(DataType::BigInt());
  ColumnBuilder channel(DataType::Varchar());
  ColumnBuilder url(DataType::Varchar());
  ColumnBuilder date_time(DataType::Timestamp());
  ColumnBuilder extra(DataType::Varchar());
  auction.Reserve(rows);
  bidder.Reserve(rows);
  price.Reserve(rows);
  // A little more than the average row; see GeneratePersons.
  channel.Reserve(rows, rows * 10);
  url.Reserve(rows, rows * 66);
  date_time.Reserve(rows);
  extra.Reserve(rows, rows * 69);

  const ChannelTable& channels = Channels();
  char text[ChannelTable::kMaxUrlLength + 16];
  // auction, bidder, price and date_time, as the reference generators count them: channel and
  // url, added to Nexmark later, were left out of the count, and so they are here.
  constexpr int64_t kNominalSize = 4 * 8;
  ForEachEvent(NexmarkTable::kBid, first, end, [&](uint64_t n) {
    EventRandom random(generation.seed_key, n);
    const int64_t auction_id = random.Uniform(kHotAuctionRatio) > 0
                                   ? LastAuction(n) / kHotBlock * kHotBlock
                                   : NextAuction(n, random);
    auction.AppendFixed(auction_id + kFirstAuctionId);
    const int64_t bidder_id = random.Uniform(kHotBidderRatio) > 0
                                  ? LastPerson(n) / kHotBlock * kHotBlock + 1
                                  : NextPerson(n, random);
    bidder.AppendFixed(bidder_id + kFirstPersonId);
    price.AppendFixed(generation.prices.Price(random.Next()));
    if (random.Uniform(kHotChannelRatio) > 0) {
      const uint64_t hot = random.Uniform(kHotChannels.size());
      AppendBounded(channel, kHotChannels[hot]);
      AppendBounded(url, kHotUrls[hot]);
    } else {
      const uint64_t k = random.Uniform(kNumChannels);
      AppendBounded(channel, std::string_view(text, channels.Name(k, text)));
      AppendBounded(url, std::string_view(text, channels.Url(k, text)));
    }
    date_time.AppendFixed(generation.Time(n));
    const size_t extra_length = ExtraLength(random, kNominalSize, kAverageBidBytes);
    AppendBounded(extra, PoolLetters(random, generation.pool, extra_length));
  });

  std::vector<Column> columns;
  columns.reserve(7);
  for (ColumnBuilder* builder : {&auction, &bidder, &price, &channel, &url, &date_time, &extra}) {
    columns.push_back(builder->Finish());
  }
  return Batch::Make(BidSchema(), std::move(columns));
}

std::shared_ptr<const Schema> MakeSchema(std::vector<Field> fields) {
  return Schema::Make(std::move(fields));
}

}  // namespace

std::string_view NexmarkTableName(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson:
      return "person";
    case NexmarkTable::kAuction:
      return "auction";
    case NexmarkTable::kBid:
      return "bid";
  }
  return "unknown";
}

Result<NexmarkTable> ParseNexmarkTable(std::string_view name) {
  auto equals = [name](std::string_view expected) {
    return name.size() == expected.size() &&
           std::equal(name.begin(), name.end(), expected.begin(), [](char a, char b) {
             return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
           });
  };
  for (NexmarkTable table : {NexmarkTable::kPerson, NexmarkTable::kAuction, NexmarkTable::kBid}) {
    if (equals(NexmarkTableName(table))) return table;
  }
  return Status::Error(ErrorCode::kInvalidOption,
                       "unknown nexmark table '{}' (expected 'person', 'auction' or 'bid')", name);
}

Status NexmarkConfig::Validate() const {
  if (rate == 0) {
    return Status::Error(ErrorCode::kInvalidArgument, "nexmark rate must be positive");
  }
  return Status::Ok();
}

std::shared_ptr<const Schema> PersonSchema() {
  static const std::shared_ptr<const Schema> schema = MakeSchema({
      {"id", DataType::BigInt()},
      {"name", DataType::Varchar()},
      {"email_address", DataType::Varchar()},
      {"credit_card", DataType::Varchar()},
      {"city", DataType::Varchar()},
      {"state", DataType::Varchar()},
      {"date_time", DataType::Timestamp()},
      {"extra", DataType::Varchar()},
  });
  return schema;
}

std::shared_ptr<const Schema> AuctionSchema() {
  static const std::shared_ptr<const Schema> schema = MakeSchema({
      {"id", DataType::BigInt()},
      {"item_name", DataType::Varchar()},
      {"description", DataType::Varchar()},
      {"initial_bid", DataType::BigInt()},
      {"reserve", DataType::BigInt()},
      {"date_time", DataType::Timestamp()},
      {"expires", DataType::Timestamp()},
      {"seller", DataType::BigInt()},
      {"category", DataType::BigInt()},
      {"extra", DataType::Varchar()},
  });
  return schema;
}

std::shared_ptr<const Schema> BidSchema() {
  static const std::shared_ptr<const Schema> schema = MakeSchema({
      {"auction", DataType::BigInt()},
      {"bidder", DataType::BigInt()},
      {"price", DataType::BigInt()},
      {"channel", DataType::Varchar()},
      {"url", DataType::Varchar()},
      {"date_time", DataType::Timestamp()},
      {"extra", DataType::Varchar()},
  });
  return schema;
}

std::shared_ptr<const Schema> NexmarkSchema(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson:
      return PersonSchema();
    case NexmarkTable::kAuction:
      return AuctionSchema();
    case NexmarkTable::kBid:
      return BidSchema();
  }
  return BidSchema();
}

NexmarkTable EventTable(uint64_t event_id) {
  const uint64_t offset = event_id % kProportionDenominator;
  if (offset == 0) return NexmarkTable::kPerson;
  if (offset < 4) return NexmarkTable::kAuction;
  return NexmarkTable::kBid;
}

namespace {

// The offsets within each block of 50 events that belong to `table`: [begin, end).
std::pair<uint64_t, uint64_t> BlockOffsets(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson:
      return {0, 1};
    case NexmarkTable::kAuction:
      return {1, 4};
    case NexmarkTable::kBid:
      return {4, kProportionDenominator};
  }
  return {4, kProportionDenominator};
}

// Events of `table` in [0, end).
uint64_t CountEventsBefore(NexmarkTable table, uint64_t end) {
  const auto [begin_offset, end_offset] = BlockOffsets(table);
  const uint64_t remainder = end % kProportionDenominator;
  return end / kProportionDenominator * (end_offset - begin_offset) +
         std::clamp(remainder, begin_offset, end_offset) - begin_offset;
}

}  // namespace

uint64_t CountEvents(NexmarkTable table, uint64_t first_event, uint64_t end_event) {
  if (end_event <= first_event) return 0;
  return CountEventsBefore(table, end_event) - CountEventsBefore(table, first_event);
}

uint64_t EventIdOfRow(NexmarkTable table, uint64_t row) {
  const auto [begin_offset, end_offset] = BlockOffsets(table);
  const uint64_t per_block = end_offset - begin_offset;
  return row / per_block * kProportionDenominator + begin_offset + row % per_block;
}

int64_t EventTime(const NexmarkConfig& config, uint64_t event_id) {
  return config.base_time + static_cast<int64_t>(EventTimeOffset(event_id, config.rate));
}

int64_t LastPerson(uint64_t event_id) {
  return static_cast<int64_t>(event_id / kProportionDenominator);
}

int64_t LastAuction(uint64_t event_id) {
  int64_t epoch = static_cast<int64_t>(event_id / kProportionDenominator);
  int64_t offset = static_cast<int64_t>(event_id % kProportionDenominator);
  if (offset < 1) {
    epoch -= 1;
    offset = 2;
  } else if (offset >= 4) {
    offset = 2;
  } else {
    offset -= 1;
  }
  return epoch * 3 + offset;
}

Status ValidateEventRange(const NexmarkConfig& config, uint64_t first_event, uint64_t end_event) {
  LAMINAR_RETURN_IF_ERROR(config.Validate());
  if (end_event < first_event) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "nexmark event range [{}, {}) ends before it starts", first_event,
                         end_event);
  }
  if (end_event > kMaxEventId) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "nexmark event range [{}, {}) goes beyond event {}", first_event,
                         end_event, kMaxEventId);
  }
  // Every time the range produces, including auction expiry (at most twice the horizon past the
  // auction's own time), must fit int64_t microseconds.
  const __int128 last_time =
      static_cast<__int128>(config.base_time) +
      static_cast<__int128>(static_cast<unsigned __int128>(end_event + kAuctionHorizonEvents) *
                            kMicrosPerSecond / config.rate);
  if (2 * last_time - config.base_time + 1 > std::numeric_limits<int64_t>::max()) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "nexmark event range [{}, {}) at rate {} from base time {} goes beyond "
                         "the TIMESTAMP range",
                         first_event, end_event, config.rate, config.base_time);
  }
  return Status::Ok();
}

Result<Batch> GenerateTable(const NexmarkConfig& config, NexmarkTable table, uint64_t first_event,
                            uint64_t end_event) {
  LAMINAR_RETURN_IF_ERROR(ValidateEventRange(config, first_event, end_event));
  const auto rows = static_cast<int64_t>(CountEvents(table, first_event, end_event));
  const int64_t max_row_bytes = table == NexmarkTable::kPerson    ? kMaxPersonStringBytes
                                : table == NexmarkTable::kAuction ? kMaxAuctionStringBytes
                                                                  : kMaxBidStringBytes;
  if (rows > std::numeric_limits<int32_t>::max() / max_row_bytes) {
    return Status::Error(ErrorCode::kInvalidArgument,
                         "nexmark event range [{}, {}) holds {} {} rows, more than one batch can "
                         "take ({}); generate it in pieces",
                         first_event, end_event, rows, NexmarkTableName(table),
                         std::numeric_limits<int32_t>::max() / max_row_bytes);
  }

  const Generation generation{config, EventRandom::SeedKey(config.seed), LetterPool(),
                              PriceTable::Get()};
  switch (table) {
    case NexmarkTable::kPerson:
      return GeneratePersons(generation, first_event, end_event);
    case NexmarkTable::kAuction:
      return GenerateAuctions(generation, first_event, end_event);
    case NexmarkTable::kBid:
      return GenerateBids(generation, first_event, end_event);
  }
  return Status::Error(ErrorCode::kInvalidArgument, "unknown nexmark table");
}

}  // namespace laminar::nexmark

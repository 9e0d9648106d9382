#include "nexmark/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "columnar/temporal.h"
#include "nexmark/event_random.h"

namespace laminar::nexmark {
namespace {

constexpr NexmarkTable kAllTables[] = {NexmarkTable::kPerson, NexmarkTable::kAuction,
                                       NexmarkTable::kBid};

Batch Generate(const NexmarkConfig& config, NexmarkTable table, uint64_t first, uint64_t end) {
  Result<Batch> batch = GenerateTable(config, table, first, end);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? *std::move(batch) : Batch::Empty(NexmarkSchema(table));
}

int64_t Int(const Batch& batch, std::string_view column, int64_t row) {
  return batch.column(*batch.schema().FieldIndex(column)).Values<int64_t>()[row];
}

std::string_view Text(const Batch& batch, std::string_view column, int64_t row) {
  return batch.column(*batch.schema().FieldIndex(column)).StringValue(row);
}

// Compares `whole` with the concatenation of `parts`, value by value (no NULLs occur).
void ExpectSameRows(const Batch& whole, const std::vector<Batch>& parts) {
  int64_t row = 0;
  for (const Batch& part : parts) {
    ASSERT_EQ(part.schema(), whole.schema());
    for (int64_t i = 0; i < part.num_rows(); ++i, ++row) {
      ASSERT_LT(row, whole.num_rows());
      for (int c = 0; c < whole.num_columns(); ++c) {
        const Column& expected = whole.column(c);
        const Column& actual = part.column(c);
        ASSERT_EQ(actual.null_count(), 0);
        if (expected.type().IsVariableWidth()) {
          ASSERT_EQ(actual.StringValue(i), expected.StringValue(row))
              << "row " << row << " column " << whole.schema().field(c).name;
        } else {
          ASSERT_EQ(actual.Values<int64_t>()[i], expected.Values<int64_t>()[row])
              << "row " << row << " column " << whole.schema().field(c).name;
        }
      }
    }
  }
  EXPECT_EQ(row, whole.num_rows());
}

// Splits [first, end) into pieces of random sizes (1 .. max_piece events).
std::vector<std::pair<uint64_t, uint64_t>> RandomPieces(uint64_t first, uint64_t end,
                                                        uint64_t max_piece, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::pair<uint64_t, uint64_t>> pieces;
  for (uint64_t begin = first; begin < end;) {
    const uint64_t size = std::min<uint64_t>(1 + random() % max_piece, end - begin);
    pieces.emplace_back(begin, begin + size);
    begin += size;
  }
  return pieces;
}

// --- Schema, numbering and ids -------------------------------------------------------------

TEST(GeneratorTest, SchemasMatchTheSpecification) {
  EXPECT_EQ(PersonSchema()->ToString(),
            "(id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, "
            "state VARCHAR, date_time TIMESTAMP, extra VARCHAR)");
  EXPECT_EQ(AuctionSchema()->ToString(),
            "(id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve "
            "BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, "
            "extra VARCHAR)");
  EXPECT_EQ(BidSchema()->ToString(),
            "(auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "
            "date_time TIMESTAMP, extra VARCHAR)");
  EXPECT_EQ(NexmarkSchema(NexmarkTable::kBid), BidSchema());  // One shared instance.
}

TEST(GeneratorTest, TableNamesParseCaseInsensitively) {
  for (NexmarkTable table : kAllTables) {
    Result<NexmarkTable> parsed = ParseNexmarkTable(NexmarkTableName(table));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, table);
  }
  Result<NexmarkTable> upper = ParseNexmarkTable("BiD");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, NexmarkTable::kBid);
  EXPECT_EQ(ParseNexmarkTable("bids").status().code(), ErrorCode::kInvalidOption);
  EXPECT_EQ(ParseNexmarkTable("").status().code(), ErrorCode::kInvalidOption);
}

TEST(GeneratorTest, DefaultBaseTimeIsMidnightOfJuly15th2015Utc) {
  EXPECT_EQ(kDefaultBaseTime, DaysFromCivil(2015, 7, 15) * kMicrosPerDay);
  EXPECT_EQ(FormatTimestamp(kDefaultBaseTime), "2015-07-15 00:00:00");
  EXPECT_EQ(NexmarkConfig{}.rate, 10'000'000u);
}

TEST(GeneratorTest, EventTypeFollowsEventIdModuloFifty) {
  for (uint64_t n = 0; n < 1000; ++n) {
    const uint64_t offset = n % 50;
    const NexmarkTable expected = offset == 0  ? NexmarkTable::kPerson
                                  : offset < 4 ? NexmarkTable::kAuction
                                               : NexmarkTable::kBid;
    ASSERT_EQ(EventTable(n), expected) << n;
  }
}

TEST(GeneratorTest, ProportionsAreExactlyOneThreeFortySixOverEveryFiftyEvents) {
  for (uint64_t first : {0ull, 1ull, 7ull, 49ull, 123'456'789ull}) {
    for (uint64_t blocks : {1ull, 2ull, 1000ull}) {
      const uint64_t end = first + 50 * blocks;
      EXPECT_EQ(CountEvents(NexmarkTable::kPerson, first, end), blocks);
      EXPECT_EQ(CountEvents(NexmarkTable::kAuction, first, end), 3 * blocks);
      EXPECT_EQ(CountEvents(NexmarkTable::kBid, first, end), 46 * blocks);
    }
  }
  // The generated batches hold exactly those counts.
  const NexmarkConfig config;
  EXPECT_EQ(Generate(config, NexmarkTable::kPerson, 17, 17 + 5000).num_rows(), 100);
  EXPECT_EQ(Generate(config, NexmarkTable::kAuction, 17, 17 + 5000).num_rows(), 300);
  EXPECT_EQ(Generate(config, NexmarkTable::kBid, 17, 17 + 5000).num_rows(), 4600);
}

TEST(GeneratorTest, CountEventsAgreesWithCountingEventByEvent) {
  std::mt19937_64 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t first = random() % 500;
    const uint64_t end = random() % 500;
    for (NexmarkTable table : kAllTables) {
      uint64_t expected = 0;
      for (uint64_t n = first; n < end; ++n) expected += EventTable(n) == table ? 1 : 0;
      ASSERT_EQ(CountEvents(table, first, end), expected) << first << ".." << end;
    }
  }
}

TEST(GeneratorTest, EventIdOfRowInvertsCountEvents) {
  for (NexmarkTable table : kAllTables) {
    uint64_t row = 0;
    for (uint64_t n = 0; n < 2000; ++n) {
      if (EventTable(n) != table) continue;
      ASSERT_EQ(EventIdOfRow(table, row), n);
      ASSERT_EQ(CountEvents(table, 0, n), row);
      ++row;
    }
  }
}

TEST(GeneratorTest, LastPersonAndLastAuctionNameTheNewestIds) {
  // last_auction(n) is the base-0 id of the newest auction at or before event n.
  int64_t persons = 0;
  int64_t auctions = 0;
  for (uint64_t n = 0; n < 10'000; ++n) {
    if (EventTable(n) == NexmarkTable::kPerson) ++persons;
    if (EventTable(n) == NexmarkTable::kAuction) ++auctions;
    ASSERT_EQ(LastPerson(n), static_cast<int64_t>(n / 50));
    ASSERT_EQ(LastPerson(n), persons - 1) << n;
    ASSERT_EQ(LastAuction(n), auctions - 1) << n;
  }
  EXPECT_EQ(LastAuction(0), -1);
  EXPECT_EQ(LastAuction(1), 0);
  EXPECT_EQ(LastAuction(4), 2);
  EXPECT_EQ(LastAuction(50), 2);
  EXPECT_EQ(LastAuction(51), 3);
}

TEST(GeneratorTest, PersonIdsAreLastPersonPlus1000AndIncreaseByOne) {
  const Batch persons = Generate(NexmarkConfig{}, NexmarkTable::kPerson, 0, 500'000);
  ASSERT_EQ(persons.num_rows(), 10'000);
  for (int64_t row = 0; row < persons.num_rows(); ++row) {
    ASSERT_EQ(Int(persons, "id", row), 1000 + row);
    ASSERT_EQ(Int(persons, "id", row), LastPerson(EventIdOfRow(NexmarkTable::kPerson, row)) + 1000);
  }
}

TEST(GeneratorTest, AuctionIdsAreLastAuctionPlus1000AndIncreaseByOne) {
  const Batch auctions = Generate(NexmarkConfig{}, NexmarkTable::kAuction, 0, 500'000);
  ASSERT_EQ(auctions.num_rows(), 30'000);
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    ASSERT_EQ(Int(auctions, "id", row), 1000 + row);
    ASSERT_EQ(Int(auctions, "id", row),
              LastAuction(EventIdOfRow(NexmarkTable::kAuction, row)) + 1000);
  }
  // A range that starts mid-stream numbers its auctions the same way.
  const Batch later = Generate(NexmarkConfig{}, NexmarkTable::kAuction, 1'000'002, 1'000'100);
  ASSERT_EQ(later.num_rows(), 5);  // Events 1,000,002 and 3, then 1,000,051 to 53.
  EXPECT_EQ(Int(later, "id", 0), 1000 + 60'001);
  EXPECT_EQ(Int(later, "id", 4), 1000 + 60'005);
}

TEST(GeneratorTest, ReferencedPeopleAndAuctionsExistOrAreWithinTheLead) {
  const NexmarkConfig config;
  const Batch bids = Generate(config, NexmarkTable::kBid, 0, 500'000);
  for (int64_t row = 0; row < bids.num_rows(); ++row) {
    const uint64_t n = EventIdOfRow(NexmarkTable::kBid, row);
    // Auctions: one of the last 100 (or the hot one, at most 99 back), or up to 10 ahead.
    const int64_t newest_auction = LastAuction(n);
    const int64_t auction = Int(bids, "auction", row) - 1000;
    ASSERT_GE(auction, std::max<int64_t>(newest_auction - 100, 0)) << row;
    ASSERT_LE(auction, newest_auction + 10) << row;
    // People: one of the last 1000 (or the hot one), or up to 10 ahead.
    const int64_t people = LastPerson(n) + 1;
    const int64_t bidder = Int(bids, "bidder", row) - 1000;
    ASSERT_GE(bidder, people - std::min<int64_t>(people, 1000)) << row;
    ASSERT_LE(bidder, people - 1 + 10) << row;
  }
  const Batch auctions = Generate(config, NexmarkTable::kAuction, 0, 500'000);
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    const int64_t people = LastPerson(EventIdOfRow(NexmarkTable::kAuction, row)) + 1;
    const int64_t seller = Int(auctions, "seller", row) - 1000;
    ASSERT_GE(seller, people - std::min<int64_t>(people, 1000)) << row;
    ASSERT_LE(seller, people - 1 + 10) << row;
  }
}

// --- Determinism and splitting -------------------------------------------------------------

TEST(GeneratorTest, SameSeedGivesIdenticalRowsWhateverTheSplit) {
  const NexmarkConfig config{.seed = 42};
  constexpr uint64_t kEvents = 100'000;
  for (NexmarkTable table : kAllTables) {
    SCOPED_TRACE(NexmarkTableName(table));
    const Batch whole = Generate(config, table, 0, kEvents);
    ASSERT_EQ(whole.num_rows(), static_cast<int64_t>(CountEvents(table, 0, kEvents)));

    // Random-sized pieces, generated in order.
    const auto pieces = RandomPieces(0, kEvents, 5000, 1);
    std::vector<Batch> in_order;
    for (const auto& [begin, end] : pieces) in_order.push_back(Generate(config, table, begin, end));
    ExpectSameRows(whole, in_order);

    // The same pieces generated last to first.
    std::vector<Batch> reversed(pieces.size());
    for (size_t i = pieces.size(); i-- > 0;) {
      reversed[i] = Generate(config, table, pieces[i].first, pieces[i].second);
    }
    ExpectSameRows(whole, reversed);

    // Tiny pieces (1..7 events) over a prefix, so that many pieces hold no row of the table.
    const auto tiny = RandomPieces(0, 3000, 7, 2);
    std::vector<Batch> tiny_batches;
    for (const auto& [begin, end] : tiny)
      tiny_batches.push_back(Generate(config, table, begin, end));
    ExpectSameRows(whole.Slice(0, static_cast<int64_t>(CountEvents(table, 0, 3000))), tiny_batches);
  }
}

TEST(GeneratorTest, SameSeedGivesIdenticalRowsWhenGeneratedOnSeveralThreads) {
  const NexmarkConfig config{.seed = 7};
  constexpr uint64_t kEvents = 100'000;
  const auto pieces = RandomPieces(0, kEvents, 3000, 3);
  for (NexmarkTable table : kAllTables) {
    SCOPED_TRACE(NexmarkTableName(table));
    const Batch whole = Generate(config, table, 0, kEvents);
    std::vector<Batch> parts(pieces.size());
    std::vector<Status> statuses(pieces.size());
    std::vector<std::thread> threads;
    constexpr size_t kThreads = 4;
    for (size_t t = 0; t < kThreads; ++t) {
      // Thread t takes pieces t, t + 4, ... from the back, so neighbours run concurrently.
      threads.emplace_back([&, t] {
        for (size_t i = pieces.size() - 1 - t; i < pieces.size(); i -= kThreads) {
          Result<Batch> batch = GenerateTable(config, table, pieces[i].first, pieces[i].second);
          statuses[i] = batch.status();
          if (batch.ok()) parts[i] = *std::move(batch);
          if (i < kThreads) break;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const Status& status : statuses) ASSERT_TRUE(status.ok()) << status.ToString();
    ExpectSameRows(whole, parts);
  }
}

TEST(GeneratorTest, DifferentSeedsGiveDifferentData) {
  const Batch one = Generate(NexmarkConfig{.seed = 1}, NexmarkTable::kBid, 0, 10'000);
  const Batch two = Generate(NexmarkConfig{.seed = 2}, NexmarkTable::kBid, 0, 10'000);
  ASSERT_EQ(one.num_rows(), two.num_rows());
  int64_t same_price = 0;
  int64_t same_extra = 0;
  for (int64_t row = 0; row < one.num_rows(); ++row) {
    same_price += Int(one, "price", row) == Int(two, "price", row) ? 1 : 0;
    same_extra += Text(one, "extra", row) == Text(two, "extra", row) ? 1 : 0;
    // Ids and times do not depend on the seed.
    ASSERT_EQ(Int(one, "date_time", row), Int(two, "date_time", row));
  }
  EXPECT_LT(same_price, one.num_rows() / 100);
  EXPECT_LT(same_extra, one.num_rows() / 100);
  const Batch persons_one = Generate(NexmarkConfig{.seed = 1}, NexmarkTable::kPerson, 0, 5000);
  const Batch persons_two = Generate(NexmarkConfig{.seed = 2}, NexmarkTable::kPerson, 0, 5000);
  int64_t same_email = 0;
  for (int64_t row = 0; row < persons_one.num_rows(); ++row) {
    ASSERT_EQ(Int(persons_one, "id", row), Int(persons_two, "id", row));
    same_email +=
        Text(persons_one, "email_address", row) == Text(persons_two, "email_address", row) ? 1 : 0;
  }
  EXPECT_EQ(same_email, 0);
}

TEST(GeneratorTest, EventRandomDependsOnlyOnSeedAndEventId) {
  const uint64_t key = EventRandom::SeedKey(5);
  EventRandom a(key, 123);
  EventRandom b(key, 123);
  EventRandom other_event(key, 124);
  EventRandom other_seed(EventRandom::SeedKey(6), 123);
  const uint64_t first = a.Next();
  EXPECT_EQ(first, b.Next());
  EXPECT_NE(first, other_event.Next());
  EXPECT_NE(first, other_seed.Next());
  // Uniform(bound) stays below its bound and covers it.
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t value = a.Uniform(10);
    ASSERT_LT(value, 10u);
    seen.insert(value);
    const double unit = a.UniformUnit();
    ASSERT_GE(unit, 0.0);
    ASSERT_LT(unit, 1.0);
  }
  EXPECT_EQ(seen.size(), 10u);
}

// --- Time ------------------------------------------------------------------------------------

TEST(GeneratorTest, DateTimeFollowsTheFormulaAndNeverDecreases) {
  for (uint64_t rate : {uint64_t{10'000'000}, uint64_t{1'000}, uint64_t{3}, uint64_t{7'777'777}}) {
    const NexmarkConfig config{.seed = 3, .rate = rate};
    for (NexmarkTable table : kAllTables) {
      const Batch batch = Generate(config, table, 1'000, 60'000);
      int64_t previous = std::numeric_limits<int64_t>::min();
      const uint64_t first_row = CountEvents(table, 0, 1'000);
      for (int64_t row = 0; row < batch.num_rows(); ++row) {
        const uint64_t n = EventIdOfRow(table, first_row + row);
        const int64_t expected =
            kDefaultBaseTime +
            static_cast<int64_t>(static_cast<unsigned __int128>(n) * 1'000'000 / rate);
        const int64_t time = Int(batch, "date_time", row);
        ASSERT_EQ(time, expected) << "rate " << rate << " event " << n;
        ASSERT_EQ(time, EventTime(config, n));
        // Rows of one table are more than one event apart, so at rate <= 10^6 strictly later.
        if (rate <= 1'000'000) {
          ASSERT_GT(time, previous);
        } else {
          ASSERT_GE(time, previous);
        }
        previous = time;
      }
    }
  }
}

TEST(GeneratorTest, EventTimeUsesExactArithmeticForHugeEventIds) {
  const NexmarkConfig config{.rate = 1'000'000'007};
  const uint64_t n = kMaxEventId - 1;
  const auto offset =
      static_cast<int64_t>(static_cast<unsigned __int128>(n) * 1'000'000 / config.rate);
  EXPECT_EQ(EventTime(config, n), kDefaultBaseTime + offset);
  const Batch bids = Generate(config, NexmarkTable::kBid, kMaxEventId - 100, kMaxEventId);
  EXPECT_EQ(bids.num_rows(),
            static_cast<int64_t>(CountEvents(NexmarkTable::kBid, kMaxEventId - 100, kMaxEventId)));
}

TEST(GeneratorTest, AuctionsExpireWithinTwiceTheHorizonOfAHundredAuctions) {
  const NexmarkConfig config;
  const Batch auctions = Generate(config, NexmarkTable::kAuction, 0, 500'000);
  double total_length = 0;
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    const uint64_t n = EventIdOfRow(NexmarkTable::kAuction, row);
    const int64_t horizon = EventTime(config, n + 1666) - EventTime(config, n);
    const int64_t length = Int(auctions, "expires", row) - Int(auctions, "date_time", row);
    ASSERT_GE(length, 1);
    ASSERT_LE(length, 2 * horizon);
    total_length += static_cast<double>(length);
  }
  // At 10 million events per second the horizon is 166 or 167 us; the mean length is ~horizon.
  EXPECT_NEAR(total_length / static_cast<double>(auctions.num_rows()), 167.1, 2.0);
}

// --- Distributions ---------------------------------------------------------------------------

TEST(GeneratorTest, HotKeyRatiosAreWithinTolerance) {
  const NexmarkConfig config{.seed = 11};
  const Batch bids = Generate(config, NexmarkTable::kBid, 0, 500'000);
  const auto rows = static_cast<double>(bids.num_rows());
  int64_t hot_auctions = 0;
  int64_t hot_bidders = 0;
  int64_t hot_channels = 0;
  int64_t other_urls = 0;
  int64_t other_urls_with_id = 0;
  std::map<std::string, int64_t, std::less<>> per_hot_channel;
  for (int64_t row = 0; row < bids.num_rows(); ++row) {
    const uint64_t n = EventIdOfRow(NexmarkTable::kBid, row);
    hot_auctions += Int(bids, "auction", row) - 1000 == LastAuction(n) / 100 * 100 ? 1 : 0;
    hot_bidders += Int(bids, "bidder", row) - 1000 == LastPerson(n) / 100 * 100 + 1 ? 1 : 0;
    const std::string_view channel = Text(bids, "channel", row);
    if (!channel.starts_with("channel-")) {
      ++hot_channels;
      ++per_hot_channel[std::string(channel)];
    } else {
      ++other_urls;
      other_urls_with_id += Text(bids, "url", row).find("&channel_id=") != std::string_view::npos;
    }
  }
  // A non-hot pick lands on the hot value too with probability ~1/111 (auctions among the 111
  // of the window) or ~1/1010 (people), hence the small excess over 1/2 and 3/4.
  EXPECT_NEAR(hot_auctions / rows, 0.5 + 0.5 / 111, 0.01);
  EXPECT_NEAR(hot_bidders / rows, 0.75 + 0.25 / 1010, 0.01);
  EXPECT_NEAR(hot_channels / rows, 0.5, 0.01);
  EXPECT_EQ(per_hot_channel.size(), 4u);
  for (const auto& [name, count] : per_hot_channel) {
    EXPECT_NEAR(static_cast<double>(count) / rows, 0.125, 0.01) << name;
  }
  EXPECT_NEAR(static_cast<double>(other_urls_with_id) / static_cast<double>(other_urls), 0.9, 0.01);

  const Batch auctions = Generate(config, NexmarkTable::kAuction, 0, 500'000);
  int64_t hot_sellers = 0;
  std::array<int64_t, 5> categories{};
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    const uint64_t n = EventIdOfRow(NexmarkTable::kAuction, row);
    hot_sellers += Int(auctions, "seller", row) - 1000 == LastPerson(n) / 100 * 100 ? 1 : 0;
    const int64_t category = Int(auctions, "category", row);
    ASSERT_GE(category, 10);
    ASSERT_LE(category, 14);
    ++categories[category - 10];
  }
  const auto auction_rows = static_cast<double>(auctions.num_rows());
  EXPECT_NEAR(hot_sellers / auction_rows, 0.75 + 0.25 / 1010, 0.015);
  for (int64_t count : categories) EXPECT_NEAR(count / auction_rows, 0.2, 0.015);
}

TEST(GeneratorTest, PricesAreLogUniformFrom100To100Million) {
  const Batch bids = Generate(NexmarkConfig{.seed = 5}, NexmarkTable::kBid, 0, 500'000);
  std::vector<int64_t> prices;
  prices.reserve(static_cast<size_t>(bids.num_rows()));
  for (int64_t row = 0; row < bids.num_rows(); ++row) {
    const int64_t price = Int(bids, "price", row);
    ASSERT_GE(price, 100);
    ASSERT_LE(price, 100'000'000);
    prices.push_back(price);
  }
  std::sort(prices.begin(), prices.end());
  const auto rows = static_cast<double>(prices.size());
  // log10(price / 100) is uniform on [0, 6): the median is 10^3 * 100 cents, and a sixth of the
  // prices fall in each decade 10^k .. 10^(k+1) cents, k = 2..7.
  EXPECT_NEAR(std::log10(static_cast<double>(prices[prices.size() / 2])), 5.0, 0.02);
  for (int decade = 3; decade <= 7; ++decade) {
    const auto below = std::lower_bound(prices.begin(), prices.end(),
                                        static_cast<int64_t>(std::pow(10.0, decade))) -
                       prices.begin();
    EXPECT_NEAR(static_cast<double>(below) / rows, (decade - 2) / 6.0, 0.005) << decade;
  }
  EXPECT_LT(prices.front(), 101);
  EXPECT_GT(prices.back(), 99'000'000);

  const Batch auctions = Generate(NexmarkConfig{.seed = 5}, NexmarkTable::kAuction, 0, 100'000);
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    const int64_t initial_bid = Int(auctions, "initial_bid", row);
    ASSERT_GE(initial_bid, 100);
    ASSERT_LE(initial_bid, 100'000'000);
    ASSERT_GE(Int(auctions, "reserve", row), initial_bid + 100);
  }
}

// The row size as the reference generators count it, which `extra` pads to an average.
int64_t NominalSize(const Batch& batch, NexmarkTable table, int64_t row) {
  switch (table) {
    case NexmarkTable::kPerson: {
      int64_t size = 8;
      for (std::string_view column :
           {"name", "email_address", "credit_card", "city", "state", "extra"}) {
        size += static_cast<int64_t>(Text(batch, column, row).size());
      }
      return size;
    }
    case NexmarkTable::kAuction:
      return 8 + 5 * 8 +
             static_cast<int64_t>(Text(batch, "item_name", row).size() +
                                  Text(batch, "description", row).size() +
                                  Text(batch, "extra", row).size());
    case NexmarkTable::kBid:
      return 4 * 8 + static_cast<int64_t>(Text(batch, "extra", row).size());
  }
  return 0;
}

TEST(GeneratorTest, ExtraPadsRowsToTheAverageSizes) {
  const std::map<NexmarkTable, int64_t> averages = {
      {NexmarkTable::kPerson, 200}, {NexmarkTable::kAuction, 500}, {NexmarkTable::kBid, 100}};
  for (const auto& [table, average] : averages) {
    SCOPED_TRACE(NexmarkTableName(table));
    const Batch batch = Generate(NexmarkConfig{}, table, 0, 500'000);
    double total = 0;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      const int64_t size = NominalSize(batch, table, row);
      // extra is the rest of the average +-20%: the row stays within +-20% of the average.
      ASSERT_GE(size, average * 8 / 10) << row;
      ASSERT_LE(size, average * 12 / 10) << row;
      const std::string_view extra = Text(batch, "extra", row);
      ASSERT_TRUE(
          std::all_of(extra.begin(), extra.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
      total += static_cast<double>(size);
    }
    EXPECT_NEAR(total / static_cast<double>(batch.num_rows()), static_cast<double>(average),
                0.01 * static_cast<double>(average));
  }
}

// --- Field shapes ----------------------------------------------------------------------------

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks the shape of a text piece by piece, left to right (std::regex trips GCC 12's
// -Wmaybe-uninitialized under the sanitizers).
class Shape {
 public:
  explicit Shape(std::string_view text) : rest_(text) {}

  Shape& Literal(std::string_view literal) {
    ok_ = ok_ && rest_.starts_with(literal);
    if (ok_) rest_.remove_prefix(literal.size());
    return *this;
  }
  // min..max characters for which `in_class` holds.
  Shape& Run(bool (*in_class)(char), size_t min, size_t max) {
    size_t length = 0;
    while (length < rest_.size() && length < max && in_class(rest_[length])) ++length;
    ok_ = ok_ && length >= min;
    if (ok_) {
      last_run_ = rest_.substr(0, length);
      rest_.remove_prefix(length);
    }
    return *this;
  }
  bool ok() const { return ok_; }
  bool AtEnd() const { return ok_ && rest_.empty(); }
  std::string_view last_run() const { return last_run_; }

 private:
  std::string_view rest_;
  std::string_view last_run_;
  bool ok_ = true;
};

TEST(GeneratorTest, PersonFieldsComeFromTheSpecificationLists) {
  const Batch persons = Generate(NexmarkConfig{.seed = 9}, NexmarkTable::kPerson, 0, 200'000);
  const std::set<std::string_view> first_names = {"peter", "paul",   "luke",  "john",
                                                  "saul",  "vicky",  "kate",  "julie",
                                                  "sarah", "deiter", "walter"};
  const std::set<std::string_view> last_names = {"shultz", "abrams", "spencer", "white", "bartels",
                                                 "walton", "smith",  "jones",   "noris"};
  const std::set<std::string_view> cities = {"phoenix",  "los angeles", "san francisco", "boise",
                                             "portland", "bend",        "redmond",       "seattle",
                                             "kent",     "cheyenne"};
  const std::set<std::string_view> states = {"az", "ca", "id", "or", "wa", "wy"};
  std::set<std::string_view> seen_cities;
  std::set<std::string_view> seen_states;
  std::set<std::string_view> seen_names;
  for (int64_t row = 0; row < persons.num_rows(); ++row) {
    const std::string_view name = Text(persons, "name", row);
    const size_t space = name.find(' ');
    ASSERT_NE(space, std::string_view::npos) << name;
    ASSERT_TRUE(first_names.contains(name.substr(0, space))) << name;
    ASSERT_TRUE(last_names.contains(name.substr(space + 1))) << name;
    seen_names.insert(name);
    const std::string_view email = Text(persons, "email_address", row);
    ASSERT_TRUE(
        Shape(email).Run(IsLower, 7, 7).Literal("@").Run(IsLower, 5, 5).Literal(".com").AtEnd())
        << email;
    const std::string_view credit_card = Text(persons, "credit_card", row);
    ASSERT_TRUE(Shape(credit_card)
                    .Run(IsDigit, 4, 4)
                    .Literal(" ")
                    .Run(IsDigit, 4, 4)
                    .Literal(" ")
                    .Run(IsDigit, 4, 4)
                    .Literal(" ")
                    .Run(IsDigit, 4, 4)
                    .AtEnd())
        << credit_card;
    ASSERT_TRUE(cities.contains(Text(persons, "city", row)));
    ASSERT_TRUE(states.contains(Text(persons, "state", row)));
    seen_cities.insert(Text(persons, "city", row));
    seen_states.insert(Text(persons, "state", row));
  }
  EXPECT_EQ(seen_cities, cities);
  EXPECT_EQ(seen_states, states);
  EXPECT_EQ(seen_names.size(), 11u * 9u);
}

TEST(GeneratorTest, AuctionTextHasTheSpecifiedLengths) {
  const Batch auctions = Generate(NexmarkConfig{}, NexmarkTable::kAuction, 0, 20'000);
  for (int64_t row = 0; row < auctions.num_rows(); ++row) {
    ASSERT_TRUE(Shape(Text(auctions, "item_name", row)).Run(IsLower, 20, 20).AtEnd());
    ASSERT_TRUE(Shape(Text(auctions, "description", row)).Run(IsLower, 100, 100).AtEnd());
  }
}

// bit i of k becomes bit 31 - i: the channel_id rule, spelled out bit by bit.
uint32_t ReverseBitsOneByOne(uint32_t k) {
  uint32_t reversed = 0;
  for (int bit = 0; bit < 32; ++bit) {
    if ((k >> bit) & 1) reversed |= uint32_t{1} << (31 - bit);
  }
  return reversed;
}

TEST(GeneratorTest, ChannelsAndUrlsHaveTheSpecifiedShape) {
  const Batch bids = Generate(NexmarkConfig{.seed = 13}, NexmarkTable::kBid, 0, 300'000);
  const std::set<std::string_view> hot = {"Google", "Facebook", "Baidu", "Apple"};
  std::map<std::string_view, std::string_view> url_of_channel;
  for (int64_t row = 0; row < bids.num_rows(); ++row) {
    const std::string_view channel = Text(bids, "channel", row);
    const std::string_view url = Text(bids, "url", row);
    Shape shape(url);
    shape.Literal("https://www.nexmark.com/");
    for (int directory = 0; directory < 3; ++directory) shape.Run(IsLower, 3, 4).Literal("/");
    shape.Literal("item.htm?query=1");
    ASSERT_TRUE(shape.ok()) << url;
    const bool has_id = !shape.AtEnd();
    if (has_id) {
      ASSERT_TRUE(shape.Literal("&channel_id=").Run(IsDigit, 1, 10).AtEnd()) << url;
    }
    // Every channel, hot or not, always comes with the same url.
    auto [it, inserted] = url_of_channel.emplace(channel, url);
    ASSERT_EQ(it->second, url) << channel;
    if (hot.contains(channel)) {
      ASSERT_FALSE(has_id) << url;
      continue;
    }
    ASSERT_TRUE(Shape(channel).Literal("channel-").Run(IsDigit, 1, 4).AtEnd()) << channel;
    const auto k = static_cast<uint32_t>(std::stoul(std::string(channel.substr(8))));
    if (has_id) {
      ASSERT_EQ(std::stoull(std::string(shape.last_run())), ReverseBitsOneByOne(k)) << channel;
    }
  }
  // Nearly all of the 10,000 ordinary channels occur in 150,000 draws.
  EXPECT_GT(url_of_channel.size(), 9'900u);
  EXPECT_EQ(ReverseBitsOneByOne(1), 2'147'483'648u);
  EXPECT_EQ(ReverseBitsOneByOne(6), 1'610'612'736u);
}

// --- Errors and limits -----------------------------------------------------------------------

TEST(GeneratorTest, EmptyRangesGiveEmptyBatches) {
  for (NexmarkTable table : kAllTables) {
    const Batch empty = Generate(NexmarkConfig{}, table, 1234, 1234);
    EXPECT_EQ(empty.num_rows(), 0);
    EXPECT_EQ(empty.schema(), *NexmarkSchema(table));
    // A range with events of other tables only.
    EXPECT_EQ(Generate(NexmarkConfig{}, NexmarkTable::kPerson, 1, 50).num_rows(), 0);
  }
}

TEST(GeneratorTest, InvalidConfigsAndRangesAreRejected) {
  const NexmarkConfig config;
  EXPECT_EQ(GenerateTable(NexmarkConfig{.rate = 0}, NexmarkTable::kBid, 0, 10).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(GenerateTable(config, NexmarkTable::kBid, 10, 9).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(GenerateTable(config, NexmarkTable::kBid, 0, kMaxEventId + 1).status().code(),
            ErrorCode::kInvalidArgument);
  // Times past the TIMESTAMP range.
  const NexmarkConfig late{.base_time = std::numeric_limits<int64_t>::max() - 100};
  EXPECT_EQ(GenerateTable(late, NexmarkTable::kBid, 0, 100).status().code(),
            ErrorCode::kInvalidArgument);
  const NexmarkConfig slow{.rate = 1};
  EXPECT_EQ(GenerateTable(slow, NexmarkTable::kBid, 0, kMaxEventId).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ValidateEventRange(config, 0, kMaxEventId).ok());
  // More bids than one batch's 2 GiB of string bytes can take, refused before generating.
  Result<Batch> huge = GenerateTable(config, NexmarkTable::kBid, 0, 30'000'000);
  EXPECT_EQ(huge.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("in pieces"), std::string_view::npos);
}

// FNV-1a over every value of a batch, row by row: integers as their 8 little-endian bytes,
// strings as their length and bytes.
uint64_t HashRows(const Batch& batch) {
  uint64_t hash = 0xcbf29ce484222325;
  auto add_byte = [&hash](uint8_t byte) { hash = (hash ^ byte) * 0x100000001b3; };
  auto add_integer = [&add_byte](uint64_t value) {
    for (int i = 0; i < 8; ++i) add_byte(static_cast<uint8_t>(value >> (8 * i)));
  };
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    for (const Column& column : batch.columns()) {
      if (column.type().IsVariableWidth()) {
        const std::string_view value = column.StringValue(row);
        add_integer(value.size());
        for (char c : value) add_byte(static_cast<uint8_t>(c));
      } else {
        add_integer(static_cast<uint64_t>(column.Values<int64_t>()[row]));
      }
    }
  }
  return hash;
}

// Pins generator version 1: these rows must never change without bumping kGeneratorVersion
// and saying so in docs/nexmark.md.
TEST(GeneratorTest, GoldenRowsPinTheGeneratorVersion) {
  ASSERT_EQ(kGeneratorVersion, 1);
  const NexmarkConfig config;  // seed 1
  std::string text;
  for (const auto& [table, end] : {std::pair{NexmarkTable::kPerson, uint64_t{101}},
                                   std::pair{NexmarkTable::kAuction, uint64_t{5}},
                                   std::pair{NexmarkTable::kBid, uint64_t{6}}}) {
    const Batch batch = Generate(config, table, 0, end);
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      for (int c = 0; c < batch.num_columns(); ++c) {
        const Column& column = batch.column(c);
        if (c > 0) text += '|';
        if (column.type().IsVariableWidth()) {
          text += column.StringValue(row).substr(0, 80);
        } else {
          text += std::to_string(column.Values<int64_t>()[row]);
        }
      }
      text += '\n';
    }
  }
  // Strings are cut to their first 80 bytes.
  EXPECT_EQ(text,
            "1000|peter bartels|hqnckwy@sqnex.com|2330 1211 9058 "
            "4888|kent|ca|1436918400000000|"
            "axbqhdvwmauathawlhdlhthgyudfeshpfxxnygwtwkoyxxkybgeifbzyjnjawpqqzjfumqpvxtxgslyk\n"
            "1001|deiter smith|scjdgmb@vuftf.com|2264 3676 7193 "
            "8999|boise|az|1436918400000005|"
            "zakuobswhkjdkvntvkafbvashqnpliqktjztokqydbfslwvtwafozjplbfagxzpnnljkdscvbhymszjr\n"
            "1002|john shultz|upexiwk@lcrec.com|2001 5349 2043 "
            "3469|boise|ca|1436918400000010|"
            "cnjoorslblleyncabiprxcrmnhrbfbbfykbkkpqbcqdzxcfchmrqvzqqmyidypwobfiptrdlkzvrhwho\n"
            "1000|njiarwsmlwhscfaudlmx|"
            "ccvtbxiyqplfyjyuonctoagwqdwwovmrxqqnqkgkzcihvpjxuonxhpydfrzrhhuzzczibsdkvdiylqfy|7791|"
            "1927716|1436918400000000|1436918400000160|1000|11|"
            "jexcjdtdcgecvseryxirtcconygdplwumlhcvgalnqgnwnpomfrgvxwdqwccmayrxmzmupalbovftesx\n"
            "1001|hlejiwhkrnirthpwlhyg|"
            "ekldmlwwqygbzxgglyvcpjwtyrwpsyhsumngzzscamxtajmbwseyadqdfdninwniluqxrduvemjroekw|1344|"
            "86381|1436918400000000|1436918400000034|1000|13|"
            "bvirxgocmnefvwnimoprwihjfoeqnrpmfafpvqmoyuwbbwelmfypoqvsvcksantiwwxkltnglicwhjgy\n"
            "1002|tidnukqajqzfrkfjrwxd|"
            "wxfybpsnoyotqhxkrkmljjifnpuefjncxtymddopxlpkftncyggwrxypwxygowmhoxjwxqmlnsigulsf|322|"
            "88346|1436918400000000|1436918400000083|1000|12|"
            "yeqwerqtmntnbvwdntwmwlfevbehddxexfnoxmaybefbwslshhotimdleasafnhhzmwfjjsqpydbewjr\n"
            "1004|1001|2318629|channel-5239|https://www.nexmark.com/fiew/cld/xkav/"
            "item.htm?query=1&channel_id=3995598848|1436918400000000|"
            "wlwmngdhtuqxrevqsflacqxjxpksmrypfpjdmwfwixegwjsjsagneecexuyvcpheyinddg\n"
            "1012|1001|1579|Apple|https://www.nexmark.com/aapl/apps/stor/"
            "item.htm?query=1|1436918400000000|"
            "bubrdwdumyzrihhfqayuyozpvulqycmanqmdbzeacqaeqaxdeqfvvzlbodxgbccyx\n");
  // Every value of the first 100,000 events.
  EXPECT_EQ(HashRows(Generate(config, NexmarkTable::kPerson, 0, 100'000)), 3182995968214956223u);
  EXPECT_EQ(HashRows(Generate(config, NexmarkTable::kAuction, 0, 100'000)), 16435109146068281478u);
  EXPECT_EQ(HashRows(Generate(config, NexmarkTable::kBid, 0, 100'000)), 12194476220918723262u);
}

}  // namespace
}  // namespace laminar::nexmark

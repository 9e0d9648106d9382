#pragma once

// The Nexmark data generator: the three tables of the Nexmark benchmark (person, auction, bid),
// generated deterministically from (seed, event_id) so that any range of events can be produced
// independently, in any order, on any thread, with identical results. docs/nexmark.md states the
// rules as implemented, field by field, and every choice the benchmark specification leaves open.
//
// Events are numbered 0, 1, 2, ...; event n is a person when n % 50 == 0, an auction when
// n % 50 is 1..3 and a bid otherwise. A table's rows are the events of its type in event-id order,
// so a source that generates the events [0, N) of the bid table in chunks of any size emits
// exactly the rows of one GenerateTable(config, kBid, 0, N) call.

#include <cstdint>
#include <memory>
#include <string_view>

#include "columnar/batch.h"
#include "columnar/schema.h"
#include "common/result.h"
#include "common/status.h"

namespace laminar::nexmark {

/// The version of the generation rules. Any change to what a (seed, event_id) produces (the
/// order of random draws, a string table, a size rule) must bump it and say so in
/// docs/nexmark.md, because published results name the data they were measured on.
inline constexpr int kGeneratorVersion = 1;

/// 2015-07-15 00:00:00 UTC in microseconds since the epoch: the event time of event 0.
inline constexpr int64_t kDefaultBaseTime = 1'436'918'400'000'000;
/// Events per second of event time (not of wall-clock time).
inline constexpr uint64_t kDefaultRate = 10'000'000;
/// Person and auction ids start here ("id + 1000" in the specification).
inline constexpr int64_t kFirstPersonId = 1000;
inline constexpr int64_t kFirstAuctionId = 1000;
/// Event ids must stay below this bound (2^62), which keeps every derived id and the time
/// arithmetic far from overflow.
inline constexpr uint64_t kMaxEventId = uint64_t{1} << 62;

/// The three Nexmark tables.
enum class NexmarkTable : uint8_t { kPerson, kAuction, kBid };

/// "person", "auction" or "bid".
std::string_view NexmarkTableName(NexmarkTable table);
/// The table named `name` (case-insensitive), or kInvalidOption naming the accepted values.
Result<NexmarkTable> ParseNexmarkTable(std::string_view name);

/// What determines the generated data besides the event range. Two generators with equal
/// configs produce byte-identical rows.
struct NexmarkConfig {
  /// Selects one of 2^64 independent data sets.
  uint64_t seed = 1;
  /// Events (of all three tables together) per second of event time. REQUIRES: > 0.
  uint64_t rate = kDefaultRate;
  /// Event time of event 0, in microseconds since the epoch.
  int64_t base_time = kDefaultBaseTime;

  /// kInvalidArgument when rate is 0.
  Status Validate() const;
};

/// The schemas of the three tables, exactly as the specification declares the sources: every
/// column nullable (the generator never produces NULL), times as TIMESTAMP (microseconds, no
/// zone). Each call returns the same shared instance.
std::shared_ptr<const Schema> PersonSchema();
std::shared_ptr<const Schema> AuctionSchema();
std::shared_ptr<const Schema> BidSchema();
std::shared_ptr<const Schema> NexmarkSchema(NexmarkTable table);

/// The table that event `event_id` belongs to (event_id % 50: 0 person, 1..3 auction, else bid).
NexmarkTable EventTable(uint64_t event_id);

/// How many events of `table` lie in [first_event, end_event); 0 when end_event <= first_event.
/// Of every 50 consecutive events, 1 is a person, 3 are auctions and 46 are bids.
uint64_t CountEvents(NexmarkTable table, uint64_t first_event, uint64_t end_event);

/// The event id of the table's row `row` (0-based), i.e. the inverse of CountEvents:
/// CountEvents(table, 0, EventIdOfRow(table, row)) == row.
/// REQUIRES: the result is below kMaxEventId.
uint64_t EventIdOfRow(NexmarkTable table, uint64_t row);

/// The event time of event `event_id`: base_time + floor(event_id * 1e6 / rate) microseconds.
/// Non-decreasing in event_id; strictly increasing when rate <= 1,000,000.
/// REQUIRES: config.Validate() is OK and the result fits int64_t (GenerateTable checks this).
int64_t EventTime(const NexmarkConfig& config, uint64_t event_id);

/// The specification's last_person(n): the base-0 id of the newest person at event n (n / 50).
int64_t LastPerson(uint64_t event_id);
/// The specification's last_auction(n): the base-0 id of the newest auction at or before event
/// n; -1 at event 0, before the first auction.
int64_t LastAuction(uint64_t event_id);

/// Checks that events [first_event, end_event) can be generated with `config`: the config is
/// valid, the range does not end before it starts, stays below kMaxEventId, and every time it
/// produces (auction expiry included) fits int64_t microseconds. Errors are kInvalidArgument.
Status ValidateEventRange(const NexmarkConfig& config, uint64_t first_event, uint64_t end_event);

/// Generates the rows of `table` for the events [first_event, end_event), in event-id order, as
/// one batch with NexmarkSchema(table). The result depends only on (config, table, the range):
/// splitting a range into pieces and concatenating the pieces' batches gives the same rows.
///
/// Errors: those of ValidateEventRange, and kInvalidArgument when one batch would hold more
/// than 2 GiB of string bytes in a column (generate such ranges in pieces: up to about 18
/// million events fit in one bid batch, 70 million in an auction batch).
///
/// Thread-safety: safe to call concurrently from any number of threads.
Result<Batch> GenerateTable(const NexmarkConfig& config, NexmarkTable table, uint64_t first_event,
                            uint64_t end_event);

}  // namespace laminar::nexmark

// Randomized differential tests of window and group aggregations through the embedded API: a
// stream of rows disordered within the watermark delay, pushed in random batch splits, must
// give after the end of input exactly the result of evaluating the same query over all rows at
// once. The oracle is a brute-force evaluation in this file (rows assigned to windows by the
// definitions of SQL-DIALECT.md), and the engine's ad-hoc evaluation of the same query over a
// table holding the same rows where the engine runs it. Seeds are fixed; a failure prints the
// seed, the query and the input rows of the first differing group.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "columnar/temporal.h"
#include "laminar/laminardb.h"

namespace laminar {
namespace {

constexpr int64_t kSecond = 1'000'000;

int64_t BaseTime() { return *ParseTimestamp("2024-01-01 00:00:00"); }

/// Floor division toward negative infinity, aligned to `origin`.
int64_t FloorAlign(int64_t value, int64_t origin, int64_t length) {
  const int64_t relative = value - origin;
  int64_t quotient = relative / length;
  if (relative % length != 0 && relative < 0) --quotient;
  return origin + quotient * length;
}

/// One input row of source `s (k1 VARCHAR, k2 BIGINT, k3 BOOLEAN, x BIGINT, ts TIMESTAMP)`.
struct InputRow {
  std::optional<std::string> k1;
  std::optional<int64_t> k2;
  std::optional<bool> k3;
  std::optional<int64_t> x;
  int64_t ts = 0;

  std::vector<Value> Values() const {
    return {k1 ? Value::Varchar(*k1) : Value::Null(DataType::Varchar()),
            k2 ? Value::BigInt(*k2) : Value::Null(DataType::BigInt()),
            k3 ? Value::Boolean(*k3) : Value::Null(DataType::Boolean()),
            x ? Value::BigInt(*x) : Value::Null(DataType::BigInt()), Value::Timestamp(ts)};
  }
  /// The row as a SQL tuple (for INSERT and for reproducers).
  std::string Sql() const {
    return fmt::format("({}, {}, {}, {}, TIMESTAMP '{}')", k1 ? "'" + *k1 + "'" : "NULL",
                       k2 ? std::to_string(*k2) : "NULL", k3 ? (*k3 ? "true" : "false") : "NULL",
                       x ? std::to_string(*x) : "NULL", Value::Timestamp(ts).ToString());
  }
  /// The row as the late data stream emits it.
  std::string Text() const {
    std::string text;
    for (const Value& value : Values()) {
      if (!text.empty()) text += "|";
      text += value.ToString();
    }
    return text;
  }
};

enum class WindowKind { kNone, kTumble, kHop, kCumulate, kSession };

/// A window in whole seconds.
struct WindowSpec {
  WindowKind kind = WindowKind::kNone;
  int64_t size = 0;    // tumble, hop: size; cumulate: max size; session: gap.
  int64_t slide = 0;   // hop: slide; cumulate: step.
  int64_t offset = 0;  // tumble only.

  std::string Call() const {
    auto seconds = [](int64_t n) { return fmt::format("INTERVAL '{}' SECOND", n); };
    switch (kind) {
      case WindowKind::kTumble:
        return offset == 0 ? fmt::format("tumble(ts, {})", seconds(size))
                           : fmt::format("tumble(ts, {}, {})", seconds(size), seconds(offset));
      case WindowKind::kHop:
        return fmt::format("hop(ts, {}, {})", seconds(size), seconds(slide));
      case WindowKind::kCumulate:
        return fmt::format("cumulate(ts, {}, {})", seconds(slide), seconds(size));
      case WindowKind::kSession:
        return fmt::format("session(ts, {})", seconds(size));
      case WindowKind::kNone:
        break;
    }
    return "";
  }

  /// The windows [start, end) containing `time`.
  std::vector<std::pair<int64_t, int64_t>> WindowsOf(int64_t time) const {
    std::vector<std::pair<int64_t, int64_t>> windows;
    const int64_t length = size * kSecond;
    const int64_t step = slide * kSecond;
    switch (kind) {
      case WindowKind::kTumble: {
        const int64_t start = FloorAlign(time, offset * kSecond, length);
        windows.emplace_back(start, start + length);
        break;
      }
      case WindowKind::kHop:
        for (int64_t start = FloorAlign(time, 0, step); start > time - length; start -= step) {
          windows.emplace_back(start, start + length);
        }
        break;
      case WindowKind::kCumulate: {
        const int64_t base = FloorAlign(time, 0, length);
        for (int64_t end = base + step; end <= base + length; end += step) {
          if (end > time) windows.emplace_back(base, end);
        }
        break;
      }
      case WindowKind::kSession:
      case WindowKind::kNone:
        break;
    }
    return windows;
  }

  /// The end of the last window containing `time` (pane windows): the row is late once the
  /// watermark reaches it.
  int64_t LastEnd(int64_t time) const {
    int64_t last = 0;
    for (const auto& window : WindowsOf(time)) last = std::max(last, window.second);
    return last;
  }

  std::string ToString() const { return kind == WindowKind::kNone ? "no window" : Call(); }
};

/// The aggregates every query computes, in order.
constexpr std::string_view kAggregates =
    "count(*) AS c_star, count(x) AS c_x, sum(x) AS s_x, min(x) AS lo, max(x) AS hi, avg(x) AS "
    "a_x, count(DISTINCT x) AS d_x, count(*) FILTER (WHERE x > 3) AS c_big, sum(x) FILTER "
    "(WHERE k3) AS s_k3";

/// The brute-force state of one group.
struct Accumulation {
  int64_t rows = 0;
  int64_t count_x = 0;
  int64_t sum_x = 0;
  std::optional<int64_t> min_x;
  std::optional<int64_t> max_x;
  std::set<int64_t> distinct_x;
  int64_t count_big = 0;
  std::optional<int64_t> sum_k3;

  void Add(const InputRow& row) {
    ++rows;
    if (row.x) {
      ++count_x;
      sum_x += *row.x;
      min_x = std::min(min_x.value_or(*row.x), *row.x);
      max_x = std::max(max_x.value_or(*row.x), *row.x);
      distinct_x.insert(*row.x);
      if (*row.x > 3) ++count_big;
      if (row.k3 && *row.k3) sum_k3 = sum_k3.value_or(0) + *row.x;
    }
  }
  void Merge(const Accumulation& other) {
    rows += other.rows;
    count_x += other.count_x;
    sum_x += other.sum_x;
    if (other.min_x) min_x = std::min(min_x.value_or(*other.min_x), *other.min_x);
    if (other.max_x) max_x = std::max(max_x.value_or(*other.max_x), *other.max_x);
    distinct_x.insert(other.distinct_x.begin(), other.distinct_x.end());
    count_big += other.count_big;
    if (other.sum_k3) sum_k3 = sum_k3.value_or(0) + *other.sum_k3;
  }
  std::string Text() const {
    auto big_int = [](std::optional<int64_t> value) {
      return value ? Value::BigInt(*value).ToString() : std::string("NULL");
    };
    const std::optional<int64_t> sum = count_x > 0 ? std::optional<int64_t>(sum_x) : std::nullopt;
    const std::string average =
        count_x > 0
            ? Value::Double(static_cast<double>(sum_x) / static_cast<double>(count_x)).ToString()
            : "NULL";
    return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", rows, count_x, big_int(sum), big_int(min_x),
                       big_int(max_x), average, distinct_x.size(), count_big, big_int(sum_k3));
  }
};

/// A query: a window (or none) and the first `keys` of k1, k2, k3 as group keys.
struct QuerySpec {
  WindowSpec window;
  int keys = 1;

  std::string KeyList() const {
    static constexpr const char* kNames[] = {"k1", "k2", "k3"};
    std::string list;
    for (int k = 0; k < keys; ++k) {
      if (k > 0) list += ", ";
      list += kNames[k];
    }
    return list;
  }
  std::string Select(std::string_view from) const {
    std::string select = "SELECT ";
    if (window.kind == WindowKind::kSession) {
      select += fmt::format(
          "{} AS session_start, session_end(ts, INTERVAL '{}' SECOND) AS "
          "session_end, ",
          window.Call(), window.size);
    } else if (window.kind != WindowKind::kNone) {
      select += "window_start, window_end, ";
    }
    if (keys > 0) select += KeyList() + ", ";
    select += fmt::format("{} FROM {}", kAggregates, from);
    std::string group_by = KeyList();
    if (window.kind != WindowKind::kNone) {
      group_by += (group_by.empty() ? "" : ", ") + window.Call();
    }
    if (!group_by.empty()) select += " GROUP BY " + group_by;
    return select;
  }
  /// The group key of a row, as the output prints it.
  std::string KeyText(const InputRow& row) const {
    const std::vector<Value> values = row.Values();
    std::string text;
    for (int k = 0; k < keys; ++k) text += values[static_cast<size_t>(k)].ToString() + "|";
    return text;
  }
  std::string ToString() const { return fmt::format("{} keys={}", window.ToString(), keys); }
};

std::string WindowText(int64_t start, int64_t end) {
  return Value::Timestamp(start).ToString() + "|" + Value::Timestamp(end).ToString() + "|";
}

/// The result of `query` over `rows` evaluated at once, by brute force: "window|keys|aggregates"
/// per group, sorted.
std::vector<std::string> BatchResult(const QuerySpec& query, const std::vector<InputRow>& rows) {
  std::map<std::string, Accumulation> groups;
  const WindowSpec& window = query.window;
  if (window.kind == WindowKind::kSession) {
    // Per key: sorted times; consecutive rows less than `gap` apart share a session (sessions
    // are half-open, [first, last + gap)).
    std::map<std::string, std::vector<const InputRow*>> by_key;
    for (const InputRow& row : rows) by_key[query.KeyText(row)].push_back(&row);
    const int64_t gap = window.size * kSecond;
    for (auto& [key, list] : by_key) {
      std::stable_sort(list.begin(), list.end(),
                       [](const InputRow* a, const InputRow* b) { return a->ts < b->ts; });
      size_t first = 0;
      for (size_t i = 1; i <= list.size(); ++i) {
        if (i < list.size() && list[i]->ts - list[i - 1]->ts < gap) continue;
        Accumulation accumulation;
        for (size_t j = first; j < i; ++j) accumulation.Add(*list[j]);
        groups[WindowText(list[first]->ts, list[i - 1]->ts + gap) + key] = accumulation;
        first = i;
      }
    }
  } else {
    for (const InputRow& row : rows) {
      if (window.kind == WindowKind::kNone) {
        groups[query.KeyText(row)].Add(row);
        continue;
      }
      for (const auto& [start, end] : window.WindowsOf(row.ts)) {
        groups[WindowText(start, end) + query.KeyText(row)].Add(row);
      }
    }
  }
  std::vector<std::string> result;
  for (const auto& [group, accumulation] : groups) result.push_back(group + accumulation.Text());
  std::sort(result.begin(), result.end());
  return result;
}

/// What the stream should produce per the operator's contract, row by row in push order: a
/// row sees the watermark the rows before it produced (the largest event time minus the delay),
/// and a window whose end the watermark reached has closed. A row counts in the windows of it
/// still open, and is late when none is. Sessions are simulated per key: a row joins (and
/// merges) the open sessions it overlaps; a row behind the watermark is late.
struct StreamModel {
  std::vector<bool> late;           // Per row.
  std::vector<std::string> result;  // Sorted, as BatchResult.
};

StreamModel ModelStream(const QuerySpec& query, const std::vector<InputRow>& rows, int64_t delay) {
  StreamModel model;
  model.late.assign(rows.size(), false);
  std::map<std::string, Accumulation> groups;
  int64_t watermark = std::numeric_limits<int64_t>::min();
  const int64_t gap = query.window.size * kSecond;
  struct Open {
    int64_t start;
    int64_t end;
    Accumulation accumulation;
  };
  std::map<std::string, std::vector<Open>> sessions;  // Per key.
  auto close = [&](const std::string& key, std::vector<Open>& list, int64_t limit) {
    for (auto it = list.begin(); it != list.end();) {
      if (it->end > limit) {
        ++it;
        continue;
      }
      groups[WindowText(it->start, it->end) + key] = it->accumulation;
      it = list.erase(it);
    }
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const InputRow& row = rows[i];
    const std::string key = query.KeyText(row);
    if (query.window.kind == WindowKind::kSession) {
      std::vector<Open>& list = sessions[key];
      close(key, list, watermark);
      // A row behind the watermark is late, even if it would join an open session.
      if (row.ts < watermark) {
        model.late[i] = true;
        watermark = std::max(watermark, row.ts - delay * kSecond);
        continue;
      }
      Open merged{row.ts, row.ts + gap, {}};
      merged.accumulation.Add(row);
      for (auto it = list.begin(); it != list.end();) {
        if (it->end > row.ts && it->start < row.ts + gap) {
          merged.start = std::min(merged.start, it->start);
          merged.end = std::max(merged.end, it->end);
          merged.accumulation.Merge(it->accumulation);
          it = list.erase(it);
        } else {
          ++it;
        }
      }
      list.push_back(std::move(merged));
    } else if (query.window.kind == WindowKind::kNone) {
      groups[key].Add(row);
    } else {
      bool counted = false;
      for (const auto& [start, end] : query.window.WindowsOf(row.ts)) {
        if (end <= watermark) continue;
        groups[WindowText(start, end) + key].Add(row);
        counted = true;
      }
      model.late[i] = !counted;
    }
    watermark = std::max(watermark, row.ts - delay * kSecond);
  }
  for (auto& [key, list] : sessions) close(key, list, std::numeric_limits<int64_t>::max());
  for (const auto& [group, accumulation] : groups) {
    model.result.push_back(group + accumulation.Text());
  }
  std::sort(model.result.begin(), model.result.end());
  return model;
}

/// Rows with event times increasing on average, each within `delay` seconds behind the largest
/// time before it (none late), except a `late_fraction` of rows placed further behind.
std::vector<InputRow> GenerateRows(uint32_t seed, int count, int64_t delay, double late_fraction) {
  std::mt19937 random(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(random) < p; };
  auto pick = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  static const char* const kNames[] = {"a", "b", "c"};
  std::vector<InputRow> rows;
  int64_t cursor = BaseTime() + pick(0, 100) * kSecond;
  for (int i = 0; i < count; ++i) {
    // Steps of 0, 1 or 2 seconds, and now and then a jump that closes sessions.
    const int64_t step = chance(0.03) ? pick(10, 40) : pick(0, 2);
    cursor += step * kSecond;
    InputRow row;
    if (!chance(0.15)) row.k1 = kNames[pick(0, 2)];
    if (!chance(0.15)) row.k2 = pick(1, 2);
    if (!chance(0.15)) row.k3 = chance(0.5);
    if (!chance(0.1)) row.x = pick(-5, 20);
    // Whole seconds mostly, so rows fall on window bounds and on the watermark itself.
    int64_t behind = pick(0, delay) * kSecond;
    if (chance(0.2)) behind = pick(0, delay * kSecond);
    row.ts = cursor - behind;
    if (chance(late_fraction)) row.ts = cursor - delay * kSecond - pick(1, 30) * kSecond;
    rows.push_back(std::move(row));
  }
  return rows;
}

enum class Split { kOneRowPerPush, kOneBatch, kRandom };

std::string SplitName(Split split) {
  switch (split) {
    case Split::kOneRowPerPush:
      return "one row per push, each processed alone";
    case Split::kOneBatch:
      return "one batch";
    case Split::kRandom:
      return "random splits";
  }
  return "";
}

/// Everything the streams of one run emitted, as "v1|v2|..." rows (with " (+1)" / " (-1)" for
/// changelogs), in order.
struct RunOutput {
  std::map<std::string, std::vector<std::string>> streams;
  SourceStatus source;
};

/// Opens a database, runs `script` (which creates source `s` and the streams), subscribes to
/// `streams`, pushes `rows` into `s` split per `split`, closes the input and collects the
/// output.
RunOutput RunStreams(const std::string& script, const std::vector<std::string>& streams,
                     const std::vector<InputRow>& rows, Split split, uint32_t seed) {
  RunOutput output;
  auto db = LaminarDB::Open();
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return output;
  auto created = (*db)->Execute(script);
  EXPECT_TRUE(created.ok()) << created.status() << "\n" << script;
  if (!created.ok()) return output;
  std::map<std::string, Subscription> subscriptions;
  for (const std::string& name : streams) {
    auto subscription = (*db)->Subscribe(name, SubscribeOptions{.capacity = 1 << 16});
    EXPECT_TRUE(subscription.ok()) << subscription.status();
    if (!subscription.ok()) return output;
    subscriptions.emplace(name, std::move(*subscription));
  }
  EXPECT_TRUE((*db)->Start().ok());
  auto source = (*db)->Source("s");
  EXPECT_TRUE(source.ok()) << source.status();
  if (!source.ok()) return output;
  std::mt19937 random(seed ^ 0x5eedu);
  size_t next = 0;
  while (next < rows.size()) {
    size_t length = 1;
    if (split == Split::kOneBatch) {
      length = rows.size();
    } else if (split == Split::kRandom && random() % 2 == 0) {
      length = 1 + random() % 300;
    }
    length = std::min(length, rows.size() - next);
    if (length == 1 && split != Split::kOneBatch) {
      Status status = source->Push(rows[next].Values());
      EXPECT_TRUE(status.ok()) << status;
      // Otherwise the reactor may gather rows pushed one by one into one batch.
      if (split == Split::kOneRowPerPush) {
        EXPECT_TRUE((*db)->Sync().ok());
      }
    } else {
      std::vector<std::vector<Value>> batch;
      for (size_t i = next; i < next + length; ++i) batch.push_back(rows[i].Values());
      Status status = source->PushBatch(batch);
      EXPECT_TRUE(status.ok()) << status;
    }
    next += length;
  }
  EXPECT_TRUE((*db)->Sync().ok());
  auto status = (*db)->DescribeSource("s");
  EXPECT_TRUE(status.ok());
  if (status.ok()) output.source = *status;
  EXPECT_TRUE((*db)->CloseSources().ok());
  EXPECT_TRUE((*db)->Sync().ok());
  for (auto& [name, subscription] : subscriptions) {
    std::vector<std::string>& collected = output.streams[name];
    while (auto batch = subscription.Poll()) {
      for (int64_t r = 0; r < batch->num_rows(); ++r) {
        std::string text;
        for (int c = 0; c < batch->rows.num_columns(); ++c) {
          if (c > 0) text += "|";
          text += batch->rows.column(c).GetValue(r).ToString();
        }
        if (subscription.changelog()) text += fmt::format(" ({:+d})", batch->weight(r));
        collected.push_back(std::move(text));
      }
    }
  }
  return output;
}

/// Sums the weights of a changelog per row. Fails the test when a row's net weight goes
/// negative at some prefix (a retraction of a row not emitted before) or ends above one.
std::vector<std::string> Consolidate(const std::vector<std::string>& changelog,
                                     const std::string& context) {
  std::map<std::string, int64_t> weights;
  for (const std::string& entry : changelog) {
    const size_t split = entry.rfind(" (");
    const std::string row = entry.substr(0, split);
    const int64_t weight = entry.substr(split) == " (+1)" ? 1 : -1;
    if ((weights[row] += weight) < 0) {
      ADD_FAILURE() << context << ": retraction of a row not emitted before: " << row;
    }
  }
  std::vector<std::string> rows;
  for (const auto& [row, weight] : weights) {
    EXPECT_LE(weight, 1) << context << ": row emitted twice without retraction: " << row;
    for (int64_t i = 0; i < weight; ++i) rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Compares sorted multisets of rows; on a difference, prints them as a diff and the input rows
/// of the first differing group as a reproducer.
void ExpectSameRows(const std::vector<std::string>& expected, std::vector<std::string> actual,
                    const QuerySpec& query, const std::vector<InputRow>& rows,
                    const std::string& context) {
  std::sort(actual.begin(), actual.end());
  if (expected == actual) return;
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  std::string diff;
  for (size_t i = 0; i < std::min<size_t>(missing.size(), 10); ++i) {
    diff += "  - " + missing[i] + "\n";
  }
  for (size_t i = 0; i < std::min<size_t>(extra.size(), 10); ++i) diff += "  + " + extra[i] + "\n";
  // The rows of the group of the first difference: its key follows the window columns.
  const std::string& first = missing.empty() ? extra.front() : missing.front();
  std::vector<std::string> columns;
  for (size_t start = 0;;) {
    const size_t bar = first.find('|', start);
    columns.push_back(first.substr(start, bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  const size_t key_column = query.window.kind == WindowKind::kNone ? 0 : 2;
  std::string key;
  for (int k = 0; k < query.keys; ++k) key += columns[key_column + static_cast<size_t>(k)] + "|";
  std::string reproducer;
  int shown = 0;
  for (const InputRow& row : rows) {
    if (query.KeyText(row) != key) continue;
    if (++shown > 60) {
      reproducer += "  ...\n";
      break;
    }
    reproducer += "  " + row.Sql() + "\n";
  }
  ADD_FAILURE() << context << "\nquery: " << query.Select("s") << "\nexpected " << expected.size()
                << " rows, got " << actual.size() << " (- expected only, + actual only):\n"
                << diff << "input rows of group " << key << " in push order:\n"
                << reproducer;
}

std::string SourceSql(int64_t delay) {
  return fmt::format(
      "CREATE SOURCE s (k1 VARCHAR, k2 BIGINT, k3 BOOLEAN, x BIGINT, ts TIMESTAMP, "
      "WATERMARK FOR ts AS ts - INTERVAL '{}' SECOND)",
      delay);
}

/// The queries the differential tests run for `seed`: tumble (with and without an offset), hop
/// and cumulate with 1 to 3 keys, or, when `sessions`, session windows with 1 to 3 keys.
std::vector<QuerySpec> Queries(uint32_t seed, bool sessions) {
  std::mt19937 random(seed);
  auto pick = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  std::vector<QuerySpec> queries;
  const int64_t size = pick(3, 10);
  queries.push_back({{WindowKind::kTumble, size, 0, 0}, static_cast<int>(pick(1, 3))});
  queries.push_back({{WindowKind::kTumble, size, 0, pick(1, size - 1)}, 1});
  const int64_t slide = pick(1, 4);
  queries.push_back(
      {{WindowKind::kHop, slide * pick(2, 5), slide, 0}, static_cast<int>(pick(1, 3))});
  const int64_t step = pick(1, 4);
  queries.push_back(
      {{WindowKind::kCumulate, step * pick(2, 5), step, 0}, static_cast<int>(pick(1, 3))});
  queries.push_back({{WindowKind::kSession, pick(2, 8), 0, 0}, static_cast<int>(pick(1, 2))});
  queries.push_back({{WindowKind::kSession, pick(2, 8), 0, 0}, 3});
  std::erase_if(queries, [&](const QuerySpec& query) {
    return (query.window.kind == WindowKind::kSession) != sessions;
  });
  return queries;
}

constexpr uint32_t kSeeds[] = {1, 2, 3, 42, 2024};
constexpr int kRows = 2000;

/// Runs `query` as ON WINDOW CLOSE (and, for pane windows, EMIT CHANGES) over the rows of
/// `seed` in random splits and compares both with the brute-force result.
void CheckWindowQuery(uint32_t seed, const QuerySpec& query) {
  const int64_t delay = 1 + seed % 5;
  const std::vector<InputRow> rows = GenerateRows(seed, kRows, delay, 0);
  const std::string context = fmt::format("seed {} delay {}s {}", seed, delay, query.ToString());
  std::string script = SourceSql(delay) + "; CREATE STREAM final AS " + query.Select("s");
  std::vector<std::string> streams = {"final"};
  const bool changes = query.window.kind != WindowKind::kSession;
  if (changes) {
    script += "; CREATE STREAM changes AS " + query.Select("s") + " EMIT CHANGES";
    streams.push_back("changes");
  }
  RunOutput output = RunStreams(script, streams, rows, Split::kRandom, seed);
  const std::vector<std::string> expected = BatchResult(query, rows);
  EXPECT_EQ(output.source.late_rows, 0) << context;
  ExpectSameRows(expected, output.streams["final"], query, rows, context + " ON WINDOW CLOSE");
  if (changes) {
    ExpectSameRows(expected, Consolidate(output.streams["changes"], context), query, rows,
                   context + " EMIT CHANGES");
  }
}

TEST(WindowDifferentialTest, TumbleMatchesBatchEvaluation) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, false)) {
      if (query.window.kind == WindowKind::kTumble) CheckWindowQuery(seed, query);
    }
  }
}

TEST(WindowDifferentialTest, HopMatchesBatchEvaluation) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, false)) {
      if (query.window.kind == WindowKind::kHop) CheckWindowQuery(seed, query);
    }
  }
}

TEST(WindowDifferentialTest, CumulateMatchesBatchEvaluation) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, false)) {
      if (query.window.kind == WindowKind::kCumulate) CheckWindowQuery(seed, query);
    }
  }
}

// Disabled, like every session test here, for two operator bugs (see aggregate_operator_test.cc):
// the process aborts when two sessions of one key close at one watermark (GroupTable::Erase of
// an erased key), and a row at exactly a session's end joins or misses the session depending
// on whether the watermark reached that end before the row was processed. Once they are fixed,
// ModelStream's session rules (the close and late conditions) follow the chosen rule.
TEST(WindowDifferentialTest, SessionMatchesBatchEvaluation) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, true)) {
      if (query.window.kind == WindowKind::kSession) CheckWindowQuery(seed, query);
    }
  }
}

/// Loads `rows` into table `t` and runs `query` over it ad hoc: the engine's own batch
/// evaluation, as sorted rows.
Result<std::vector<std::string>> AdHocResult(const QuerySpec& query,
                                             const std::vector<InputRow>& rows) {
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<LaminarDB> db, LaminarDB::Open());
  LAMINAR_RETURN_IF_ERROR(db->Execute("CREATE TABLE t (id BIGINT, k1 VARCHAR, k2 BIGINT, k3 "
                                      "BOOLEAN, x BIGINT, ts TIMESTAMP, PRIMARY KEY (id))")
                              .status());
  for (size_t first = 0; first < rows.size(); first += 500) {
    std::string insert = "INSERT INTO t VALUES ";
    for (size_t i = first; i < std::min(rows.size(), first + 500); ++i) {
      if (i > first) insert += ", ";
      insert += fmt::format("({}, {}", i, rows[i].Sql().substr(1));
    }
    LAMINAR_RETURN_IF_ERROR(db->Execute(insert).status());
  }
  LAMINAR_ASSIGN_OR_RETURN(QueryResult result, db->Execute(query.Select("t")));
  std::vector<std::string> texts;
  for (int64_t r = 0; r < result.rows->num_rows(); ++r) {
    std::string text;
    for (int c = 0; c < result.rows->num_columns(); ++c) {
      if (c > 0) text += "|";
      text += result.rows->column(c).GetValue(r).ToString();
    }
    texts.push_back(std::move(text));
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

/// The brute-force oracle checked against the engine's ad-hoc evaluation over a table.
void CheckAdHoc(bool sessions) {
  for (uint32_t seed : kSeeds) {
    const std::vector<InputRow> rows = GenerateRows(seed, kRows, 3, 0);
    std::vector<QuerySpec> queries = Queries(seed, sessions);
    if (!sessions) {
      for (int keys = 0; keys <= 3; ++keys) queries.push_back({{}, keys});
    }
    for (const QuerySpec& query : queries) {
      const std::string context = fmt::format("seed {} {} ad hoc", seed, query.ToString());
      auto adhoc = AdHocResult(query, rows);
      // Tables have no watermark: windows over them are refused for now (LDB-2003), and only
      // the unbounded GROUP BY is compared. Once they run, they are compared too.
      if (query.window.kind != WindowKind::kNone && !adhoc.ok() &&
          adhoc.status().code() == ErrorCode::kWatermarkRequired) {
        continue;
      }
      ASSERT_TRUE(adhoc.ok()) << context << ": " << adhoc.status();
      ExpectSameRows(BatchResult(query, rows), *adhoc, query, rows, context);
    }
  }
}

TEST(WindowDifferentialTest, BruteForceAgreesWithAdHocEvaluation) { CheckAdHoc(false); }

TEST(WindowDifferentialTest, SessionBruteForceAgreesWithAdHocEvaluation) { CheckAdHoc(true); }

TEST(WindowDifferentialTest, UnboundedGroupByChangelogConsolidatesToBatchResult) {
  for (uint32_t seed : kSeeds) {
    for (int keys = 0; keys <= 3; ++keys) {
      const QuerySpec query{{}, keys};
      const std::vector<InputRow> rows = GenerateRows(seed, kRows, 2, 0.05);
      const std::string context = fmt::format("seed {} {}", seed, query.ToString());
      RunOutput output = RunStreams(
          SourceSql(2) + "; CREATE STREAM changes AS " + query.Select("s") + " EMIT CHANGES",
          {"changes"}, rows, Split::kRandom, seed);
      const std::vector<std::string> consolidated = Consolidate(output.streams["changes"], context);
      ExpectSameRows(BatchResult(query, rows), consolidated, query, rows, context);
      auto adhoc = AdHocResult(query, rows);
      ASSERT_TRUE(adhoc.ok()) << context << ": " << adhoc.status();
      ExpectSameRows(*adhoc, consolidated, query, rows, context + " against ad hoc");
    }
  }
}

/// Streams with rows later than the delay: the late ones (ModelStream) are left out of the result
/// and go to the LATE DATA TO stream, the others count.
void CheckLateRows(bool sessions) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, sessions)) {
      const int64_t delay = 1 + seed % 4;
      const std::vector<InputRow> rows = GenerateRows(seed, kRows, delay, 0.05);
      const std::string context =
          fmt::format("seed {} delay {}s {} with late rows", seed, delay, query.ToString());
      const StreamModel model = ModelStream(query, rows, delay);
      std::vector<std::string> late_texts;
      int64_t behind_watermark = 0;
      int64_t watermark = std::numeric_limits<int64_t>::min();
      for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].ts < watermark) ++behind_watermark;
        watermark = std::max(watermark, rows[i].ts - delay * kSecond);
        if (model.late[i]) late_texts.push_back(rows[i].Text());
      }
      std::sort(late_texts.begin(), late_texts.end());
      ASSERT_GT(late_texts.size(), 0u) << context;
      const std::string script = SourceSql(delay) + "; CREATE STREAM final AS " +
                                 query.Select("s") + " LATE DATA TO too_late";
      RunOutput output = RunStreams(script, {"final", "too_late"}, rows, Split::kRandom, seed);
      // The source counts rows behind its watermark, whether or not their windows closed.
      EXPECT_EQ(output.source.late_rows, behind_watermark) << context;
      ExpectSameRows(model.result, output.streams["final"], query, rows, context);
      std::vector<std::string> late_rows = output.streams["too_late"];
      std::sort(late_rows.begin(), late_rows.end());
      EXPECT_EQ(late_rows.size(), late_texts.size()) << context;
      EXPECT_EQ(late_rows, late_texts) << context;
    }
  }
}

TEST(WindowDifferentialTest, LateRowsAreExcludedAndSentToTheLateStream) { CheckLateRows(false); }

TEST(WindowDifferentialTest, SessionLateRowsAreExcludedAndSentToTheLateStream) {
  CheckLateRows(true);
}

/// The same rows pushed one per push, as one batch and in random splits give the same rows in
/// the same order, on the result and on the late data stream.
void CheckBatchSplits(bool sessions) {
  for (uint32_t seed : kSeeds) {
    for (const QuerySpec& query : Queries(seed, sessions)) {
      const int64_t delay = 1 + seed % 4;
      const std::vector<InputRow> rows = GenerateRows(seed, 600, delay, 0.05);
      const std::string context =
          fmt::format("seed {} delay {}s {}", seed, delay, query.ToString());
      const std::string script = SourceSql(delay) + "; CREATE STREAM final AS " +
                                 query.Select("s") + " LATE DATA TO too_late";
      const RunOutput reference =
          RunStreams(script, {"final", "too_late"}, rows, Split::kOneRowPerPush, seed);
      for (Split split : {Split::kOneBatch, Split::kRandom}) {
        const RunOutput output = RunStreams(script, {"final", "too_late"}, rows, split, seed);
        for (const char* stream : {"final", "too_late"}) {
          const std::vector<std::string>& expected = reference.streams.at(stream);
          const std::vector<std::string>& actual = output.streams.at(stream);
          if (expected == actual) continue;
          size_t first = 0;
          while (first < std::min(expected.size(), actual.size()) &&
                 expected[first] == actual[first]) {
            ++first;
          }
          ADD_FAILURE() << context << ": stream " << stream << " differs between one row per push ("
                        << expected.size() << " rows) and " << SplitName(split) << " ("
                        << actual.size() << " rows) from row " << first << ": "
                        << (first < expected.size() ? expected[first] : "(end)") << " vs "
                        << (first < actual.size() ? actual[first] : "(end)");
        }
      }
    }
  }
}

TEST(WindowDifferentialTest, OutputDoesNotDependOnBatchSplits) { CheckBatchSplits(false); }

TEST(WindowDifferentialTest, SessionOutputDoesNotDependOnBatchSplits) { CheckBatchSplits(true); }

}  // namespace
}  // namespace laminar

#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "columnar/batch.h"
#include "columnar/json_format.h"
#include "columnar/value.h"
#include "exec/change_batch.h"

namespace laminar::server {

/// How `laminardb run` and the shell print results.
enum class OutputFormat : uint8_t {
  kTable,      // ASCII tables for people (FormatTable), command tags, "-- stream" headers.
  kJsonLines,  // One JSON object per row, for programs and tests.
};

/// One line per row, `{"stream":"name","weight":1,"row":{...}}\n`; weight -1 for a retraction.
/// Columns are named after `schema`, the stream's schema: the names the stream declares.
/// REQUIRES: `batch` has `schema`'s columns.
std::string JsonEmissionLines(std::string_view stream, const Schema& schema,
                              const exec::ChangeBatch& batch);

/// One line per row of an ad-hoc query's result, `{"query":N,"row":{...}}\n`.
std::string JsonQueryLines(int query_number, const Batch& rows);

/// What a stream emitted, for people: a header `-- stream name (+2 rows)` (with `-1` for
/// retractions) and one table of all the rows. Changelog streams get a `weight` column after
/// their own columns. Empty when the batches hold no rows.
/// REQUIRES: every batch has `schema`'s columns.
std::string TableEmission(std::string_view stream, const Schema& schema, bool changelog,
                          std::span<const exec::ChangeBatch> batches);

}  // namespace laminar::server

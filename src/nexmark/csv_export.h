#pragma once

// CSV export of generated Nexmark tables (`laminardb nexmark export`), so that other engines can
// be fed exactly the rows LaminarDB is measured on.
//
// Format: a header line with the column names, then one line per row, fields separated by
// commas, lines ended by "\n" (not RFC 4180's "\r\n", as PostgreSQL's COPY ... CSV writes them).
// A field is quoted as RFC 4180 says, only when it contains a comma, a double quote, "\r" or
// "\n", with inner double quotes doubled. BIGINT prints in decimal; TIMESTAMP as
// `YYYY-MM-DD HH:MM:SS.ffffff` with always six fraction digits (which ParseTimestamp, PostgreSQL
// and most CSV readers accept); NULL as an empty unquoted field (the generator produces none).

#include <cstdint>
#include <iosfwd>
#include <string>

#include "columnar/batch.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "nexmark/generator.h"

namespace laminar::nexmark {

/// Events generated per batch by WriteTableCsv: bounds its memory to a few megabytes whatever
/// the range.
inline constexpr uint64_t kCsvEventsPerBatch = 64 * 1024;

/// Appends the header line (column names, comma-separated, "\n"-terminated) to `out`.
void AppendCsvHeader(const Schema& schema, std::string* out);

/// Appends one line per row of `batch` to `out`. Supports the column types Nexmark uses:
/// BIGINT, VARCHAR and TIMESTAMP; any other type is kNotSupported (nothing is appended then).
Status AppendCsvRows(const Batch& batch, std::string* out);

/// Writes the header and the rows of `table` for events [first_event, end_event) to `out`,
/// generating kCsvEventsPerBatch events at a time. Errors: those of GenerateTable, and kIoError
/// when the stream fails (it may then hold part of the output).
/// Thread-safety: as GenerateTable; `out` must not be shared with other writers meanwhile.
Status WriteTableCsv(const NexmarkConfig& config, NexmarkTable table, uint64_t first_event,
                     uint64_t end_event, std::ostream& out);

}  // namespace laminar::nexmark

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/batch.h"
#include "columnar/schema.h"
#include "columnar/value.h"

// The JSON text of LaminarDB values and rows, shared by everything that writes JSON: the CLI's
// JSON-lines output, the Nexmark report and the JSON format of sink connectors.

namespace laminar {

/// Appends `text` as a JSON string literal: quotes, backslashes and control characters are
/// escaped (\b \f \n \r \t, \u00XX for the others); every other byte, including UTF-8
/// sequences, is copied as it is.
void AppendJsonString(std::string& out, std::string_view text);

/// The JSON form of one value: NULL → null; BOOLEAN → true/false; integers exact; REAL and
/// DOUBLE in the shortest text that reads back to the same value, with NaN and infinities as
/// the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers); DECIMAL as an exact
/// JSON number with all its scale digits; VARCHAR as a string; BYTEA as the string "\\x..."
/// (hex); DATE, TIMESTAMP, TIMESTAMPTZ and INTERVAL as strings in PostgreSQL's text form.
std::string JsonValue(const Value& value);

/// `{"col":value,...}` for row `row` of `batch`, keys in column order, named after `schema`.
/// REQUIRES: `batch` has `schema`'s columns.
std::string JsonRow(const Schema& schema, const Batch& batch, int64_t row);

}  // namespace laminar

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/result.h"
#include "runtime/source_state.h"
#include "storage/state_io.h"

namespace laminar::runtime {

/// A source message as one WAL record payload (docs/formats/wal.md, "Source records"):
/// version u8, kind u8, producer u32, then for a row its values (count, then each typed
/// value), for a batch the batch (storage::StateWriter::BatchOf), for a watermark the time
/// (i64 µs); nothing for a close. `schema` is the source's (a row's record is read with it).
std::string EncodeSourceMessage(const SourceMessage& message, const Schema& schema);

/// The same, gathered (what a push appends to the WAL, WalWriter::Append of parts): `writer`
/// is emptied (its memory kept, so a source encodes each record into memory already faulted
/// in) and set to gather, and receives the record's own bytes; `parts` is emptied and receives
/// the record as views of those bytes and of the message's batch, whose column buffers are
/// referred to rather than copied. The views are valid while the writer and the batch are
/// unchanged.
void EncodeSourceMessage(const SourceMessage& message, const Schema& schema,
                         storage::StateWriter& writer, std::vector<std::string_view>& parts);

/// Reads a record written by EncodeSourceMessage for a source of `schema`. kCorruption when
/// the record is malformed or does not fit the schema.
Result<SourceMessage> DecodeSourceMessage(std::string_view record,
                                          const std::shared_ptr<const Schema>& schema,
                                          std::string_view context);

}  // namespace laminar::runtime

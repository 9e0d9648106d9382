#pragma once

// The Apache Arrow C Data Interface and C Stream Interface: the ABI-stable structs through which
// LaminarDB exchanges columns and batches with any Arrow implementation in the same process
// (https://arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html).
//
// The definitions are the ones the specification prescribes, including the guard macros, so this
// header can coexist with any other copy of them (arrow/c/abi.h, nanoarrow.h, ...): whichever is
// included first defines the structs and the others are skipped.
//
// Ownership in one paragraph: a structure whose `release` is non-NULL owns resources; whoever
// holds it must call `release` exactly once (which sets `release` to NULL) or move it elsewhere
// (copy the struct bitwise, then set the source's `release` to NULL). A released structure's
// other fields must not be read. Children are released by their parent's `release`, unless a
// consumer moved a child out, in which case the consumer releases that child itself.

#include <stdint.h>  // NOLINT(modernize-deprecated-headers): this is a C header.

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/// The type of an array (a field): a format string such as "l" or "tsu:UTC", a name, flags and
/// child types for nested types.
struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

/// The data of an array: length, null count, offset and pointers to its physical buffers.
struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

/// A pull-based stream of arrays (for LaminarDB: of struct arrays, i.e. batches) sharing one
/// schema. The callbacks return 0 on success or an errno-compatible error code; after an error,
/// get_last_error may describe it. get_next signals the end of the stream by producing a released
/// array (release == NULL). The callbacks are not thread-safe.
struct ArrowArrayStream {
  // Callbacks providing stream functionality
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback
  void (*release)(struct ArrowArrayStream*);

  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

#ifdef __cplusplus
}
#endif

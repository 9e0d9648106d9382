#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace laminar::sql {

/// Renders an error for a person reading a terminal: the status line, then the offending line
/// of `text` and a caret under the error's column, e.g.
///
///     LDB-1001: syntax error at or near "FORM": expected FROM (line 1, column 10)
///     SELECT a FORM t
///              ^
///
/// Tabs before the column are kept so the caret lines up; multi-byte UTF-8 characters count
/// as one column on screen. Without a position (or with one outside `text`) only the status
/// line is returned. `text` must be the text the position refers to.
std::string RenderErrorWithCaret(std::string_view text, const Status& status);

}  // namespace laminar::sql

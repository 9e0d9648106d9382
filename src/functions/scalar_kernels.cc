#include "functions/scalar_kernels.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace laminar::functions {

KernelFlags TimestampAddIntervalOp::Call(int64_t micros, const Interval& interval,
                                         int64_t* out) const {
  *out = 0;
  int64_t result = micros;
  int64_t months = subtract ? -int64_t{interval.months} : int64_t{interval.months};
  if (months != 0) {
    int64_t days;
    int64_t time_of_day;
    SplitTimestamp(micros, &days, &time_of_day);
    int64_t year;
    unsigned month;
    unsigned day;
    CivilFromDays(days, &year, &month, &day);
    int64_t month_index = year * 12 + (month - 1) + months;
    int64_t new_year = month_index / 12;
    int64_t new_month = month_index % 12;
    if (new_month < 0) {
      new_month += 12;
      new_year -= 1;
    }
    unsigned last_day = DaysInMonth(new_year, static_cast<unsigned>(new_month + 1));
    int64_t new_days = DaysFromCivil(new_year, static_cast<unsigned>(new_month + 1),
                                     day < last_day ? day : last_day);
    if (__builtin_mul_overflow(new_days, kMicrosPerDay, &result) ||
        __builtin_add_overflow(result, time_of_day, &result)) {
      return kKernelOverflow;
    }
  }
  int64_t day_micros;
  if (__builtin_mul_overflow(int64_t{interval.days}, kMicrosPerDay, &day_micros)) {
    return kKernelOverflow;
  }
  int64_t delta;
  if (__builtin_add_overflow(day_micros, interval.micros, &delta)) return kKernelOverflow;
  bool overflow = subtract ? __builtin_sub_overflow(result, delta, &result)
                           : __builtin_add_overflow(result, delta, &result);
  if (overflow) return kKernelOverflow;
  *out = result;
  return kKernelOk;
}

KernelFlags ExtractFieldOp::Call(int64_t micros, int64_t* out) const {
  int64_t days;
  int64_t time_of_day;
  SplitTimestamp(micros, &days, &time_of_day);
  switch (field) {
    case TemporalField::kHour:
      *out = time_of_day / kMicrosPerHour;
      return kKernelOk;
    case TemporalField::kMinute:
      *out = time_of_day / kMicrosPerMinute % 60;
      return kKernelOk;
    case TemporalField::kSecond:
      *out = time_of_day / kMicrosPerSecond % 60;
      return kKernelOk;
    default:
      break;
  }
  int64_t year;
  unsigned month;
  unsigned day;
  CivilFromDays(days, &year, &month, &day);
  if (field == TemporalField::kYear) {
    *out = year > 0 ? year : year - 1;  // No year 0: 1 BC is -1, as in PostgreSQL.
  } else if (field == TemporalField::kMonth) {
    *out = month;
  } else {
    *out = day;
  }
  return kKernelOk;
}

KernelFlags DateTruncOp::Call(int64_t micros, int64_t* out) const {
  int64_t days;
  int64_t time_of_day;
  SplitTimestamp(micros, &days, &time_of_day);
  int64_t unit = 0;
  switch (field) {
    case TemporalField::kSecond:
      unit = kMicrosPerSecond;
      break;
    case TemporalField::kMinute:
      unit = kMicrosPerMinute;
      break;
    case TemporalField::kHour:
      unit = kMicrosPerHour;
      break;
    case TemporalField::kDay:
      unit = kMicrosPerDay;
      break;
    case TemporalField::kMonth:
    case TemporalField::kYear: {
      int64_t year;
      unsigned month;
      unsigned day;
      CivilFromDays(days, &year, &month, &day);
      int64_t first = DaysFromCivil(year, field == TemporalField::kYear ? 1 : month, 1);
      *out = 0;
      return __builtin_mul_overflow(first, kMicrosPerDay, out) ? kKernelOverflow : kKernelOk;
    }
  }
  // micros - time_of_day % unit cannot overflow: it moves toward the start of the day.
  *out = micros - time_of_day % unit;
  return kKernelOk;
}

int64_t Utf8Length(std::string_view text) {
  int64_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

namespace {

size_t Utf8CharWidth(std::string_view text, size_t position) {
  size_t width = 1;
  while (position + width < text.size() &&
         (static_cast<unsigned char>(text[position + width]) & 0xC0) == 0x80) {
    ++width;
  }
  return width;
}

char FoldCase(char c, bool case_insensitive) {
  if (case_insensitive && c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, char escape, bool case_insensitive,
               bool* malformed) {
  *malformed = false;
  size_t t = 0;
  size_t p = 0;
  size_t star_pattern = std::string_view::npos;  // Pattern position after the last '%'.
  size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '%' && c != escape) {
        star_pattern = ++p;
        star_text = t;
        continue;
      }
      if (c == '_' && c != escape) {
        t += Utf8CharWidth(text, t);
        ++p;
        continue;
      }
      size_t literal = p;
      if (escape != 0 && c == escape) {
        if (p + 1 >= pattern.size()) {
          *malformed = true;
          return false;
        }
        literal = p + 1;
      }
      if (FoldCase(pattern[literal], case_insensitive) == FoldCase(text[t], case_insensitive)) {
        p = literal + 1;
        ++t;
        continue;
      }
    }
    if (star_pattern == std::string_view::npos) return false;
    p = star_pattern;
    star_text += Utf8CharWidth(text, star_text);
    t = star_text;
  }
  while (p < pattern.size() && pattern[p] == '%' && pattern[p] != escape) ++p;
  if (p < pattern.size() && escape != 0 && pattern[p] == escape && p + 1 >= pattern.size()) {
    *malformed = true;
  }
  return p == pattern.size();
}

std::string_view Utf8Substring(std::string_view text, int64_t start, int64_t length) {
  // Characters [start, start + length) with 1-based start; positions before 1 count but
  // select nothing.
  int64_t first = start < 1 ? 1 : start;
  int64_t end = std::numeric_limits<int64_t>::max();
  if (length >= 0 && !__builtin_add_overflow(start, length, &end)) {
    if (end <= first) return {};
  }
  size_t position = 0;
  for (int64_t character = 1; character < first && position < text.size(); ++character) {
    position += Utf8CharWidth(text, position);
  }
  size_t begin = position;
  for (int64_t character = first; character < end && position < text.size(); ++character) {
    position += Utf8CharWidth(text, position);
  }
  return text.substr(begin, position - begin);
}

std::string_view SplitPart(std::string_view text, std::string_view delimiter, int64_t n) {
  if (delimiter.empty()) return (n == 1 || n == -1) ? text : std::string_view();
  if (n > 0) {
    size_t begin = 0;
    for (int64_t field = 1;; ++field) {
      size_t found = text.find(delimiter, begin);
      if (field == n)
        return text.substr(begin, found == std::string_view::npos ? found : found - begin);
      if (found == std::string_view::npos) return {};
      begin = found + delimiter.size();
    }
  }
  size_t end = text.size();
  for (int64_t field = -1;; --field) {
    size_t found = end < delimiter.size() ? std::string_view::npos
                                          : text.rfind(delimiter, end - delimiter.size());
    size_t begin = found == std::string_view::npos ? 0 : found + delimiter.size();
    if (field == n) return text.substr(begin, end - begin);
    if (found == std::string_view::npos) return {};
    end = found;
  }
}

int64_t CountOccurrences(std::string_view text, std::string_view needle) {
  if (needle.empty()) return 0;
  int64_t count = 0;
  for (size_t position = text.find(needle); position != std::string_view::npos;
       position = text.find(needle, position + needle.size())) {
    ++count;
  }
  return count;
}

namespace {

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseBooleanText(std::string_view text, bool* out) {
  text = TrimSpace(text);
  for (std::string_view word : {"true", "t", "yes", "y", "on", "1"}) {
    if (EqualsIgnoreCase(text, word)) {
      *out = true;
      return true;
    }
  }
  for (std::string_view word : {"false", "f", "no", "n", "off", "0"}) {
    if (EqualsIgnoreCase(text, word)) {
      *out = false;
      return true;
    }
  }
  return false;
}

bool ParseInt64Text(std::string_view text, int64_t* out) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseDoubleText(std::string_view text, double* out) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  if (EqualsIgnoreCase(text, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsIgnoreCase(text, "infinity") || EqualsIgnoreCase(text, "-infinity")) {
    *out = text.front() == '-' ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
    return true;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (end != text.data() + text.size()) return false;
  // Out-of-range text is an error, as in PostgreSQL; from_chars reports it as result_out_of_range.
  return error == std::errc();
}

}  // namespace laminar::functions

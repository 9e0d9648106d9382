#include "functions/datetime_template.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <optional>

namespace laminar::functions {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 12> kRomanMonths = {"I",   "II",   "III", "IV", "V",  "VI",
                                                           "VII", "VIII", "IX",  "X",  "XI", "XII"};
constexpr std::array<std::string_view, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
// 1970-01-01 (day 0) is Julian day 2440588.
constexpr int64_t kJulianDayOfEpoch = 2'440'588;

// One PostgreSQL keyword. The table is searched in order, so a keyword comes before every
// keyword that is a prefix of it (DDD before DD before D).
struct Keyword {
  std::string_view text;
  TemplateField field;
  uint8_t width;
  TextCase text_case;
  bool dotted;
};

constexpr TextCase kU = TextCase::kUpper;
constexpr TextCase kC = TextCase::kCapitalized;
constexpr TextCase kL = TextCase::kLower;

constexpr Keyword kKeywords[] = {
    {"A.D.", TemplateField::kEra, 0, kU, true},
    {"a.d.", TemplateField::kEra, 0, kL, true},
    {"A.M.", TemplateField::kMeridiem, 0, kU, true},
    {"a.m.", TemplateField::kMeridiem, 0, kL, true},
    {"AD", TemplateField::kEra, 0, kU, false},
    {"ad", TemplateField::kEra, 0, kL, false},
    {"AM", TemplateField::kMeridiem, 0, kU, false},
    {"am", TemplateField::kMeridiem, 0, kL, false},
    {"B.C.", TemplateField::kEra, 0, kU, true},
    {"b.c.", TemplateField::kEra, 0, kL, true},
    {"BC", TemplateField::kEra, 0, kU, false},
    {"bc", TemplateField::kEra, 0, kL, false},
    {"CC", TemplateField::kCentury, 2, kU, false},
    {"cc", TemplateField::kCentury, 2, kU, false},
    {"DAY", TemplateField::kDayName, 9, kU, false},
    {"Day", TemplateField::kDayName, 9, kC, false},
    {"day", TemplateField::kDayName, 9, kL, false},
    {"DY", TemplateField::kDayAbbreviation, 0, kU, false},
    {"Dy", TemplateField::kDayAbbreviation, 0, kC, false},
    {"dy", TemplateField::kDayAbbreviation, 0, kL, false},
    {"DDD", TemplateField::kDayOfYear, 3, kU, false},
    {"ddd", TemplateField::kDayOfYear, 3, kU, false},
    {"DD", TemplateField::kDay, 2, kU, false},
    {"dd", TemplateField::kDay, 2, kU, false},
    {"D", TemplateField::kDayOfWeek, 1, kU, false},
    {"d", TemplateField::kDayOfWeek, 1, kU, false},
    {"FF1", TemplateField::kFraction, 1, kU, false},
    {"FF2", TemplateField::kFraction, 2, kU, false},
    {"FF3", TemplateField::kFraction, 3, kU, false},
    {"FF4", TemplateField::kFraction, 4, kU, false},
    {"FF5", TemplateField::kFraction, 5, kU, false},
    {"FF6", TemplateField::kFraction, 6, kU, false},
    {"ff1", TemplateField::kFraction, 1, kU, false},
    {"ff2", TemplateField::kFraction, 2, kU, false},
    {"ff3", TemplateField::kFraction, 3, kU, false},
    {"ff4", TemplateField::kFraction, 4, kU, false},
    {"ff5", TemplateField::kFraction, 5, kU, false},
    {"ff6", TemplateField::kFraction, 6, kU, false},
    {"HH24", TemplateField::kHour24, 2, kU, false},
    {"hh24", TemplateField::kHour24, 2, kU, false},
    {"HH12", TemplateField::kHour12, 2, kU, false},
    {"hh12", TemplateField::kHour12, 2, kU, false},
    {"HH", TemplateField::kHour12, 2, kU, false},
    {"hh", TemplateField::kHour12, 2, kU, false},
    {"IW", TemplateField::kIsoWeek, 2, kU, false},
    {"iw", TemplateField::kIsoWeek, 2, kU, false},
    {"ID", TemplateField::kIsoDayOfWeek, 1, kU, false},
    {"id", TemplateField::kIsoDayOfWeek, 1, kU, false},
    {"IYYY", TemplateField::kIsoYear, 4, kU, false},
    {"iyyy", TemplateField::kIsoYear, 4, kU, false},
    {"IYY", TemplateField::kIsoYearLastDigits, 3, kU, false},
    {"iyy", TemplateField::kIsoYearLastDigits, 3, kU, false},
    {"IY", TemplateField::kIsoYearLastDigits, 2, kU, false},
    {"iy", TemplateField::kIsoYearLastDigits, 2, kU, false},
    {"I", TemplateField::kIsoYearLastDigits, 1, kU, false},
    {"i", TemplateField::kIsoYearLastDigits, 1, kU, false},
    {"J", TemplateField::kJulianDay, 0, kU, false},
    {"j", TemplateField::kJulianDay, 0, kU, false},
    {"MONTH", TemplateField::kMonthName, 9, kU, false},
    {"Month", TemplateField::kMonthName, 9, kC, false},
    {"month", TemplateField::kMonthName, 9, kL, false},
    {"MON", TemplateField::kMonthAbbreviation, 0, kU, false},
    {"Mon", TemplateField::kMonthAbbreviation, 0, kC, false},
    {"mon", TemplateField::kMonthAbbreviation, 0, kL, false},
    {"MI", TemplateField::kMinute, 2, kU, false},
    {"mi", TemplateField::kMinute, 2, kU, false},
    {"MM", TemplateField::kMonth, 2, kU, false},
    {"mm", TemplateField::kMonth, 2, kU, false},
    {"MS", TemplateField::kFraction, 3, kU, false},
    {"ms", TemplateField::kFraction, 3, kU, false},
    {"OF", TemplateField::kTimeZoneOffset, 0, kU, false},
    {"of", TemplateField::kTimeZoneOffset, 0, kU, false},
    {"P.M.", TemplateField::kMeridiem, 0, kU, true},
    {"p.m.", TemplateField::kMeridiem, 0, kL, true},
    {"PM", TemplateField::kMeridiem, 0, kU, false},
    {"pm", TemplateField::kMeridiem, 0, kL, false},
    {"Q", TemplateField::kQuarter, 1, kU, false},
    {"q", TemplateField::kQuarter, 1, kU, false},
    {"RM", TemplateField::kRomanMonth, 4, kU, false},
    {"rm", TemplateField::kRomanMonth, 4, kL, false},
    {"SSSSS", TemplateField::kSecondsOfDay, 0, kU, false},
    {"sssss", TemplateField::kSecondsOfDay, 0, kU, false},
    {"SSSS", TemplateField::kSecondsOfDay, 0, kU, false},
    {"ssss", TemplateField::kSecondsOfDay, 0, kU, false},
    {"SS", TemplateField::kSecond, 2, kU, false},
    {"ss", TemplateField::kSecond, 2, kU, false},
    {"TZH", TemplateField::kTimeZoneOffset, 0, kU, false},
    {"tzh", TemplateField::kTimeZoneOffset, 0, kU, false},
    {"TZM", TemplateField::kTimeZoneMinutes, 2, kU, false},
    {"tzm", TemplateField::kTimeZoneMinutes, 2, kU, false},
    {"TZ", TemplateField::kTimeZoneName, 0, kU, false},
    {"tz", TemplateField::kTimeZoneName, 0, kL, false},
    {"US", TemplateField::kFraction, 6, kU, false},
    {"us", TemplateField::kFraction, 6, kU, false},
    {"WW", TemplateField::kWeekOfYear, 2, kU, false},
    {"ww", TemplateField::kWeekOfYear, 2, kU, false},
    {"W", TemplateField::kWeekOfMonth, 1, kU, false},
    {"w", TemplateField::kWeekOfMonth, 1, kU, false},
    {"Y,YYY", TemplateField::kYearWithComma, 0, kU, false},
    {"y,yyy", TemplateField::kYearWithComma, 0, kU, false},
    {"YYYY", TemplateField::kYear, 4, kU, false},
    {"yyyy", TemplateField::kYear, 4, kU, false},
    {"YYY", TemplateField::kYearLastDigits, 3, kU, false},
    {"yyy", TemplateField::kYearLastDigits, 3, kU, false},
    {"YY", TemplateField::kYearLastDigits, 2, kU, false},
    {"yy", TemplateField::kYearLastDigits, 2, kU, false},
    {"Y", TemplateField::kYearLastDigits, 1, kU, false},
    {"y", TemplateField::kYearLastDigits, 1, kU, false},
};

bool IsNumericField(TemplateField field) {
  switch (field) {
    case TemplateField::kYear:
    case TemplateField::kYearLastDigits:
    case TemplateField::kYearWithComma:
    case TemplateField::kIsoYear:
    case TemplateField::kIsoYearLastDigits:
    case TemplateField::kMonth:
    case TemplateField::kDay:
    case TemplateField::kDayOfYear:
    case TemplateField::kDayOfWeek:
    case TemplateField::kIsoDayOfWeek:
    case TemplateField::kHour24:
    case TemplateField::kHour12:
    case TemplateField::kHour24FromOne:
    case TemplateField::kHour12FromZero:
    case TemplateField::kMinute:
    case TemplateField::kSecond:
    case TemplateField::kFraction:
    case TemplateField::kSecondsOfDay:
    case TemplateField::kQuarter:
    case TemplateField::kWeekOfYear:
    case TemplateField::kIsoWeek:
    case TemplateField::kWeekOfMonth:
    case TemplateField::kCentury:
    case TemplateField::kJulianDay:
      return true;
    default:
      return false;
  }
}

// Appends plain literal text, merged with plain literal text before it (not with quoted text
// or an ordinal suffix, which parse differently).
void AppendLiteral(DateTimeTemplate* format, std::string_view text) {
  if (format->elements.empty() || format->elements.back().field != TemplateField::kLiteral ||
      format->elements.back().dotted || format->elements.back().java_iso) {
    format->elements.push_back(TemplateElement{});
  }
  format->elements.back().literal.append(text);
}

}  // namespace

DateTimeTemplate CompilePostgresTemplate(std::string_view pattern) {
  DateTimeTemplate format;
  bool fill_mode = false;
  size_t position = 0;
  while (position < pattern.size()) {
    std::string_view rest = pattern.substr(position);
    // Modifiers: FM drops the padding of the next pattern; TM (translation) and FX (exact
    // input) change nothing here.
    if (rest.starts_with("FM") || rest.starts_with("fm")) {
      fill_mode = true;
      position += 2;
      continue;
    }
    if (rest.starts_with("TM") || rest.starts_with("tm") || rest.starts_with("FX") ||
        rest.starts_with("fx")) {
      position += 2;
      continue;
    }
    if (rest.front() == '"') {
      // Quoted text; a backslash inside takes the next character literally.
      std::string text;
      size_t end = 1;
      while (end < rest.size() && rest[end] != '"') {
        if (rest[end] == '\\' && end + 1 < rest.size()) ++end;
        text.push_back(rest[end]);
        ++end;
      }
      TemplateElement element;
      element.literal = std::move(text);
      element.dotted = true;  // Quoted: to_timestamp skips as many characters.
      format.elements.push_back(std::move(element));
      position += std::min(end + 1, rest.size());
      fill_mode = false;
      continue;
    }
    if (rest.front() == '\\' && rest.size() > 1) {
      AppendLiteral(&format, rest.substr(1, 1));
      position += 2;
      continue;
    }
    const Keyword* found = nullptr;
    for (const Keyword& keyword : kKeywords) {
      if (rest.starts_with(keyword.text)) {
        found = &keyword;
        break;
      }
    }
    if (found == nullptr) {
      AppendLiteral(&format, rest.substr(0, 1));
      ++position;
      continue;
    }
    TemplateElement element;
    element.field = found->field;
    element.width = found->width;
    element.fill_mode = fill_mode;
    element.text_case = found->text_case;
    element.dotted = found->dotted;
    format.elements.push_back(std::move(element));
    position += found->text.size();
    fill_mode = false;
    // An ordinal suffix (DDth, DDTH) after a number.
    std::string_view after = pattern.substr(position);
    if (IsNumericField(found->field) && (after.starts_with("TH") || after.starts_with("th"))) {
      TemplateElement ordinal;
      ordinal.field = TemplateField::kLiteral;
      ordinal.text_case = after.front() == 'T' ? TextCase::kUpper : TextCase::kLower;
      ordinal.java_iso = true;  // Marks the ordinal suffix of the number before it.
      format.elements.push_back(std::move(ordinal));
      position += 2;
    }
  }
  return format;
}

Result<DateTimeTemplate> CompileJavaPattern(std::string_view pattern) {
  DateTimeTemplate format;
  size_t position = 0;
  while (position < pattern.size()) {
    char c = pattern[position];
    if (c == '\'') {
      if (position + 1 < pattern.size() && pattern[position + 1] == '\'') {
        AppendLiteral(&format, "'");
        position += 2;
        continue;
      }
      size_t end = position + 1;
      std::string text;
      for (;;) {
        if (end >= pattern.size()) {
          return Status::Error(ErrorCode::kInvalidArgument,
                               "unterminated quote in date_format pattern '{}'", pattern);
        }
        if (pattern[end] == '\'') {
          if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
            text.push_back('\'');
            end += 2;
            continue;
          }
          break;
        }
        text.push_back(pattern[end++]);
      }
      AppendLiteral(&format, text);
      position = end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      AppendLiteral(&format, pattern.substr(position, 1));
      ++position;
      continue;
    }
    size_t count = 1;
    while (position + count < pattern.size() && pattern[position + count] == c) ++count;
    position += count;
    uint8_t width = static_cast<uint8_t>(std::min<size_t>(count, 9));
    TemplateElement element;
    element.width = width;
    element.text_case = TextCase::kCapitalized;
    switch (c) {
      case 'G':
        element.field = TemplateField::kEra;
        element.text_case = TextCase::kUpper;
        element.width = 0;
        break;
      case 'y':
        element.field = count == 2 ? TemplateField::kYearLastDigits : TemplateField::kYear;
        break;
      case 'Y':
        element.field = count == 2 ? TemplateField::kIsoYearLastDigits : TemplateField::kIsoYear;
        break;
      case 'M':
      case 'L':
        if (count >= 4) {
          element.field = TemplateField::kMonthName;
          element.width = 0;
        } else if (count == 3) {
          element.field = TemplateField::kMonthAbbreviation;
          element.width = 0;
        } else {
          element.field = TemplateField::kMonth;
        }
        break;
      case 'd':
        element.field = TemplateField::kDay;
        break;
      case 'D':
        element.field = TemplateField::kDayOfYear;
        break;
      case 'E':
        element.field = count >= 4 ? TemplateField::kDayName : TemplateField::kDayAbbreviation;
        element.width = 0;
        break;
      case 'u':  // SimpleDateFormat's day number of the week, 1 (Monday) to 7.
        element.field = TemplateField::kIsoDayOfWeek;
        break;
      case 'F':
      case 'W':
        element.field = TemplateField::kWeekOfMonth;
        break;
      case 'w':
        element.field = TemplateField::kIsoWeek;
        break;
      case 'a':
        element.field = TemplateField::kMeridiem;
        element.text_case = TextCase::kUpper;
        element.width = 0;
        break;
      case 'H':
        element.field = TemplateField::kHour24;
        break;
      case 'k':
        element.field = TemplateField::kHour24FromOne;
        break;
      case 'K':
        element.field = TemplateField::kHour12FromZero;
        break;
      case 'h':
        element.field = TemplateField::kHour12;
        break;
      case 'm':
        element.field = TemplateField::kMinute;
        break;
      case 's':
        element.field = TemplateField::kSecond;
        break;
      case 'S':
        element.field = TemplateField::kFraction;
        break;
      case 'z':
        element.field = TemplateField::kTimeZoneName;
        element.text_case = TextCase::kUpper;
        element.java_iso = true;
        element.width = 0;
        break;
      case 'Z':
        element.field = TemplateField::kTimeZoneOffset;
        element.dotted = true;
        element.width = 0;
        break;
      case 'X':
        element.field = TemplateField::kTimeZoneOffset;
        element.java_iso = true;
        element.width = 0;
        break;
      default:
        return Status::Error(ErrorCode::kInvalidArgument,
                             "illegal pattern character '{}' in date_format pattern '{}'", c,
                             pattern);
    }
    format.elements.push_back(std::move(element));
  }
  return format;
}

namespace {

void AppendNumber(int64_t value, int width, std::string* out) {
  if (value < 0) {
    out->push_back('-');
    value = value == INT64_MIN ? INT64_MAX : -value;
  }
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  (void)error;
  for (int pad = width - static_cast<int>(end - digits); pad > 0; --pad) out->push_back('0');
  out->append(digits, end);
}

void AppendText(std::string_view text, TextCase text_case, size_t pad_to, std::string* out) {
  size_t start = out->size();
  out->append(text);
  for (size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    bool first = i == start;
    if (text_case == TextCase::kUpper || (text_case == TextCase::kCapitalized && first)) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  for (size_t length = text.size(); length < pad_to; ++length) out->push_back(' ');
}

void AppendMarker(std::string_view marker, const TemplateElement& element, std::string* out) {
  // marker is "AM", "PM", "AD" or "BC".
  char first = marker[0];
  char second = marker[1];
  if (element.text_case == TextCase::kLower) {
    first = static_cast<char>(std::tolower(static_cast<unsigned char>(first)));
    second = static_cast<char>(std::tolower(static_cast<unsigned char>(second)));
  }
  out->push_back(first);
  if (element.dotted) out->push_back('.');
  out->push_back(second);
  if (element.dotted) out->push_back('.');
}

std::string_view OrdinalSuffix(int64_t value) {
  int64_t last_two = (value < 0 ? -value : value) % 100;
  if (last_two >= 11 && last_two <= 13) return "th";
  switch (last_two % 10) {
    case 1:
      return "st";
    case 2:
      return "nd";
    case 3:
      return "rd";
    default:
      return "th";
  }
}

int64_t PowerOfTen(int exponent) {
  int64_t value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

// The fraction of a second (0..999999 microseconds) to `digits` digits, truncated.
void AppendFraction(int64_t micros, int digits, std::string* out) {
  if (digits <= 6) {
    AppendNumber(micros / PowerOfTen(6 - digits), digits, out);
  } else {
    AppendNumber(micros, 6, out);
    for (int i = 6; i < digits; ++i) out->push_back('0');
  }
}

}  // namespace

void FormatTimestampWithTemplate(const DateTimeTemplate& format, int64_t micros,
                                 bool with_time_zone, std::string* out) {
  CivilTimestamp civil = ToCivilTimestamp(micros);
  int64_t year = civil.year > 0 ? civil.year : 1 - civil.year;  // BC years count up from 1.
  int64_t hour = civil.time_of_day / kMicrosPerHour;
  int64_t minute = civil.time_of_day / kMicrosPerMinute % 60;
  int64_t second = civil.time_of_day / kMicrosPerSecond % 60;
  int64_t fraction = civil.time_of_day % kMicrosPerSecond;
  int64_t day_of_year = civil.days - DaysFromCivil(civil.year, 1, 1) + 1;
  int64_t last_number = 0;
  for (const TemplateElement& element : format.elements) {
    int width = element.width;
    int pad = element.fill_mode ? 0 : width;
    int64_t number = 0;
    bool is_number = true;
    switch (element.field) {
      case TemplateField::kLiteral:
        is_number = false;
        if (element.java_iso) {
          AppendText(OrdinalSuffix(last_number), element.text_case, 0, out);
        } else {
          out->append(element.literal);
        }
        break;
      case TemplateField::kYear:
        number = year;
        break;
      case TemplateField::kYearLastDigits:
        number = year % PowerOfTen(width);
        break;
      case TemplateField::kYearWithComma:
        is_number = false;
        fmt::format_to(std::back_inserter(*out), "{},{:03}", year / 1000, year % 1000);
        last_number = year;
        break;
      case TemplateField::kIsoYear:
      case TemplateField::kIsoYearLastDigits: {
        int64_t iso_year;
        int64_t week;
        IsoWeek(civil.days, &iso_year, &week);
        iso_year = iso_year > 0 ? iso_year : 1 - iso_year;
        number = element.field == TemplateField::kIsoYear ? iso_year : iso_year % PowerOfTen(width);
        break;
      }
      case TemplateField::kMonth:
        number = civil.month;
        break;
      case TemplateField::kMonthName:
      case TemplateField::kMonthAbbreviation: {
        is_number = false;
        std::string_view name = kMonthNames[civil.month - 1];
        if (element.field == TemplateField::kMonthAbbreviation) name = name.substr(0, 3);
        AppendText(name, element.text_case, pad, out);
        break;
      }
      case TemplateField::kRomanMonth:
        is_number = false;
        AppendText(kRomanMonths[civil.month - 1], element.text_case, pad, out);
        break;
      case TemplateField::kDay:
        number = civil.day;
        break;
      case TemplateField::kDayOfYear:
        number = day_of_year;
        break;
      case TemplateField::kDayOfWeek:
        number = IsoDayOfWeek(civil.days) % 7 + 1;
        break;
      case TemplateField::kIsoDayOfWeek:
        number = IsoDayOfWeek(civil.days);
        break;
      case TemplateField::kDayName:
      case TemplateField::kDayAbbreviation: {
        is_number = false;
        std::string_view name = kDayNames[static_cast<size_t>(IsoDayOfWeek(civil.days) % 7)];
        if (element.field == TemplateField::kDayAbbreviation) name = name.substr(0, 3);
        AppendText(name, element.text_case, pad, out);
        break;
      }
      case TemplateField::kHour24:
        number = hour;
        break;
      case TemplateField::kHour12:
        number = hour % 12 == 0 ? 12 : hour % 12;
        break;
      case TemplateField::kHour24FromOne:
        number = hour == 0 ? 24 : hour;
        break;
      case TemplateField::kHour12FromZero:
        number = hour % 12;
        break;
      case TemplateField::kMinute:
        number = minute;
        break;
      case TemplateField::kSecond:
        number = second;
        break;
      case TemplateField::kFraction:
        is_number = false;
        AppendFraction(fraction, width, out);
        break;
      case TemplateField::kSecondsOfDay:
        number = civil.time_of_day / kMicrosPerSecond;
        break;
      case TemplateField::kMeridiem:
        is_number = false;
        AppendMarker(hour < 12 ? "AM" : "PM", element, out);
        break;
      case TemplateField::kEra:
        is_number = false;
        AppendMarker(civil.year > 0 ? "AD" : "BC", element, out);
        break;
      case TemplateField::kQuarter:
        number = (civil.month - 1) / 3 + 1;
        break;
      case TemplateField::kWeekOfYear:
        number = (day_of_year - 1) / 7 + 1;
        break;
      case TemplateField::kIsoWeek: {
        int64_t iso_year;
        IsoWeek(civil.days, &iso_year, &number);
        break;
      }
      case TemplateField::kWeekOfMonth:
        number = (civil.day - 1) / 7 + 1;
        break;
      case TemplateField::kCentury:
        number = civil.year > 0 ? (civil.year - 1) / 100 + 1 : civil.year / 100 - 1;
        break;
      case TemplateField::kJulianDay:
        number = civil.days + kJulianDayOfEpoch;
        break;
      case TemplateField::kTimeZoneName:
        is_number = false;
        if (with_time_zone || element.java_iso) {
          out->append(element.text_case == TextCase::kLower ? "utc" : "UTC");
        }
        break;
      case TemplateField::kTimeZoneOffset:
        is_number = false;
        out->append(element.java_iso ? "Z" : (element.dotted ? "+0000" : "+00"));
        break;
      case TemplateField::kTimeZoneMinutes:
        is_number = false;
        out->append("00");
        break;
    }
    if (is_number) {
      AppendNumber(number, pad, out);
      last_number = number;
    }
  }
}

bool CanFormatInterval(const DateTimeTemplate& format) {
  for (const TemplateElement& element : format.elements) {
    switch (element.field) {
      case TemplateField::kLiteral:
        if (element.java_iso) return false;  // Ordinal suffixes.
        break;
      case TemplateField::kYear:
      case TemplateField::kYearLastDigits:
      case TemplateField::kMonth:
      case TemplateField::kDay:
      case TemplateField::kHour24:
      case TemplateField::kHour12:
      case TemplateField::kMinute:
      case TemplateField::kSecond:
      case TemplateField::kFraction:
      case TemplateField::kSecondsOfDay:
        break;
      default:
        return false;
    }
  }
  return true;
}

void FormatIntervalWithTemplate(const DateTimeTemplate& format, const Interval& interval,
                                std::string* out) {
  int64_t years = interval.months / 12;
  int64_t months = interval.months % 12;
  int64_t hours = interval.micros / kMicrosPerHour;
  int64_t minutes = interval.micros % kMicrosPerHour / kMicrosPerMinute;
  int64_t seconds = interval.micros % kMicrosPerMinute / kMicrosPerSecond;
  int64_t fraction = interval.micros % kMicrosPerSecond;
  for (const TemplateElement& element : format.elements) {
    int width = element.fill_mode ? 0 : element.width;
    switch (element.field) {
      case TemplateField::kLiteral:
        out->append(element.literal);
        break;
      case TemplateField::kYear:
        AppendNumber(years, width, out);
        break;
      case TemplateField::kYearLastDigits:
        AppendNumber(years % PowerOfTen(element.width), width, out);
        break;
      case TemplateField::kMonth:
        AppendNumber(months, width, out);
        break;
      case TemplateField::kDay:
        AppendNumber(interval.days, width, out);
        break;
      case TemplateField::kHour24:
        AppendNumber(hours, width, out);
        break;
      case TemplateField::kHour12:
        AppendNumber(hours % 12 == 0 ? 12 : hours % 12, width, out);
        break;
      case TemplateField::kMinute:
        AppendNumber(minutes, width, out);
        break;
      case TemplateField::kSecond:
        AppendNumber(seconds, width, out);
        break;
      case TemplateField::kFraction:
        AppendFraction(fraction < 0 ? -fraction : fraction, element.width, out);
        break;
      case TemplateField::kSecondsOfDay:
        AppendNumber(interval.micros / kMicrosPerSecond, width, out);
        break;
      default:
        break;
    }
  }
}

bool CanParse(const DateTimeTemplate& format) {
  for (const TemplateElement& element : format.elements) {
    switch (element.field) {
      case TemplateField::kIsoYear:
      case TemplateField::kIsoYearLastDigits:
      case TemplateField::kRomanMonth:
      case TemplateField::kDayOfWeek:
      case TemplateField::kIsoDayOfWeek:
      case TemplateField::kHour24FromOne:
      case TemplateField::kHour12FromZero:
      case TemplateField::kWeekOfYear:
      case TemplateField::kIsoWeek:
      case TemplateField::kWeekOfMonth:
      case TemplateField::kCentury:
      case TemplateField::kTimeZoneName:
      case TemplateField::kTimeZoneOffset:
      case TemplateField::kTimeZoneMinutes:
        return false;
      case TemplateField::kLiteral:
        if (element.java_iso) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsAlphanumeric(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// PostgreSQL's adjust_partial_year_to_2020 for years given with fewer than four digits.
int64_t NearestTo2020(int64_t year) {
  if (year < 70) return year + 2000;
  if (year < 100) return year + 1900;
  if (year < 520) return year + 2000;
  if (year < 1000) return year + 1000;
  return year;
}

// Reads a number at text[*position]: up to `width` digits exactly when `exact`, otherwise an
// optional sign and all the digits there are. Leading blanks are skipped.
bool ReadNumber(std::string_view text, size_t* position, bool exact, int width, int64_t* value,
                int* digits) {
  while (*position < text.size() && IsSpace(text[*position])) ++*position;
  bool negative = false;
  if (!exact && *position < text.size() && (text[*position] == '-' || text[*position] == '+')) {
    negative = text[*position] == '-';
    ++*position;
  }
  int64_t result = 0;
  int count = 0;
  while (*position < text.size() && text[*position] >= '0' && text[*position] <= '9' &&
         (!exact || count < width)) {
    if (count == 18) return false;  // Beyond any field's range.
    result = result * 10 + (text[*position] - '0');
    ++count;
    ++*position;
  }
  if (count == 0 || (exact && count < width)) return false;
  *value = negative ? -result : result;
  *digits = count;
  return true;
}

// Matches one of `names` (or its three-letter abbreviation) at text[*position], in any case;
// returns its index or -1.
template <size_t N>
int ReadName(std::string_view text, size_t* position,
             const std::array<std::string_view, N>& names) {
  std::string_view rest = text.substr(*position);
  for (size_t i = 0; i < N; ++i) {
    if (StartsWithIgnoreCase(rest, names[i])) {
      *position += names[i].size();
      return static_cast<int>(i);
    }
  }
  for (size_t i = 0; i < N; ++i) {
    if (StartsWithIgnoreCase(rest, names[i].substr(0, 3))) {
      *position += 3;
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Matches "AM"/"PM"-like markers (with or without dots, any case); returns which or -1.
int ReadMarker(std::string_view text, size_t* position, std::string_view first,
               std::string_view second) {
  std::string_view rest = text.substr(*position);
  for (int which = 0; which < 2; ++which) {
    std::string_view marker = which == 0 ? first : second;
    std::string dotted = {marker[0], '.', marker[1], '.'};
    if (StartsWithIgnoreCase(rest, dotted)) {
      *position += 4;
      return which;
    }
    if (StartsWithIgnoreCase(rest, marker)) {
      *position += 2;
      return which;
    }
  }
  return -1;
}

}  // namespace

KernelFlags ParseTimestampWithTemplate(const DateTimeTemplate& format, std::string_view text,
                                       int64_t* micros) {
  *micros = 0;
  int64_t year = 1;
  bool bc = false;
  int64_t month = 1;
  int64_t day = 1;
  std::optional<int64_t> day_of_year;
  std::optional<int64_t> julian_day;
  std::optional<int64_t> seconds_of_day;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;
  bool twelve_hour = false;
  std::optional<bool> afternoon;
  size_t position = 0;
  const std::vector<TemplateElement>& elements = format.elements;
  for (size_t k = 0; k < elements.size() && position < text.size(); ++k) {
    const TemplateElement& element = elements[k];
    if (element.field == TemplateField::kLiteral) {
      if (element.dotted) {
        // Quoted text skips as many characters (UTF-8 characters) as it has.
        for (size_t skipped = 0;
             skipped < static_cast<size_t>(Utf8Length(element.literal)) && position < text.size();
             ++skipped) {
          ++position;
          while (position < text.size() &&
                 (static_cast<unsigned char>(text[position]) & 0xC0) == 0x80) {
            ++position;
          }
        }
        continue;
      }
      for (char c : element.literal) {
        if (position >= text.size()) break;
        if (IsSpace(c)) {
          while (position < text.size() && IsSpace(text[position])) ++position;
        } else if (text[position] == c || !IsAlphanumeric(text[position])) {
          ++position;  // A separator matches any one separator (or the same character).
        }
      }
      continue;
    }
    if (IsNumericField(element.field)) {
      bool next_is_number = k + 1 < elements.size() && IsNumericField(elements[k + 1].field);
      bool exact = !element.fill_mode && element.width > 0 && next_is_number;
      int64_t value;
      int digits;
      if (!ReadNumber(text, &position, exact, element.width, &value, &digits)) {
        return kKernelInvalidInput;
      }
      switch (element.field) {
        case TemplateField::kYearWithComma:
          if (position < text.size() && text[position] == ',') {
            ++position;
            int64_t thousands = value;
            if (!ReadNumber(text, &position, true, 3, &value, &digits)) return kKernelInvalidInput;
            value += thousands * 1000;
          }
          year = value;
          break;
        case TemplateField::kYear:
          year = value;
          break;
        case TemplateField::kYearLastDigits:
          year = digits < 4 && value >= 0 ? NearestTo2020(value) : value;
          break;
        case TemplateField::kMonth:
          month = value;
          break;
        case TemplateField::kDay:
          day = value;
          break;
        case TemplateField::kDayOfYear:
          day_of_year = value;
          break;
        case TemplateField::kHour24:
          hour = value;
          twelve_hour = false;
          break;
        case TemplateField::kHour12:
          hour = value;
          twelve_hour = true;
          break;
        case TemplateField::kMinute:
          minute = value;
          break;
        case TemplateField::kSecond:
          second = value;
          break;
        case TemplateField::kFraction:
          if (value < 0) return kKernelInvalidInput;
          fraction = digits <= 6 ? value * PowerOfTen(6 - digits) : value / PowerOfTen(digits - 6);
          break;
        case TemplateField::kSecondsOfDay:
          seconds_of_day = value;
          break;
        case TemplateField::kJulianDay:
          julian_day = value;
          break;
        default:  // kQuarter: read and ignored, as in PostgreSQL.
          break;
      }
      continue;
    }
    switch (element.field) {
      case TemplateField::kMonthName:
      case TemplateField::kMonthAbbreviation: {
        int index = ReadName(text, &position, kMonthNames);
        if (index < 0) return kKernelInvalidInput;
        month = index + 1;
        break;
      }
      case TemplateField::kDayName:
      case TemplateField::kDayAbbreviation:
        if (ReadName(text, &position, kDayNames) < 0) return kKernelInvalidInput;
        break;
      case TemplateField::kMeridiem: {
        int which = ReadMarker(text, &position, "AM", "PM");
        if (which < 0) return kKernelInvalidInput;
        afternoon = which == 1;
        break;
      }
      case TemplateField::kEra: {
        int which = ReadMarker(text, &position, "AD", "BC");
        if (which < 0) return kKernelInvalidInput;
        bc = which == 1;
        break;
      }
      default:
        return kKernelInvalidInput;  // Not parseable (CanParse excludes it).
    }
  }
  // Check and combine the fields.
  if (twelve_hour) {
    if (hour < 1 || hour > 12) return kKernelInvalidInput;
    if (afternoon.value_or(false) && hour < 12) hour += 12;
    if (!afternoon.value_or(false) && hour == 12) hour = 0;
  }
  if (seconds_of_day) {
    if (*seconds_of_day < 0 || *seconds_of_day >= 86400) return kKernelInvalidInput;
    hour = *seconds_of_day / 3600;
    minute = *seconds_of_day / 60 % 60;
    second = *seconds_of_day % 60;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return kKernelInvalidInput;
  }
  if (bc) {
    if (year <= 0) return kKernelInvalidInput;
    year = 1 - year;  // Proleptic: 1 BC is year 0.
  }
  constexpr int64_t kYearLimit = 300'000;  // Beyond the TIMESTAMP range either way.
  if (year > kYearLimit || year < -kYearLimit) return kKernelOverflow;
  int64_t days;
  if (julian_day) {
    days = *julian_day - kJulianDayOfEpoch;
  } else if (day_of_year) {
    int64_t length = IsLeapYear(year) ? 366 : 365;
    if (*day_of_year < 1 || *day_of_year > length) return kKernelInvalidInput;
    days = DaysFromCivil(year, 1, 1) + *day_of_year - 1;
  } else {
    if (month < 1 || month > 12) return kKernelInvalidInput;
    if (day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
      return kKernelInvalidInput;
    }
    days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  }
  int64_t time = ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
  int64_t result;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &result) ||
      __builtin_add_overflow(result, time, &result)) {
    return kKernelOverflow;
  }
  *micros = result;
  return kKernelOk;
}

}  // namespace laminar::functions

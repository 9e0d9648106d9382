#include "common/status.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "common/check.h"

namespace laminar {

Status::Status(ErrorCode code, std::string message)
    : state_(std::make_unique<State>(State{code, std::move(message), SourcePosition{}})) {
  LAMINAR_CHECK_MSG(code != ErrorCode::kOk, "an error Status needs a code other than kOk");
}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

std::string_view Status::message() const {
  return state_ ? std::string_view(state_->message) : std::string_view();
}

ErrorCategory Status::category() const {
  return state_ ? GetErrorCodeInfo(state_->code).category : ErrorCategory::kUser;
}

std::string_view Status::sqlstate() const {
  return state_ ? GetErrorCodeInfo(state_->code).sqlstate : std::string_view("00000");
}

Status Status::WithPosition(SourcePosition position) && {
  if (state_) state_->position = position;
  return std::move(*this);
}

Status Status::WithPositionIfMissing(SourcePosition position) && {
  if (state_ && !state_->position.valid()) state_->position = position;
  return std::move(*this);
}

Status Status::WithContext(std::string_view context) && {
  if (state_) state_->message = fmt::format("{}: {}", context, state_->message);
  return std::move(*this);
}

std::string Status::ToString() const {
  if (!state_) return "OK";
  std::string text = fmt::format("{}: {}", FormatErrorCode(state_->code), state_->message);
  if (state_->position.valid()) {
    text += fmt::format(" (line {}, column {})", state_->position.line, state_->position.column);
  }
  return text;
}

bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message() && a.position() == b.position();
}

std::ostream& operator<<(std::ostream& stream, const Status& status) {
  return stream << status.ToString();
}

namespace internal {

void CheckFailed(const char* file, int line, const char* expression, const char* message) {
  fmt::print(stderr, "{}:{}: check failed: {} {}\n", file, line, expression, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace internal

void OutOfMemory(size_t bytes) {
  std::fprintf(stderr, "laminardb: out of memory allocating %zu bytes\n", bytes);
  std::abort();
}

void* AlignedAllocOrDie(size_t alignment, size_t size) {
  if (size == 0) return nullptr;
  void* memory = std::aligned_alloc(alignment, size);
  if (memory == nullptr) OutOfMemory(size);
  return memory;
}

}  // namespace laminar

#pragma once

#include <atomic>
#include <cstdint>

namespace laminar {

/// The only way LaminarDB reads time. Production code receives a Clock (usually
/// `Clock::System()`); tests pass a ManualClock and advance it explicitly, so nothing sleeps
/// and every run is deterministic.
///
/// Thread-safety: all methods may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;

  /// Wall-clock time in microseconds since the Unix epoch (what proctime() returns).
  virtual int64_t NowMicros() const = 0;

  /// A monotonic reading in nanoseconds, for durations and timeouts. Only differences between
  /// two readings of the same clock mean anything.
  virtual int64_t MonotonicNanos() const = 0;

  /// The process-wide system clock. Never null; lives for the whole process.
  static Clock* System();
};

/// Reads the operating system's clocks (CLOCK_REALTIME and CLOCK_MONOTONIC).
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicNanos() const override;
};

/// A clock that moves only when told to. Wall and monotonic time advance together.
class ManualClock final : public Clock {
 public:
  /// Starts at `start_micros` since the epoch; the monotonic reading starts at 0.
  explicit ManualClock(int64_t start_micros = 0) : now_micros_(start_micros) {}

  int64_t NowMicros() const override { return now_micros_.load(std::memory_order_acquire); }
  int64_t MonotonicNanos() const override {
    return monotonic_nanos_.load(std::memory_order_acquire);
  }

  /// Moves both readings forward. REQUIRES: micros >= 0 (time never goes back).
  void AdvanceMicros(int64_t micros);
  /// Sets wall time (may go back, as a wall clock can); monotonic time advances by the
  /// forward part of the change only.
  void SetNowMicros(int64_t micros);

 private:
  std::atomic<int64_t> now_micros_;
  std::atomic<int64_t> monotonic_nanos_{0};
};

}  // namespace laminar

#pragma once

#include <chrono>
#include <string>

namespace hoist {

/// When and how long to wait before trying a request again: exponential backoff with full
/// jitter, bounded in attempts and in total time; a server's Retry-After wins when longer.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{10'000};
  std::chrono::milliseconds max_total{60'000};

  /// The wait before attempt `attempt` (1 = the first retry), `retry_after` from the server
  /// (0 when none).
  std::chrono::milliseconds Delay(int attempt, std::chrono::milliseconds retry_after) const;
};

/// A Retry-After header value (delta-seconds or an HTTP date) as a duration; 0 when absent or
/// unreadable.
std::chrono::milliseconds ParseRetryAfter(const std::string& value);

}  // namespace hoist

#include "net/retry_policy.h"

#include <errno.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <random>

#include "net/curl_library.h"

namespace hoist {

std::chrono::milliseconds RetryPolicy::Delay(int attempt,
                                             std::chrono::milliseconds retry_after) const {
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto ceiling = base_delay * (1LL << std::min(attempt - 1, 16));
  ceiling = std::min<std::chrono::milliseconds>(ceiling, max_delay);
  std::uniform_int_distribution<long long> jitter(0, ceiling.count());
  std::chrono::milliseconds delay(jitter(random));
  return std::max(delay, retry_after);
}

std::chrono::milliseconds ParseRetryAfter(const std::string& value) {
  if (value.empty()) return std::chrono::milliseconds(0);
  // Capped at a day: a larger number (even one past `long`) must not overflow the
  // milliseconds it becomes, which would turn it negative and defeat every bound on waiting.
  constexpr long long kMaxSeconds = 24 * 60 * 60;
  char* end = nullptr;
  errno = 0;
  long long seconds = std::strtoll(value.c_str(), &end, 10);
  if (end != value.c_str() && end && *end == '\0' && seconds >= 0) {
    if (errno == ERANGE || seconds > kMaxSeconds) seconds = kMaxSeconds;
    return std::chrono::seconds(seconds);
  }
  if (!Curl().error.empty()) return std::chrono::milliseconds(0);
  time_t when = Curl().getdate(value.c_str(), nullptr);
  if (when < 0) return std::chrono::milliseconds(0);
  time_t now = std::time(nullptr);
  return std::chrono::seconds(std::clamp<long long>(when - now, 0, kMaxSeconds));
}

}  // namespace hoist

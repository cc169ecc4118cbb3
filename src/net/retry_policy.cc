#include "net/retry_policy.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <random>

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
  char* end = nullptr;
  long seconds = std::strtol(value.c_str(), &end, 10);
  if (end && *end == '\0' && seconds >= 0) return std::chrono::seconds(seconds);
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return std::chrono::milliseconds(0);
  time_t now = std::time(nullptr);
  return std::chrono::seconds(std::max<time_t>(0, when - now));
}

}  // namespace hoist

#include "net/retry_policy.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, BackoffGrowsIsJitteredAndCapped) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(100);
  policy.max_delay = milliseconds(1000);
  for (int attempt = 1; attempt <= 10; ++attempt) {
    auto delay = policy.Delay(attempt, milliseconds(0));
    EXPECT_GE(delay, milliseconds(0));
    EXPECT_LE(delay, std::min(milliseconds(100 << (attempt - 1)), milliseconds(1000)));
  }
}

TEST(RetryPolicy, RetryAfterWinsWhenLonger) {
  RetryPolicy policy;
  policy.max_delay = milliseconds(10);
  EXPECT_EQ(policy.Delay(1, milliseconds(2000)), milliseconds(2000));
}

TEST(RetryPolicy, ParsesRetryAfterSecondsAndDates) {
  EXPECT_EQ(ParseRetryAfter("3"), milliseconds(3000));
  EXPECT_EQ(ParseRetryAfter(""), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("soon"), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), milliseconds(0));  // past
}

// A huge Retry-After overflowed into a negative wait, which passed every bound.
TEST(RetryPolicy, AHugeRetryAfterIsCappedNeverNegative) {
  const auto day = std::chrono::duration_cast<milliseconds>(std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999"), day);
  EXPECT_EQ(ParseRetryAfter("9223372036854775"), day);
  EXPECT_EQ(ParseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT"), day);
  EXPECT_EQ(ParseRetryAfter("-5"), milliseconds(0));
}

}  // namespace
}  // namespace hoist

#include "cli/terminal.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

TEST(Terminal, AStatusFormatAsNinjaStatus) {
  using std::chrono::seconds;
  EXPECT_EQ(FormatStatus("[%f/%t] ", 3, 6, 2, seconds(4)), "[3/6] ");
  EXPECT_EQ(FormatStatus("%p %r running, %u waiting, %es %% %x", 3, 6, 2, seconds(4)),
            "50% 2 running, 1 waiting, 4s % %x");
  EXPECT_EQ(FormatStatus("%", 0, 0, 0, seconds(0)), "%");
  EXPECT_EQ(FormatStatus("%p", 0, 0, 0, seconds(0)), "100%");
}

TEST(Terminal, ElideMiddleKeepsBothEnds) {
  EXPECT_EQ(ElideMiddle("short", 10), "short");
  EXPECT_EQ(ElideMiddle("services/payments-api", 12), "servi...-api");
  EXPECT_EQ(ElideMiddle("abcdef", 2), "ab");
  EXPECT_EQ(ElideMiddle("abcdef", 0), "");
}

}  // namespace
}  // namespace hoist

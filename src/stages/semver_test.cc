#include "stages/semver.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

int Compare(const std::string& a, const std::string& b) {
  auto left = SemanticVersion::Parse(a), right = SemanticVersion::Parse(b);
  EXPECT_TRUE(left && right) << a << " " << b;
  return CompareVersions(*left, *right);
}

TEST(Semver, ParsesAndRejects) {
  auto version = SemanticVersion::Parse("2.1.123-testnet.0+sha.5114f85");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->major, 2u);
  EXPECT_EQ(version->patch, 123u);
  EXPECT_EQ(version->prerelease, (std::vector<std::string>{"testnet", "0"}));
  EXPECT_EQ(version->build, "sha.5114f85");
  EXPECT_EQ(version->ToString(), "2.1.123-testnet.0+sha.5114f85");
  for (const char* bad : {"v1.2.3", "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3 ",
                          "99999999999999999999.0.0", ""}) {
    EXPECT_FALSE(SemanticVersion::Parse(bad)) << bad;
  }
}

TEST(Semver, PrecedenceOfTheSpec) {
  // The chain from semver.org, section 11.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                         "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                         "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                         "1.1.0",       "2.0.0",         "10.0.0"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(Compare(chain[i], chain[i + 1]), 0) << chain[i] << " < " << chain[i + 1];
    EXPECT_GT(Compare(chain[i + 1], chain[i]), 0) << chain[i + 1] << " > " << chain[i];
  }
  EXPECT_EQ(Compare("1.0.0+build.1", "1.0.0+build.2"), 0);
}

}  // namespace
}  // namespace hoist

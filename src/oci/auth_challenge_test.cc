#include "oci/auth_challenge.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

TEST(AuthChallenge, BearerWithQuotedCommas) {
  auto challenges = ParseAuthChallenges(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",)"
      R"(scope="repository:team/app:pull,push repository:team/lib:pull")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].params.at("realm"), "https://auth.example.com/token");
  EXPECT_EQ(challenges[0].params.at("service"), "registry.example.com");
  EXPECT_EQ(challenges[0].params.at("scope"),
            "repository:team/app:pull,push repository:team/lib:pull");
}

TEST(AuthChallenge, SeveralChallengesAndEscapes) {
  auto challenges = ParseAuthChallenges(
      R"(Basic realm="say \"hi\"", Bearer realm=https://a/token, error="insufficient_scope")");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].params.at("realm"), "say \"hi\"");
  EXPECT_EQ(challenges[1].scheme, "bearer");
  EXPECT_EQ(challenges[1].params.at("realm"), "https://a/token");
  EXPECT_EQ(challenges[1].params.at("error"), "insufficient_scope");
}

TEST(AuthChallenge, EmptyAndBareSchemes) {
  EXPECT_TRUE(ParseAuthChallenges("").empty());
  auto bare = ParseAuthChallenges("Basic");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].scheme, "basic");
  EXPECT_TRUE(bare[0].params.empty());
}

}  // namespace
}  // namespace hoist

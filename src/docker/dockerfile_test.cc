#include "docker/dockerfile.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

TEST(Dockerfile, StagesWithNamesPlatformsAndContinuations) {
  auto stages = ParseDockerfileStages(
      "# syntax comment\nARG REGISTRY=127.0.0.1:5000\nARG TAG\n"
      "FROM ${REGISTRY}/team/base:${TAG:-latest} AS build\nRUN make \\\n  all\n"
      "from --platform=$BUILDPLATFORM greeting as tools\n"
      "FROM \\\n  scratch\nCOPY --from=build /out /\n");
  ASSERT_TRUE(stages.ok()) << stages.error().message;
  ASSERT_EQ(stages->size(), 3u);
  EXPECT_EQ((*stages)[0].base, "127.0.0.1:5000/team/base:latest");
  EXPECT_EQ((*stages)[0].name, "build");
  EXPECT_EQ((*stages)[0].line, 4);
  EXPECT_EQ((*stages)[1].base, "greeting");
  EXPECT_EQ((*stages)[1].name, "tools");
  EXPECT_EQ((*stages)[2].base, "scratch");
  EXPECT_EQ((*stages)[2].name, "");
  EXPECT_EQ((*stages)[2].line, 8);
}

TEST(Dockerfile, MalformedFromNamesTheLine) {
  auto stages = ParseDockerfileStages("FROM a\nRUN x\nFROM b AS\n");
  ASSERT_FALSE(stages.ok());
  EXPECT_NE(stages.error().message.find("line 3"), std::string::npos);
}

TEST(Dockerfile, ImageBaseName) {
  EXPECT_EQ(ImageBaseName("greeting"), "greeting");
  EXPECT_EQ(ImageBaseName("aztecprotocol/bb.js:latest"), "bb.js");
  EXPECT_EQ(ImageBaseName("127.0.0.1:5000/team/app:cache-1"), "app");
  EXPECT_EQ(ImageBaseName("localhost:5000/app"), "app");
  EXPECT_EQ(ImageBaseName("app@sha256:abc"), "app");
}

}  // namespace
}  // namespace hoist

namespace hoist {
namespace {

TEST(Dockerfile, BuildArgsOverrideTheDefaultsOfArgsDeclaredBeforeFrom) {
  const std::string text = "ARG BASE=nothing\nARG TAG\nFROM ${BASE}:${TAG:-1}\nFROM $UNDECLARED\n";
  auto stages = ParseDockerfileStages(text, {{"BASE", "team/base"}, {"UNDECLARED", "x"}});
  ASSERT_TRUE(stages.ok()) << stages.error().message;
  EXPECT_EQ((*stages)[0].base, "team/base:1");
  EXPECT_EQ((*stages)[1].base, "");  // docker leaves an undeclared ARG empty in FROM
  auto defaults = ParseDockerfileStages(text);
  EXPECT_EQ((*defaults)[0].base, "nothing:1");
}

TEST(Dockerfile, NameCandidatesDropTheRegistryHostTagAndDigestThenLeadingComponents) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(ImageNameCandidates("127.0.0.1:5000/team/app:v1"), (Names{"team/app", "app"}));
  EXPECT_EQ(ImageNameCandidates("aztecprotocol/greeting:latest"),
            (Names{"aztecprotocol/greeting", "greeting"}));
  EXPECT_EQ(ImageNameCandidates("localhost/x@sha256:abc"), (Names{"x"}));
  EXPECT_EQ(ImageNameCandidates("greeting"), (Names{"greeting"}));
}

TEST(Dockerfile, PinningRewritesOnlyTheNamedFromsAndKeepsEveryLineNumber) {
  const std::string text =
      "# syntax comment\nFROM --platform=$BUILDPLATFORM \\\n  greeting:latest AS build\n"
      "RUN make\nFROM outside:1\nCOPY --from=build /a /a\n";
  auto stages = ParseDockerfileStages(text);
  ASSERT_TRUE(stages.ok());
  ASSERT_EQ(stages->size(), 2u);
  EXPECT_EQ((*stages)[0].line, 2);
  EXPECT_EQ((*stages)[0].end_line, 3);
  std::string pinned = PinFromLines(text, *stages, {{2, "hoist/greeting:cache-abc"}});
  EXPECT_EQ(pinned,
            "# syntax comment\nFROM --platform=$BUILDPLATFORM hoist/greeting:cache-abc AS build\n"
            "\nRUN make\nFROM outside:1\nCOPY --from=build /a /a\n");
}

}  // namespace
}  // namespace hoist

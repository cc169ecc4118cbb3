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

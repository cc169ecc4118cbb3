#include "docker/dockerfile.h"

#include <gtest/gtest.h>

#include <chrono>

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

namespace hoist {
namespace {

TEST(Dockerfile, CopySourcesAreTheContextPathsOfCopyAndAdd) {
  auto sources = ParseCopySources(
      "FROM x AS b\nCOPY a.txt dir/ /dest/\nCOPY --from=b /out /out\nadd --chown=1 \\\n  y /y\n"
      "ADD https://example.invalid/z /z\nCOPY [\"j s\", \"/k\"]\nCOPY <<EOF /f\nRUN true\n");
  std::vector<std::string> paths;
  for (const auto& source : sources)
    paths.push_back(source.path + "@" + std::to_string(source.line));
  EXPECT_EQ(paths, (std::vector<std::string>{"a.txt@2", "dir/@2", "y@4", "j s@7"}));
}

TEST(Dockerfile, ContextPatternsMatchAsDockerMatchesThem) {
  EXPECT_TRUE(MatchesContextPattern(".", "a/b.c"));
  EXPECT_TRUE(MatchesContextPattern("./src/", "src/x/y.c"));
  EXPECT_FALSE(MatchesContextPattern("src", "srcs/y.c"));
  // A class ending in a range to a lone backslash is unterminated: it matches nothing (this
  // read past the pattern's end: found by fuzz/dockerfile_fuzz.cc under AddressSanitizer).
  EXPECT_FALSE(MatchesContextPattern("[0-\\", "0"));
  EXPECT_FALSE(MatchesContextPattern("x[a-\\", "xa"));
  // Many stars against a long name that almost matches: bounded work, not backtracking
  // (this took minutes: found by fuzz/dockerfile_fuzz.cc as a timeout).
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(MatchesContextPattern("**a**a**a**a**a**a**a**a**a**a**a**a**b",
                                     std::string(60, 'a') + "/" + std::string(60, 'a')));
  EXPECT_FALSE(MatchesContextPattern("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(90, 'a')));
  EXPECT_TRUE(MatchesContextPattern("**a**a**b", "xa/ya/zb"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(MatchesContextPattern("*.json", "package.json"));
  EXPECT_FALSE(MatchesContextPattern("*.json", "sub/package.json"));
  EXPECT_TRUE(MatchesContextPattern("**/*.json", "sub/deep/package.json"));
  EXPECT_TRUE(MatchesContextPattern("node_modules", "node_modules/m/index.js"));
  EXPECT_TRUE(MatchesContextPattern("s?c/*", "src/a"));
  EXPECT_FALSE(MatchesContextPattern("s?c/*.c", "src/a/b.c"));
}

// Character classes, as Go's filepath.Match that docker uses: `secret[0-9].txt` in a
// .dockerignore left secret1.txt in the context.
TEST(Dockerfile, ContextPatternsHaveCharacterClasses) {
  EXPECT_TRUE(MatchesContextPattern("secret[0-9].txt", "secret1.txt"));
  EXPECT_FALSE(MatchesContextPattern("secret[0-9].txt", "secretx.txt"));
  EXPECT_TRUE(MatchesContextPattern("[^a-c]*", "dog"));
  EXPECT_FALSE(MatchesContextPattern("[^a-c]*", "cat"));
  EXPECT_TRUE(MatchesContextPattern("[ab]/x", "b/x"));
  EXPECT_TRUE(MatchesContextPattern("[\\]]", "]"));
  EXPECT_FALSE(MatchesContextPattern("a[/]b", "a/b"));  // never a separator
  EXPECT_FALSE(MatchesContextPattern("[abc", "a"));     // unterminated: nothing
}

// A UTF-8 byte order mark before the first FROM hid it from pinning and from the hash.
TEST(Dockerfile, AByteOrderMarkDoesNotHideTheFirstFrom) {
  auto stages = ParseDockerfileStages(
      "\xef\xbb\xbf"
      "FROM busybox:latest AS b\nRUN true\n");
  ASSERT_TRUE(stages.ok()) << stages.error().message;
  ASSERT_EQ(stages->size(), 1u);
  EXPECT_EQ((*stages)[0].base, "busybox:latest");
  EXPECT_EQ((*stages)[0].name, "b");
}

}  // namespace
}  // namespace hoist

namespace hoist {
namespace {

TEST(Dockerfile, DoubleStarSlashStandsForWholeComponents) {
  EXPECT_TRUE(MatchesContextPattern("**/node_modules", "node_modules/x.js"));
  EXPECT_TRUE(MatchesContextPattern("**/node_modules", "a/b/node_modules/x.js"));
  EXPECT_FALSE(MatchesContextPattern("**/node_modules", "my_node_modules/x.js"));
}

TEST(Dockerfile, CommentsAndBlankLinesInsideAContinuationAreDropped) {
  const std::string text =
      "FROM \\\n# which base\n\n  greeting AS b\nCOPY --from=greeting \\\n"
      "# a comment\n  /a /a\nRUN --mount=type=bind,from=greeting,target=/g true\n";
  auto stages = ParseDockerfileStages(text);
  ASSERT_TRUE(stages.ok()) << stages.error().message;
  ASSERT_EQ(stages->size(), 1u);
  EXPECT_EQ((*stages)[0].base, "greeting");
  EXPECT_EQ((*stages)[0].end_line, 4);
  auto pinned = PinFromFlags(text, [](const std::string& name) {
    return name == "greeting" ? std::string("hoist/greeting:cache-abc") : std::string();
  });
  EXPECT_NE(pinned.find("COPY --from=hoist/greeting:cache-abc \\\n"), std::string::npos) << pinned;
  EXPECT_NE(pinned.find("--mount=type=bind,from=hoist/greeting:cache-abc,target=/g"),
            std::string::npos)
      << pinned;
  EXPECT_NE(pinned.find("# which base\n"), std::string::npos);
}

}  // namespace
}  // namespace hoist

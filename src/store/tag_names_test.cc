#include "store/tag_names.h"

#include <gtest/gtest.h>

#include <set>

namespace hoist::tag {
namespace {

const std::string kHash(64, 'a');

TEST(TagNames, StagesArchitecturesJobsAndDeployTagsOfOneNameNeverCollide) {
  std::set<std::string> names;
  for (const std::string name : {"smoke", "amd64", "x86_64", "stage-x", "deployed", "tainted"}) {
    names.insert(StageImage(kHash, name));
    names.insert(TestPass(kHash, name));
    names.insert(Deployed(kHash, name));
    names.insert(DeployPointer(name));
    names.insert(BranchImage(name));
    names.insert(BranchStageImage(name, name));
  }
  names.insert(ArchImage(kHash, "amd64"));
  names.insert(ArchImage(kHash, "x86_64"));
  names.insert(Image(kHash));
  names.insert(kTaint);
  EXPECT_EQ(names.size(), 6u * 6u + 4u);
}

TEST(TagNames, EachTagReadsBackAsWhatItIs) {
  using Kind = Meaning::Kind;
  auto is = [](const std::string& tag, Kind kind, const std::string& name) {
    Meaning meaning = Classify(tag, kHash);
    EXPECT_EQ(meaning.kind, kind) << tag;
    EXPECT_EQ(meaning.name, name) << tag;
  };
  is(Image(kHash), Kind::kImage, "");
  is(ArchImage(kHash, "arm64"), Kind::kArchImage, "arm64");
  is(StageImage(kHash, "smoke"), Kind::kStageImage, "smoke");
  is(StageImage(kHash, "amd64"), Kind::kStageImage, "amd64");
  is(TestPass(kHash, "smoke"), Kind::kTestPass, "smoke");
  is(TestPass(kHash, "stage-x"), Kind::kTestPass, "stage-x");
  is(Deployed(kHash, "acme-dev"), Kind::kDeployed, "acme-dev");
  is(DeployPointer("acme-dev"), Kind::kDeployPointer, "acme-dev");
  is(kTaint, Kind::kTainted, "");
  // Another hash's tags, branch tags and foreign tags are nothing of this hash.
  is(TestPass(std::string(64, 'b'), "smoke"), Kind::kOther, "");
  is(StageImage(std::string(64, 'b'), "smoke"), Kind::kOther, "");
  is(BranchImage("main"), Kind::kOther, "");
  is("latest", Kind::kOther, "");
  is(Image(kHash) + "-smoke", Kind::kOther, "");
}

TEST(TagNames, BranchTagsAreValidTagsWhateverTheBranch) {
  EXPECT_EQ(BranchImage("feature/x+y").size(), 19u);
  EXPECT_NE(BranchImage("a-stage-b"), BranchImage("a"));
}

}  // namespace
}  // namespace hoist::tag

#include "stages/recorded_inputs.h"

#include <gtest/gtest.h>

namespace hoist {
namespace {

const std::string kHash(64, 'a');

HashInputs Sample() {
  HashInputs inputs;
  inputs.files = {"100644 0123456789abcdef0123456789abcdef01234567 lib/src/lib.c"};
  inputs.build_dir = "lib";
  inputs.dockerfile = "lib/Dockerfile 0123456789abcdef0123456789abcdef01234567";
  inputs.build_args = {"A=1"};
  inputs.bases = {"busybox:1 sha256:" + kHash};
  inputs.dependencies = {{"base", kHash}};
  return inputs;
}

TEST(RecordedInputs, WhatIsWrittenIsReadBack) {
  auto read = ReadRecordedInputs(RecordedInputsJson(Sample()));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->files, Sample().files);
  EXPECT_EQ(read->dockerfile, Sample().dockerfile);
  EXPECT_EQ(read->bases, Sample().bases);
  EXPECT_EQ(read->dependencies, Sample().dependencies);
}

// git paths are bytes: one that is not UTF-8 is kept (as U+FFFD), never an exception.
TEST(RecordedInputs, APathThatIsNotUtf8IsWrittenWithoutThrowing) {
  HashInputs inputs = Sample();
  inputs.files.push_back("100644 0123456789abcdef0123456789abcdef01234567 lib/caf\xe9.txt");
  std::string json;
  EXPECT_NO_THROW(json = RecordedInputsJson(inputs));
  auto read = ReadRecordedInputs(json);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->files.size(), 2u);
}

// Anyone with push rights can write a marker: what does not look like hoist's is not read.
TEST(RecordedInputs, WhatHoistDidNotWriteIsNotRead) {
  EXPECT_FALSE(ReadRecordedInputs("not json"));
  EXPECT_FALSE(ReadRecordedInputs("[]"));
  EXPECT_FALSE(ReadRecordedInputs(R"({"files": 3})"));
  EXPECT_FALSE(ReadRecordedInputs(R"({"files": [], "dependencies": {"lib": "../../x"}})"));
  EXPECT_FALSE(ReadRecordedInputs(R"({"files": ["no-mode"]})"));
  EXPECT_FALSE(ReadRecordedInputs(R"({"files": ["100644 0a a\u001b[31mred"]})"));
  EXPECT_FALSE(ReadRecordedInputs(R"({"files": [], "platform": "x\ny"})"));
  EXPECT_FALSE(ReadRecordedInputs(std::string(kMaxRecordedInputs + 1, ' ')));
  EXPECT_TRUE(ReadRecordedInputs(R"({"files": []})"));
}

}  // namespace
}  // namespace hoist

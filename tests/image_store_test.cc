// The same store tests for every backend: the local Docker engine and a real registry in
// each authentication set-up (plain HTTP; TLS + htpasswd; Bearer tokens).
#include <gtest/gtest.h>

#include <random>

#include "store/local_engine_store.h"
#include "store/registry_store.h"
#include "support/docker_engine.h"
#include "support/registry_fixture.h"

namespace hoist {
namespace {

using testing::RegistryAuth;
using testing::RegistryFixture;

enum class Backend { kLocalEngine, kPlainRegistry, kTlsBasicRegistry, kTokenRegistry };

std::string Name(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kLocalEngine:
      return "LocalEngine";
    case Backend::kPlainRegistry:
      return "PlainRegistry";
    case Backend::kTlsBasicRegistry:
      return "TlsBasicRegistry";
    case Backend::kTokenRegistry:
      return "TokenRegistry";
  }
  return "?";
}

class ImageStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    // Unique names, so runs against a long-lived engine never see each other's images.
    project_ = "store-test-" + std::to_string(std::random_device{}() % 1000000);
    if (GetParam() == Backend::kLocalEngine) {
      std::string why = testing::EnsureDockerEngine();
      ASSERT_EQ(why, "") << "the local-engine store needs a Docker engine";
      store_ = std::make_unique<LocalEngineStore>("hoist-test");
      return;
    }
    RegistryAuth auth = GetParam() == Backend::kPlainRegistry      ? RegistryAuth::kNone
                        : GetParam() == Backend::kTlsBasicRegistry ? RegistryAuth::kBasicTls
                                                                   : RegistryAuth::kToken;
    registry_ = std::make_unique<RegistryFixture>(auth);
    http_ = std::make_unique<HttpClient>(registry_->http_options());
    auto location = RegistryLocation::Parse(registry_->host() + "/team");
    ASSERT_TRUE(location.ok());
    store_ = std::make_unique<RegistryStore>(*location, registry_->Client(*http_));
  }
  void TearDown() override {
    if (GetParam() == Backend::kLocalEngine && store_) {
      auto tags = store_->Tags(project_);
      if (tags.ok()) {
        for (const auto& tag : *tags) (void)store_->Untag(project_, tag);
      }
    }
  }

  /// Puts an image `project_:tag` into the store by the backend's own means.
  void MakeImage(const std::string& tag, const std::string& content) {
    if (GetParam() == Backend::kLocalEngine) {
      testing::ImportTestImage(store_->Reference(project_, tag), content);
    } else {
      auto& registry = static_cast<RegistryStore&>(*store_);
      testing::PushTestImage(registry.client(), registry.location().Repository(project_), tag,
                             content);
    }
  }

  Presence Exists(const std::string& tag) {
    auto answer = store_->Exists(project_, tag);
    EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
    return answer.ok() ? *answer : Presence::kAbsent;
  }

  std::unique_ptr<RegistryFixture> registry_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ImageStore> store_;
  std::string project_;
};

TEST_P(ImageStoreTest, ExistsAnswersPresentAndAbsent) {
  EXPECT_EQ(Exists("cache-nothing"), Presence::kAbsent);  // not even the repository exists
  MakeImage("cache-abc", "one");
  EXPECT_EQ(Exists("cache-abc"), Presence::kPresent);
  EXPECT_EQ(Exists("cache-abd"), Presence::kAbsent);
}

TEST_P(ImageStoreTest, TagAndUntagKeepTheImage) {
  MakeImage("cache-abc", "one");
  ASSERT_TRUE(store_->Tag(project_, "cache-abc", "latest").ok());
  EXPECT_EQ(Exists("latest"), Presence::kPresent);
  ASSERT_TRUE(store_->Untag(project_, "latest").ok());
  EXPECT_EQ(Exists("latest"), Presence::kAbsent);
  EXPECT_EQ(Exists("cache-abc"), Presence::kPresent);  // the image stays
  EXPECT_TRUE(store_->Untag(project_, "never-was").ok());
  auto missing = store_->Tag(project_, "cache-missing", "x");
  EXPECT_FALSE(missing.ok());
}

TEST_P(ImageStoreTest, MarkersRoundTripAndNeverTouchImages) {
  MakeImage("cache-abc", "one");
  Marker marker;
  marker.kind = "test";
  marker.project = project_;
  marker.hash = "abc";
  marker.commit = "0123456789abcdef";
  marker.job = "unit";
  ASSERT_TRUE(store_->PutMarker(project_, "cache-abc-unit", marker).ok());
  auto read = store_->GetMarker(project_, "cache-abc-unit");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->kind, "test");
  EXPECT_EQ((*read)->job, "unit");
  EXPECT_EQ((*read)->hash, "abc");
  EXPECT_EQ((*read)->tag, "cache-abc-unit");
  EXPECT_FALSE((*read)->time.empty());

  auto tags = store_->Tags(project_);
  ASSERT_TRUE(tags.ok());
  EXPECT_NE(std::find(tags->begin(), tags->end(), "cache-abc-unit"), tags->end());

  ASSERT_TRUE(store_->DeleteMarker(project_, "cache-abc-unit").ok());
  auto gone = store_->GetMarker(project_, "cache-abc-unit");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(Exists("cache-abc"), Presence::kPresent);  // deleting a marker kept the image

  // An image tag is never read, overwritten or deleted as a marker.
  EXPECT_FALSE(store_->GetMarker(project_, "cache-abc").ok());
  EXPECT_FALSE(store_->PutMarker(project_, "cache-abc", marker).ok());
  EXPECT_FALSE(store_->DeleteMarker(project_, "cache-abc").ok());
  EXPECT_EQ(Exists("cache-abc"), Presence::kPresent);
}

TEST_P(ImageStoreTest, TaintedMarker) {
  Marker tainted;
  tainted.kind = "tainted";
  tainted.project = project_;
  ASSERT_TRUE(store_->PutMarker(project_, "tainted", tainted).ok());
  EXPECT_EQ(Exists("tainted"), Presence::kPresent);
  ASSERT_TRUE(store_->DeleteMarker(project_, "tainted").ok());
  EXPECT_EQ(Exists("tainted"), Presence::kAbsent);
  EXPECT_TRUE(store_->DeleteMarker(project_, "tainted").ok());  // nothing to delete is fine
}

INSTANTIATE_TEST_SUITE_P(Backends, ImageStoreTest,
                         ::testing::Values(Backend::kLocalEngine, Backend::kPlainRegistry,
                                           Backend::kTlsBasicRegistry, Backend::kTokenRegistry),
                         Name);

}  // namespace
}  // namespace hoist

#include "store/registry_store.h"

#include <gtest/gtest.h>

#include "oci/image_reference.h"

namespace hoist {
namespace {

TEST(RegistryLocation, ParsesHostPortAndPrefix) {
  auto plain = RegistryLocation::Parse("127.0.0.1:5000");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "127.0.0.1:5000");
  EXPECT_EQ(plain->Repository("app"), "app");
  auto prefixed = RegistryLocation::Parse("ghcr.io/acme/ci/");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->host, "ghcr.io");
  EXPECT_EQ(prefixed->Repository("app"), "acme/ci/app");
  auto scheme = RegistryLocation::Parse("http://localhost:5000/x");
  ASSERT_TRUE(scheme.ok());
  EXPECT_EQ(scheme->host, "http://localhost:5000");
  EXPECT_FALSE(RegistryLocation::Parse("").ok());
  EXPECT_FALSE(RegistryLocation::Parse("host/Upper").ok());
  EXPECT_FALSE(RegistryLocation::Parse("user@host").ok());
}

TEST(ImageReference, ParsesLikeDocker) {
  auto full = ImageReference::Parse("127.0.0.1:5000/team/app:v1");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->host, "127.0.0.1:5000");
  EXPECT_EQ(full->repository, "team/app");
  EXPECT_EQ(full->reference, "v1");
  auto bare = ImageReference::Parse("team/app");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "");
  EXPECT_EQ(bare->repository, "team/app");
  EXPECT_EQ(bare->reference, "latest");
  auto digest = ImageReference::Parse("localhost/app@sha256:abc");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->host, "localhost");
  EXPECT_EQ(digest->reference, "sha256:abc");
  EXPECT_FALSE(ImageReference::Parse("Bad/Name").ok());
}

TEST(LoopbackHost, Recognised) {
  EXPECT_TRUE(IsLoopbackHost("localhost:5000"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3:80"));
  EXPECT_TRUE(IsLoopbackHost("[::1]:5000"));
  EXPECT_FALSE(IsLoopbackHost("registry.example.com"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1:5000"));
  EXPECT_FALSE(IsLoopbackHost("127.example.com"));
}

}  // namespace
}  // namespace hoist

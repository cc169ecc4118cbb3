// Where the release tarball's libcurl finds CA certificates on distributions other than the
// one it was built on (the tarball is built on Debian 12 and runs on any glibc >= 2.36).
#include <gtest/gtest.h>

#include <set>

#include "net/http_client.h"

namespace hoist {
namespace {

auto Present(std::set<std::string> files) {
  return [files](const std::string& path) { return files.count(path) > 0; };
}

TEST(CaBundle, SslCertFileWins) {
  EXPECT_EQ(PickCaBundle("/my/ca.pem", "/etc/ssl/certs/ca-certificates.crt",
                         Present({"/etc/ssl/certs/ca-certificates.crt"})),
            "/my/ca.pem");
}

TEST(CaBundle, LibcurlsOwnDefaultIsLeftAloneWhereItExists) {
  EXPECT_EQ(PickCaBundle("", "/etc/ssl/certs/ca-certificates.crt",
                         Present({"/etc/ssl/certs/ca-certificates.crt"})),
            "");
}

// Before, a hoist built on Debian failed every TLS request on Fedora: no Debian bundle there.
TEST(CaBundle, AnotherDistributionsBundleIsFoundWhereLibcurlsIsMissing) {
  EXPECT_EQ(PickCaBundle("", "/etc/ssl/certs/ca-certificates.crt",
                         Present({"/etc/pki/tls/certs/ca-bundle.crt"})),
            "/etc/pki/tls/certs/ca-bundle.crt");
  EXPECT_EQ(PickCaBundle("", "/etc/ssl/certs/ca-certificates.crt", Present({"/etc/ssl/cert.pem"})),
            "/etc/ssl/cert.pem");
  EXPECT_EQ(PickCaBundle("", "/etc/ssl/certs/ca-certificates.crt", Present({})), "");
}

}  // namespace
}  // namespace hoist

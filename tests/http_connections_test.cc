// The connections one HttpClient keeps for reuse, counted by the fault proxy (issue 16: nothing
// done twice). Against a registry over TLS each new connection is a handshake.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "support/registry_fixture.h"

namespace hoist {
namespace {

using testing::FaultProxy;
using testing::RegistryFixture;

// As many threads as a build's decisions ask at once (16), five requests each. curl's share
// kept 5 connections by default: each request that ended with more open closed the oldest,
// and the 80 requests opened 75 connections.
TEST(HttpConnections, ManyThreadsReuseTheirConnections) {
  RegistryFixture registry;
  FaultProxy proxy(registry.host());
  HttpClient http;
  const int before = proxy.Connections();
  constexpr int kThreads = 16;
  constexpr int kEach = 5;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto response = http.Send({"GET", "http://" + proxy.host() + "/v2/", {}, "", "", ""});
        if (response && response->status == 200) ++answered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), kThreads * kEach);
  const int opened = proxy.Connections() - before - 1;  // less the count's own connection
  EXPECT_GT(opened, 0);                                 // the count counts
  EXPECT_LE(opened, kThreads) << opened << " connections for " << kThreads * kEach
                              << " requests from " << kThreads << " threads";
}

}  // namespace
}  // namespace hoist

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/expected.h"

namespace hoist {

/// One HTTP request. Bodies are held in memory or read from a file, so any request can be
/// sent again (retries, re-authentication).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string body_file;    ///< when set, the body is this file's content
  std::string output_file;  ///< when set, the response body is written here, not kept
};

/// One HTTP response; header names are lowercase.
struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;
  std::string body;

  /// The first value of header `name` (lowercase), or "".
  std::string Header(const std::string& name) const;
};

/// How a request failed before any HTTP status came back.
struct HttpFailure {
  /// kTls: the handshake failed (e.g. the server speaks plain HTTP); kTlsVerify: the server
  /// speaks TLS but its certificate is not trusted.
  /// kNoLibrary: libcurl cannot be loaded (nothing was sent; retrying cannot help).
  enum class Kind { kConnect, kTimeout, kTls, kTlsVerify, kNoLibrary, kOther };
  Kind kind = Kind::kOther;
  std::string message;
  bool unresolved = false;  ///< (kConnect) the host name did not resolve
};

/// Which CA bundle to give libcurl when no --registry-ca is set: `ssl_cert_file` (SSL_CERT_FILE)
/// when set; "" when libcurl's compiled-in bundle `curl_default` is `readable`; else the first
/// readable of the distributions' usual places ("" if none). A hoist built on Debian and run
/// from the release tarball on Fedora would otherwise look only for Debian's file.
std::string PickCaBundle(const std::string& ssl_cert_file, const std::string& curl_default,
                         const std::function<bool(const std::string&)>& readable);

/// Settings for every request of one client.
struct HttpOptions {
  bool http2 = false;   ///< HTTP/1.1 with keep-alive unless asked (see DESIGN "Field notes")
  std::string ca_file;  ///< extra CA bundle to trust ("" = the system's)
  long connect_timeout_ms = 10'000;
  long stall_timeout_s = 30;  ///< abort when under 1 byte/s for this long
  long total_timeout_s = 0;   ///< 0 = no limit on the whole transfer
  std::string unix_socket;    ///< connect through this Unix socket (the Docker Engine API)
};

/// The one way hoist speaks HTTP: libcurl easy handles pooled for reuse (keep-alive), sharing a
/// connection cache, DNS and TLS sessions; safe to use from several threads at once.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `request` without following redirects. An HttpFailure when no response came.
  Expected<HttpResponse> Send(const HttpRequest& request, HttpFailure* failure = nullptr);

  /// Number of requests sent so far (for benchmarks and tests).
  size_t requests_sent() const;

 private:
  struct Shared;
  void* Acquire();
  void Release(void* handle);

  HttpOptions options_;
  std::unique_ptr<Shared> shared_;
};

/// `reference` resolved against `base` (RFC 3986), e.g. a relative Location header.
std::string ResolveUrl(const std::string& base, const std::string& reference);
/// The "host[:port]" of a URL.
std::string UrlAuthority(const std::string& url);

}  // namespace hoist

#include "oci/distribution_client.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "oci/auth_challenge.h"
#include "util/base64.h"
#include "util/digest.h"
#include "util/json_fields.h"
#include "util/url.h"

namespace hoist {
namespace {

/// "12 s", for messages about waiting.
std::string Seconds(std::chrono::milliseconds duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

/// A URL as -v shows it: without query (signed storage URLs, upload state) or user info.
std::string Shown(const std::string& url) {
  std::string out = url.substr(0, url.find('?'));
  size_t scheme = out.find("://");
  size_t at = out.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  size_t slash = out.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos && at < slash) {
    out.erase(scheme + 3, at - scheme - 2);
  }
  return out;
}

constexpr int kMaxRedirects = 5;
constexpr auto kTokenMargin = std::chrono::seconds(5);
constexpr long kDefaultTokenLifetime = 60;  // seconds, when the issuer does not say
constexpr size_t kTagPageSize = 1000;       // ECR rejects more
constexpr int kMaxTagPages = 10000;

const std::string kManifestAccept = std::string(kDockerManifest) + ", " + kDockerManifestList +
                                    ", " + kOciManifest + ", " + kOciIndex;

std::string MediaTypeOf(const HttpResponse& response) {
  std::string type = response.Header("content-type");
  size_t semicolon = type.find(';');
  if (semicolon != std::string::npos) type = type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

bool IsRetryable(long status) {
  return status == 429 || (status >= 500 && status <= 599);
}

std::string WithQuery(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

/// The next page of a tag list: the link whose own parameters say rel="next".
std::string NextLink(const std::string& header) {
  size_t at = 0;
  while (true) {
    size_t open = header.find('<', at);
    if (open == std::string::npos) return "";
    size_t close = header.find('>', open);
    if (close == std::string::npos) return "";
    size_t end = header.find('<', close);
    std::string params = header.substr(close + 1, end == std::string::npos ? end : end - close - 1);
    if (params.find("rel=\"next\"") != std::string::npos ||
        params.find("rel=next") != std::string::npos) {
      return header.substr(open + 1, close - open - 1);
    }
    at = close;
  }
}

Expected<std::string> FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path};
  Digest digest;
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.Update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  return "sha256:" + digest.Finish();
}

/// A temporary file removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/hoist-blob-XXXXXX";
    int fd = mkstemp(path_.data());
    if (fd >= 0) close(fd);
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  std::string name = host;
  if (!name.empty() && name.front() == '[') {
    name = name.substr(1, name.find(']') - 1);
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    name = name.substr(0, name.find(':'));
  }
  const bool ipv4 = !name.empty() && name.find_first_not_of("0123456789.") == std::string::npos;
  return name == "localhost" || name == "::1" || (ipv4 && name.rfind("127.", 0) == 0);
}

DistributionClient::DistributionClient(std::string host, HttpClient& http,
                                       CredentialStore credentials, RegistryOptions options)
    : host_(std::move(host)),
      http_(http),
      credentials_(std::move(credentials)),
      options_(std::move(options)) {
  if (host_.rfind("http://", 0) == 0) {
    scheme_ = "http";
    host_ = host_.substr(7);
  } else if (host_.rfind("https://", 0) == 0) {
    scheme_ = "https";
    host_ = host_.substr(8);
  }
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
}

std::string DistributionClient::Url(const std::string& path) const {
  return scheme_ + "://" + host_ + path;
}

bool DistributionClient::SameOrigin(const std::string& url) {
  std::lock_guard<std::mutex> lock(mutex_);
  return url.rfind(scheme_ + "://", 0) == 0 && UrlAuthority(url) == host_;
}

Error DistributionClient::Failure(const Call& call, const std::string& what,
                                  const HttpResponse* response) const {
  std::string message = "registry " + host_;
  if (!call.repository.empty()) message += ", repository " + call.repository;
  if (!call.reference.empty()) message += ", reference " + call.reference;
  message += ": " + what;
  if (response) {
    message += ": HTTP " + std::to_string(response->status);
    auto json = nlohmann::json::parse(response->body, nullptr, false);
    if (json.is_object() && json.contains("errors") && json["errors"].is_array() &&
        !json["errors"].empty() && json["errors"][0].is_object()) {
      const auto& first = json["errors"][0];
      auto text = [&](const char* key) {
        return first.contains(key) && first[key].is_string() ? first[key].get<std::string>() : "";
      };
      message += " " + text("code") + " (" + text("message") + ")";
    }
    if (response->status >= 400 && response->status < 500 &&
        response->body.find("maximum allowed number of tags") != std::string::npos) {
      // Amazon ECR's cap on the tags of one image (1000), answered as DENIED: not a matter of
      // permissions, and no retry can pass it.
      message +=
          "; the registry caps how many tags one image may carry: remove the tags of this "
          "image that nothing needs any more (hoist image untag PROJECT TAG, or on Amazon ECR "
          "aws ecr batch-delete-image), then run again";
    } else if (response->status == 401) {
      message += "; log in with 'docker login " + host_ + "' or check the credentials for it";
    } else if (response->status == 403) {
      message += "; the credentials lack permission for this repository";
    }
  }
  return Error{message};
}

Status DistributionClient::EnsureScheme() {
  // One probe per client: a registry that cannot be reached is found so once per run and said
  // so to every request after it, not probed again per request and per thread (a no-op build
  // of 200 projects sent 15 probes, and 1,200 to a registry that was down).
  std::lock_guard<std::mutex> probing(probe_mutex_);
  if (probe_error_) return *probe_error_;
  auto probed = ProbeScheme();
  if (!probed) probe_error_ = probed.error();
  return probed;
}

Status DistributionClient::ProbeScheme() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!scheme_.empty() && (!realm_.empty() || !auth_scheme_.empty() || pinged_)) return Ok();
  }
  const bool plain_allowed =
      IsLoopbackHost(host_) ||
      std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(), host_) !=
          options_.insecure_hosts.end();
  if (!plain_allowed) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (scheme_ == "http") {
      // An http:// in a setting is not consent: credentials and images would cross the
      // network in clear text. Only loopback and --insecure-registry hosts speak plain HTTP.
      return Error{"registry " + host_ + ": refusing plain HTTP (http://) to a host that is " +
                   "not loopback: credentials and images would cross the network in clear " +
                   "text; use https://, or allow it with --insecure-registry " + host_};
    }
  }
  std::vector<std::string> schemes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!scheme_.empty()) {
      schemes = {scheme_};
    } else {
      schemes = {"https"};
      if (plain_allowed) schemes.push_back("http");
    }
  }
  std::string last_error;
  HttpFailure::Kind last_kind = HttpFailure::Kind::kOther;
  bool unresolved = false;  // by every scheme: no address, so no scheme can help
  for (const auto& scheme : schemes) {
    HttpRequest request;
    request.url = scheme + "://" + host_ + "/v2/";
    HttpResponse response;
    bool answered = false;
    for (int attempt = 1;; ++attempt) {
      HttpFailure failure;
      auto sent = http_.Send(request, &failure);
      if (options_.log) {
        options_.log("GET " + request.url + " -> " +
                     (sent ? std::to_string(sent->status) : failure.message));
      }
      if (sent && !IsRetryable(sent->status)) {
        response = std::move(*sent);
        answered = true;
        break;
      }
      if (!sent && failure.kind == HttpFailure::Kind::kNoLibrary) {
        return Error{"registry " + host_ + ": " + failure.message};
      }
      if (!sent && failure.kind == HttpFailure::Kind::kTlsVerify) {
        return Error{"registry " + host_ + ": its TLS certificate is not trusted (" +
                     failure.message +
                     "); trust its CA with --registry-ca FILE (or HOIST_REGISTRY_CA)"};
      }
      // Another scheme is worth trying at once when this one cannot even shake hands.
      if (!sent && (failure.kind == HttpFailure::Kind::kTls || scheme != schemes.back())) {
        last_error = failure.message;
        last_kind = failure.kind;
        unresolved = failure.unresolved;
        break;
      }
      if (attempt >= options_.retry.max_attempts) {
        last_error = sent ? "HTTP " + std::to_string(sent->status) : failure.message;
        last_kind = sent ? HttpFailure::Kind::kOther : failure.kind;
        unresolved = !sent && failure.unresolved;
        break;
      }
      const auto delay =
          options_.retry.Delay(attempt, sent ? ParseRetryAfter(sent->Header("retry-after"))
                                             : std::chrono::milliseconds(0));
      if (delay > options_.retry.max_total) {  // a Retry-After past every bound: not waited
        last_error = "HTTP " + std::to_string(sent ? sent->status : 0) +
                     ", and it asks to retry after " + Seconds(delay) +
                     ", longer than hoist waits (" + Seconds(options_.retry.max_total) + ")";
        last_kind = HttpFailure::Kind::kOther;
        unresolved = false;
        break;
      }
      std::this_thread::sleep_for(delay);
    }
    if (!answered) continue;
    if (response.status != 200 && response.status != 401) {
      return Failure({}, "the v2 API answered unexpectedly (is this a registry?)", &response);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    scheme_ = scheme;
    pinged_ = true;
    for (const auto& challenge : ParseAuthChallenges(response.Header("www-authenticate"))) {
      if (challenge.scheme == "bearer" && challenge.params.count("realm")) {
        auth_scheme_ = "bearer";
        realm_ = challenge.params.at("realm");
        service_ = challenge.params.count("service") ? challenge.params.at("service") : "";
        break;
      }
      if (challenge.scheme == "basic") auth_scheme_ = "basic";
    }
    return Ok();
  }
  std::string hint;
  if (unresolved) {
    hint = "; no address is known for " + host_.substr(0, host_.rfind(':')) +
           ": check the host name (and this machine's DNS)";
  } else if (last_kind == HttpFailure::Kind::kTls) {
    hint = plain_allowed ? "" : "; trust its CA with --registry-ca FILE (or HOIST_REGISTRY_CA)";
  } else if (!plain_allowed) {
    hint = "; if it serves plain HTTP, allow it with --insecure-registry " + host_;
  }
  return Error{"registry " + host_ + " cannot be reached: " + last_error + hint};
}

std::vector<std::string> DistributionClient::ScopesOf(const Call& call) const {
  std::vector<std::string> scopes;
  if (!call.repository.empty()) {
    scopes.push_back("repository:" + call.repository + (call.push ? ":pull,push" : ":pull"));
  }
  for (const auto& repository : call.extra_pull_scopes) {
    scopes.push_back("repository:" + repository + ":pull");
  }
  return scopes;
}

std::optional<std::string> DistributionClient::AuthorizationFor(
    const std::vector<std::string>& scopes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auth_scheme_ == "bearer") {
    auto now = std::chrono::steady_clock::now();
    for (const auto& token : tokens_) {
      if (token.expires <= now) continue;
      bool covers = std::all_of(scopes.begin(), scopes.end(), [&](const std::string& scope) {
        return token.scopes.count(scope) > 0 ||
               // a push scope also grants pull
               (scope.size() > 5 && scope.compare(scope.size() - 5, 5, ":pull") == 0 &&
                token.scopes.count(scope + ",push") > 0);
      });
      if (covers) return "Bearer " + token.value;
    }
  }
  return std::nullopt;
}

Expected<std::string> DistributionClient::FetchToken(const std::vector<std::string>& scopes) {
  std::string realm, service;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    realm = realm_;
    service = service_;
  }
  auto credentials = credentials_.Lookup(host_);
  if (!credentials) return credentials.error();
  // The token service gets the credentials: https, or plain HTTP only where the registry may
  // (the scheme read as curl reads it: in any case; none at all is http).
  const size_t separator = realm.find("://");
  std::string realm_scheme = separator == std::string::npos ? "http" : realm.substr(0, separator);
  std::transform(realm_scheme.begin(), realm_scheme.end(), realm_scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (*credentials && realm_scheme != "https") {
    std::string realm_host = UrlAuthority(realm);
    std::transform(realm_host.begin(), realm_host.end(), realm_host.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const auto& insecure = options_.insecure_hosts;
    if (realm_scheme != "http" ||
        (!IsLoopbackHost(realm_host) &&
         std::find(insecure.begin(), insecure.end(), realm_host) == insecure.end())) {
      return Error{"registry " + host_ + ": its token service " + realm +
                   " is not https on a loopback host: credentials would cross the network in " +
                   "clear text; allow plain HTTP there with --insecure-registry " + realm_host};
    }
  }
  HttpRequest request;
  std::string query;
  if (!service.empty()) query = "service=" + PercentEncode(service);
  for (const auto& scope : scopes) {
    query += (query.empty() ? "" : "&") + std::string("scope=") + PercentEncode(scope);
  }
  if (*credentials && !(*credentials)->identity_token.empty()) {
    // docker's OAuth2 refresh-token grant
    request.method = "POST";
    request.url = realm;
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = "grant_type=refresh_token&client_id=hoist&refresh_token=" +
                   PercentEncode((*credentials)->identity_token) + (query.empty() ? "" : "&") +
                   query;
  } else {
    request.url = query.empty() ? realm : WithQuery(realm, query);
    if (*credentials) {
      request.headers.push_back(
          {"Authorization",
           "Basic " + Base64Encode((*credentials)->username + ":" + (*credentials)->secret)});
    }
  }
  HttpFailure failure;
  auto response = http_.Send(request, &failure);
  if (options_.log) {
    options_.log(request.method + " " + Shown(realm) + " (token) -> " +
                 (response ? std::to_string(response->status) : failure.message));
  }
  if (!response) {
    return Error{"registry " + host_ + ": token service " + realm +
                 " cannot be reached: " + failure.message};
  }
  if (response->status != 200) {
    return Error{"registry " + host_ + ": token service " + realm + " refused: HTTP " +
                 std::to_string(response->status) +
                 (response->status == 401 ? "; log in with 'docker login " + host_ + "'" : "")};
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  std::string token;
  long lifetime = kDefaultTokenLifetime;
  if (json.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (token.empty() && json.contains(key) && json[key].is_string()) {
        token = json[key].get<std::string>();
      }
    }
    if (json.contains("expires_in") && json["expires_in"].is_number()) {
      lifetime = json["expires_in"].get<long>();
    }
  }
  if (token.empty()) {
    return Error{"registry " + host_ + ": token service " + realm + " returned no token"};
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  tokens_.erase(std::remove_if(tokens_.begin(), tokens_.end(),
                               [&](const Token& t) { return t.expires <= now; }),
                tokens_.end());
  // Renew a little before expiry, but never treat a short-lived token as expired at once.
  auto usable = std::max<std::chrono::steady_clock::duration>(
      std::chrono::seconds(lifetime) - kTokenMargin, std::chrono::seconds(lifetime) / 2);
  tokens_.push_back({std::set<std::string>(scopes.begin(), scopes.end()), token, now + usable});
  return token;
}

Status DistributionClient::Authenticate(const HttpResponse& unauthorized,
                                        const std::vector<std::string>& scopes) {
  for (const auto& challenge : ParseAuthChallenges(unauthorized.Header("www-authenticate"))) {
    if (challenge.scheme == "bearer" && challenge.params.count("realm")) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auth_scheme_ = "bearer";
        realm_ = challenge.params.at("realm");
        if (challenge.params.count("service")) service_ = challenge.params.at("service");
      }
      // The challenge names the scope the registry wants; ask for it and ours.
      std::vector<std::string> wanted = scopes;
      if (challenge.params.count("scope")) {
        std::istringstream words(challenge.params.at("scope"));
        for (std::string scope; words >> scope;) {
          if (std::find(wanted.begin(), wanted.end(), scope) == wanted.end()) {
            wanted.push_back(scope);
          }
        }
      }
      auto token = FetchToken(wanted);
      if (!token) return token.error();
      return Ok();
    }
    if (challenge.scheme == "basic") {
      std::lock_guard<std::mutex> lock(mutex_);
      auth_scheme_ = "basic";
      return Ok();
    }
  }
  return Error{"registry " + host_ + " asks for authentication it does not describe"};
}

Expected<HttpResponse> DistributionClient::SendWithRetries(HttpRequest& request, const Call& call) {
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    HttpFailure failure;
    auto response = http_.Send(request, &failure);
    if (options_.log) {
      options_.log(request.method + " " + Shown(request.url) + " -> " +
                   (response ? std::to_string(response->status) : failure.message));
    }
    bool retry = !response ? (failure.kind == HttpFailure::Kind::kConnect ||
                              failure.kind == HttpFailure::Kind::kTimeout)
                           : IsRetryable(response->status);
    if (!retry) {
      if (!response) return Failure(call, request.method + " failed: " + failure.message, nullptr);
      return response;
    }
    auto delay =
        options_.retry.Delay(attempt, response ? ParseRetryAfter(response->Header("retry-after"))
                                               : std::chrono::milliseconds(0));
    auto elapsed = std::chrono::steady_clock::now() - start;
    if (attempt >= options_.retry.max_attempts || elapsed + delay > options_.retry.max_total) {
      std::string why =
          "gave up after " + std::to_string(attempt) + " attempt" + (attempt == 1 ? "" : "s");
      if (elapsed + delay > options_.retry.max_total) {
        why += " (the next wait, " + Seconds(delay) + ", would pass the " +
               Seconds(options_.retry.max_total) + " hoist waits)";
      }
      if (!response) return Failure(call, why + ": " + failure.message, nullptr);
      return response;  // the caller reports the status and error code
    }
    std::this_thread::sleep_for(delay);
  }
}

Expected<HttpResponse> DistributionClient::Execute(HttpRequest request, const Call& call) {
  auto ready = EnsureScheme();
  if (!ready) return ready.error();
  if (request.url.rfind("http", 0) != 0) request.url = Url(request.url);
  const auto scopes = ScopesOf(call);

  auto authorize = [&](HttpRequest& r) -> Status {
    std::string scheme;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      scheme = auth_scheme_;
    }
    r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                   [](const auto& h) { return h.first == "Authorization"; }),
                    r.headers.end());
    // Credentials go only to the registry itself (same scheme and authority), never to a
    // host a Location or Link header names.
    if (!SameOrigin(r.url)) return Ok();
    if (scheme == "basic") {
      auto credentials = credentials_.Lookup(host_);
      if (!credentials) return credentials.error();
      if (*credentials) {
        r.headers.push_back(
            {"Authorization",
             "Basic " + Base64Encode((*credentials)->username + ":" + (*credentials)->secret)});
      }
    } else if (scheme == "bearer" && !scopes.empty()) {
      auto header = AuthorizationFor(scopes);
      if (!header) {
        auto token = FetchToken(scopes);
        if (!token) return token.error();
        header = "Bearer " + *token;
      }
      r.headers.push_back({"Authorization", *header});
    }
    return Ok();
  };

  auto status = authorize(request);
  if (!status) return status.error();
  auto response = SendWithRetries(request, call);
  if (!response) return response;
  if (response->status == 401) {
    // One re-authentication: a token may have expired or lack this scope.
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tokens_.clear();
    }
    auto authenticated = Authenticate(*response, scopes);
    if (!authenticated) return authenticated.error();
    status = authorize(request);
    if (!status) return status.error();
    response = SendWithRetries(request, call);
    if (!response) return response;
  }
  // Follow redirects (blob downloads go to storage); credentials never leave the registry.
  for (int hops = 0; hops < kMaxRedirects && response->status >= 301 && response->status <= 308 &&
                     response->status != 304 && !response->Header("location").empty();
       ++hops) {
    std::string next = ResolveUrl(request.url, response->Header("location"));
    if (next.rfind("http://", 0) != 0 && next.rfind("https://", 0) != 0) {
      return Failure(call, "the registry redirected to a URL that is not HTTP(S)", nullptr);
    }
    if (!SameOrigin(next)) {
      request.headers.erase(
          std::remove_if(request.headers.begin(), request.headers.end(),
                         [](const auto& h) { return h.first == "Authorization"; }),
          request.headers.end());
    }
    request.url = next;
    response = SendWithRetries(request, call);
    if (!response) return response;
  }
  return response;
}

Status DistributionClient::Ping() {
  return EnsureScheme();
}

Status DistributionClient::Authorize(const std::vector<std::string>& repositories, bool push) {
  auto ready = EnsureScheme();
  if (!ready) return ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auth_scheme_ != "bearer") return Ok();
  }
  // A token per 25 repositories: the scopes go into the token request's URL (and the token
  // into every request's header), which proxies in front of registries limit to a few KB.
  constexpr size_t kScopesPerToken = 25;
  for (size_t first = 0; first < repositories.size(); first += kScopesPerToken) {
    std::vector<std::string> scopes;
    for (size_t i = first; i < std::min(repositories.size(), first + kScopesPerToken); ++i) {
      scopes.push_back("repository:" + repositories[i] + (push ? ":pull,push" : ":pull"));
    }
    if (AuthorizationFor(scopes)) continue;
    auto token = FetchToken(scopes);
    if (!token) return token.error();
  }
  return Ok();
}

Expected<std::optional<std::string>> DistributionClient::HeadManifest(
    const std::string& repository, const std::string& reference) {
  Call call{repository, reference};
  HttpRequest request;
  request.method = "HEAD";
  request.url = "/v2/" + repository + "/manifests/" + reference;
  request.headers.push_back({"Accept", kManifestAccept});
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 404) return std::optional<std::string>();
  if (response->status != 200) {
    // A HEAD answer has no body; for a client error, one GET tells the registry's error code.
    if (IsRetryable(response->status)) {
      return Failure(call, "cannot tell whether the manifest exists", &*response);
    }
    request.method = "GET";
    auto detailed = Execute(request, call);
    const HttpResponse& shown =
        detailed && detailed->status == response->status ? *detailed : *response;
    return Failure(call, "cannot tell whether the manifest exists", &shown);
  }
  std::string digest = response->Header("docker-content-digest");
  if (digest.empty()) {
    auto manifest = GetManifest(repository, reference);
    if (!manifest) return manifest.error();
    digest = manifest->digest;
  }
  return std::optional<std::string>(digest);
}

Expected<ManifestBlob> DistributionClient::GetManifest(const std::string& repository,
                                                       const std::string& reference) {
  auto found = FindManifest(repository, reference, /*absent_is_error=*/true);
  if (!found) return found.error();
  return std::move(**found);
}

Expected<std::optional<ManifestBlob>> DistributionClient::FindManifest(
    const std::string& repository, const std::string& reference) {
  return FindManifest(repository, reference, /*absent_is_error=*/false);
}

Expected<std::optional<ManifestBlob>> DistributionClient::FindManifest(
    const std::string& repository, const std::string& reference, bool absent_is_error) {
  Call call{repository, reference};
  HttpRequest request;
  request.url = "/v2/" + repository + "/manifests/" + reference;
  request.headers.push_back({"Accept", kManifestAccept});
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 404 && !absent_is_error) return std::optional<ManifestBlob>();
  if (response->status != 200) return Failure(call, "cannot get the manifest", &*response);
  ManifestBlob manifest{MediaTypeOf(*response), std::move(response->body), ""};
  manifest.digest = Sha256Digest(manifest.bytes);
  if (manifest.media_type.empty() || manifest.media_type == "application/json") {
    auto json = nlohmann::json::parse(manifest.bytes, nullptr, false);
    if (json.is_object()) manifest.media_type = JsonString(json, "mediaType", kOciManifest);
  }
  if (reference.rfind("sha256:", 0) == 0 && manifest.digest != reference) {
    return Failure(call,
                   "the manifest's content does not match its digest (" + manifest.digest + ")",
                   nullptr);
  }
  return std::optional<ManifestBlob>(std::move(manifest));
}

Expected<std::string> DistributionClient::PutManifest(const std::string& repository,
                                                      const std::string& reference,
                                                      const std::string& media_type,
                                                      const std::string& bytes) {
  Call call{repository, reference, /*push=*/true};
  HttpRequest request;
  request.method = "PUT";
  request.url = "/v2/" + repository + "/manifests/" + reference;
  request.headers.push_back({"Content-Type", media_type});
  request.body = bytes;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status != 201 && response->status != 200) {
    return Failure(call, "cannot put the manifest", &*response);
  }
  return Sha256Digest(bytes);
}

Status DistributionClient::DeleteManifest(const std::string& repository,
                                          const std::string& digest) {
  Call call{repository, digest, /*push=*/true};
  HttpRequest request;
  request.method = "DELETE";
  request.url = "/v2/" + repository + "/manifests/" + digest;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 202 || response->status == 200 || response->status == 404) return Ok();
  auto error = Failure(call, "cannot delete the manifest", &*response);
  if (response->status == 405) {
    error.message +=
        "; the registry does not allow deletes (Distribution: storage: delete: "
        "enabled: true)";
  }
  return error;
}

Status DistributionClient::DeleteTag(const std::string& repository, const std::string& tag) {
  Call call{repository, tag, /*push=*/true};
  HttpRequest request;
  request.method = "DELETE";
  request.url = "/v2/" + repository + "/manifests/" + tag;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 202 || response->status == 200) return Ok();
  if (response->status != 400 && response->status != 405 && response->status != 404) {
    return Failure(call, "cannot delete the tag", &*response);
  }
  // Tag DELETE refused (Distribution 2.8, GHCR, Harbor): point the tag at a throwaway manifest
  // of its own and delete that by digest, so the image the tag named stays untouched.
  auto current = HeadManifest(repository, tag);
  if (!current) return current.error();
  if (!*current) return Ok();  // no such tag: nothing to do
  const std::string empty_config = "{}";
  const std::string config_digest = Sha256Digest(empty_config);
  auto has = HasBlob(repository, config_digest);
  if (!has) return has.error();
  if (!*has) {
    auto put = PutBlob(repository, config_digest, empty_config);
    if (!put) return put;
  }
  std::string nonce = std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) +
                      "-" + std::to_string(getpid());
  std::string layer = "{\"untag\":\"" + tag + "\",\"nonce\":\"" + nonce + "\"}";
  std::string layer_digest = Sha256Digest(layer);
  auto put_layer = PutBlob(repository, layer_digest, layer);
  if (!put_layer) return put_layer;
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", kOciManifest},
                             {"artifactType", "application/vnd.hoist.untag.v1+json"},
                             {"config",
                              {{"mediaType", "application/vnd.oci.empty.v1+json"},
                               {"digest", config_digest},
                               {"size", 2}}},
                             {"layers",
                              {{{"mediaType", "application/vnd.hoist.untag.v1+json"},
                                {"digest", layer_digest},
                                {"size", layer.size()}}}}};
  // First under a tag of its own: a registry that refuses deletes must not be left with the
  // user's tag pointing at the throwaway.
  auto probe = PutManifest(repository, "hoist-untag-" + nonce, kOciManifest, manifest.dump());
  if (!probe) return probe.error();
  auto deletable = DeleteManifest(repository, *probe);
  if (!deletable) return deletable;
  auto digest = PutManifest(repository, tag, kOciManifest, manifest.dump());
  if (!digest) return digest.error();
  return DeleteManifest(repository, *digest);
}

Expected<std::vector<std::string>> DistributionClient::ListTags(const std::string& repository) {
  Call call{repository, ""};
  std::vector<std::string> tags;
  std::string url = "/v2/" + repository + "/tags/list?n=" + std::to_string(kTagPageSize);
  std::set<std::string> seen;
  for (int page = 0; !url.empty(); ++page) {
    if (!seen.insert(url).second) return Failure(call, "the tag list's pages loop", nullptr);
    HttpRequest request;
    request.url = url;
    auto response = Execute(request, call);
    if (!response) return response.error();
    if (response->status == 404) return tags;  // no such repository: no tags
    if (response->status != 200) return Failure(call, "cannot list tags", &*response);
    auto json = nlohmann::json::parse(response->body, nullptr, false);
    if (!json.is_object()) return Failure(call, "the tag list is not JSON", nullptr);
    if (json.contains("tags") && json["tags"].is_array()) {
      for (const auto& tag : json["tags"]) {
        if (tag.is_string()) tags.push_back(tag.get<std::string>());
      }
    }
    std::string next = NextLink(response->Header("link"));
    url =
        next.empty()
            ? ""
            : ResolveUrl(request.url.rfind("http", 0) == 0 ? request.url : Url(request.url), next);
    if (page > kMaxTagPages) return Failure(call, "the tag list does not end", nullptr);
  }
  return tags;
}

Expected<bool> DistributionClient::HasBlob(const std::string& repository,
                                           const std::string& digest) {
  Call call{repository, digest};
  HttpRequest request;
  request.method = "HEAD";
  request.url = "/v2/" + repository + "/blobs/" + digest;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 200) return true;
  if (response->status == 404) return false;
  return Failure(call, "cannot tell whether the blob exists", &*response);
}

Expected<std::string> DistributionClient::GetBlob(const std::string& repository,
                                                  const std::string& digest) {
  Call call{repository, digest};
  HttpRequest request;
  request.url = "/v2/" + repository + "/blobs/" + digest;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status != 200) return Failure(call, "cannot get the blob", &*response);
  if (Sha256Digest(response->body) != digest) {
    return Failure(call, "the blob's content does not match its digest", nullptr);
  }
  return std::move(response->body);
}

Status DistributionClient::DownloadBlob(const std::string& repository, const std::string& digest,
                                        const std::string& path) {
  Call call{repository, digest};
  HttpRequest request;
  request.url = "/v2/" + repository + "/blobs/" + digest;
  request.output_file = path;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status != 200) return Failure(call, "cannot get the blob", &*response);
  auto actual = FileDigest(path);
  if (!actual) return actual.error();
  if (*actual != digest) {
    return Failure(call, "the blob's content does not match its digest", nullptr);
  }
  return Ok();
}

Status DistributionClient::FinishUpload(const std::string& repository, const std::string& location,
                                        const std::string& digest, const std::string& data,
                                        const std::string& path) {
  Call call{repository, digest, /*push=*/true};
  if (path.empty() && options_.chunk_size > 0 && data.size() > options_.chunk_size) {
    return UploadChunked(repository, location, digest, data, call);
  }
  HttpRequest request;
  request.method = "PUT";
  request.url = WithQuery(location, "digest=" + PercentEncode(digest));
  request.headers.push_back({"Content-Type", "application/octet-stream"});
  request.body = data;
  request.body_file = path;
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status != 201) return Failure(call, "cannot upload the blob", &*response);
  return Ok();
}

Status DistributionClient::UploadChunked(const std::string& repository, const std::string& location,
                                         const std::string& digest, const std::string& data,
                                         const Call& call) {
  std::string url = location;
  for (size_t offset = 0; offset < data.size(); offset += options_.chunk_size) {
    size_t size = std::min(options_.chunk_size, data.size() - offset);
    HttpRequest request;
    request.method = "PATCH";
    request.url = url;
    request.headers.push_back({"Content-Type", "application/octet-stream"});
    request.headers.push_back(
        {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + size - 1)});
    request.body = data.substr(offset, size);
    auto response = Execute(request, call);
    if (!response) return response.error();
    if (response->status != 202) return Failure(call, "cannot upload a chunk", &*response);
    std::string next = response->Header("location");
    if (next.empty()) return Failure(call, "the registry gave no upload location", nullptr);
    url = ResolveUrl(request.url.rfind("http", 0) == 0 ? request.url : Url(request.url), next);
  }
  HttpRequest close;
  close.method = "PUT";
  close.url = WithQuery(url, "digest=" + PercentEncode(digest));
  close.headers.push_back({"Content-Type", "application/octet-stream"});
  auto response = Execute(close, call);
  if (!response) return response.error();
  if (response->status != 201) return Failure(call, "cannot finish the upload", &*response);
  (void)repository;
  return Ok();
}

Status DistributionClient::PutBlob(const std::string& repository, const std::string& digest,
                                   const std::string& data, const std::string& path) {
  Call call{repository, digest, /*push=*/true};
  HttpRequest request;
  request.method = "POST";
  request.url = "/v2/" + repository + "/blobs/uploads/";
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status != 202) return Failure(call, "cannot start a blob upload", &*response);
  std::string location = response->Header("location");
  if (location.empty()) return Failure(call, "the registry gave no upload location", nullptr);
  return FinishUpload(repository, ResolveUrl(Url(request.url), location), digest, data, path);
}

Expected<std::optional<std::string>> DistributionClient::MountBlob(
    const std::string& repository, const std::string& digest, const std::string& from_repository) {
  Call call{repository, digest, /*push=*/true, {from_repository}};
  HttpRequest request;
  request.method = "POST";
  request.url = "/v2/" + repository + "/blobs/uploads/?mount=" + PercentEncode(digest) +
                "&from=" + PercentEncode(from_repository);
  auto response = Execute(request, call);
  if (!response) return response.error();
  if (response->status == 201) return std::optional<std::string>();
  if (response->status == 202 && !response->Header("location").empty()) {
    return std::optional<std::string>(
        ResolveUrl(Url("/v2/" + repository + "/blobs/uploads/"), response->Header("location")));
  }
  return Failure(call, "cannot mount the blob from " + from_repository, &*response);
}

Status DistributionClient::Retag(const std::string& repository, const std::string& from,
                                 const std::string& to) {
  auto manifest = GetManifest(repository, from);
  if (!manifest) return manifest.error();
  auto digest = PutManifest(repository, to, manifest->media_type, manifest->bytes);
  if (!digest) return digest.error();
  return Ok();
}

namespace {

Status CopyBlob(DistributionClient& source, const std::string& source_repository,
                DistributionClient& target, const std::string& target_repository,
                const std::string& digest) {
  auto present = target.HasBlob(target_repository, digest);
  if (!present) return present.error();
  if (*present) return Ok();
  std::optional<std::string> location;
  if (&source == &target || source.host() == target.host()) {
    auto mounted = target.MountBlob(target_repository, digest, source_repository);
    if (!mounted) return mounted.error();
    if (!*mounted) return Ok();
    location = *mounted;
  }
  TempFile file;
  auto downloaded = source.DownloadBlob(source_repository, digest, file.path());
  if (!downloaded) return downloaded;
  if (location) return target.FinishUpload(target_repository, *location, digest, "", file.path());
  return target.PutBlob(target_repository, digest, "", file.path());
}

Status CopyManifest(DistributionClient& source, const std::string& source_repository,
                    const std::string& reference, DistributionClient& target,
                    const std::string& target_repository, const std::string& target_reference,
                    int depth) {
  auto manifest = source.GetManifest(source_repository, reference);
  if (!manifest) return manifest.error();
  auto json = nlohmann::json::parse(manifest->bytes, nullptr, false);
  if (!json.is_object()) {
    return Error{"registry " + source.host() + ", repository " + source_repository +
                 ", reference " + reference + ": the manifest is not JSON"};
  }
  if (json.contains("manifests") && json["manifests"].is_array()) {
    if (depth > 2) return Error{"image index nested too deeply at " + reference};
    for (const auto& child : json["manifests"]) {
      std::string digest = JsonString(child, "digest");
      auto copied = CopyManifest(source, source_repository, digest, target, target_repository,
                                 digest, depth + 1);
      if (!copied) return copied;
    }
  } else {
    std::vector<std::string> blobs;
    if (json.contains("config")) blobs.push_back(JsonString(json["config"], "digest"));
    if (json.contains("layers") && json["layers"].is_array()) {
      for (const auto& layer : json["layers"]) {
        if (layer.contains("urls")) continue;  // foreign layers live elsewhere
        blobs.push_back(JsonString(layer, "digest"));
      }
    }
    for (const auto& digest : blobs) {
      if (digest.empty()) continue;
      auto copied = CopyBlob(source, source_repository, target, target_repository, digest);
      if (!copied) return copied;
    }
  }
  auto put = target.PutManifest(target_repository, target_reference, manifest->media_type,
                                manifest->bytes);
  if (!put) return put.error();
  return Ok();
}

}  // namespace

Status CopyImage(DistributionClient& source, const std::string& source_repository,
                 const std::string& reference, DistributionClient& target,
                 const std::string& target_repository, const std::string& target_tag) {
  return CopyManifest(source, source_repository, reference, target, target_repository, target_tag,
                      0);
}

}  // namespace hoist

#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "net/retry_policy.h"
#include "oci/credentials.h"
#include "util/digest.h"
#include "util/expected.h"

namespace hoist {

/// Manifest media types hoist reads and writes.
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

/// A manifest as stored: its bytes, their media type and digest (computed here).
struct ManifestBlob {
  std::string media_type;
  std::string bytes;
  std::string digest;
};

/// Settings of a registry connection.
struct RegistryOptions {
  std::vector<std::string> insecure_hosts;  ///< plain HTTP allowed (loopback always is)
  RetryPolicy retry;
  size_t chunk_size = 0;  ///< upload blobs larger than this in chunks (0 = always monolithic)
  /// Receives one line per request (method, URL, status) for -v; never headers or bodies.
  std::function<void(const std::string&)> log;
};

/// A client of one registry's OCI Distribution API (v2): manifests, tags, blobs, with the
/// docker CLI's authentication (Basic, Bearer tokens) and retries of transient failures.
/// Every error names the registry, repository, reference, HTTP status and error code.
class DistributionClient {
 public:
  DistributionClient(std::string host, HttpClient& http, CredentialStore credentials,
                     RegistryOptions options);

  const std::string& host() const { return host_; }

  /// Checks the registry answers the v2 API (and learns how it wants to be authenticated).
  Status Ping();
  /// Fetches one token for pulling from all of `repositories` at once where the registry uses
  /// Bearer tokens (so later requests need no round trip of their own).
  Status Authorize(const std::vector<std::string>& repositories, bool push);

  /// The digest of manifest `reference`, or nullopt when the registry says it does not exist.
  Expected<std::optional<std::string>> HeadManifest(const std::string& repository,
                                                    const std::string& reference);
  Expected<ManifestBlob> GetManifest(const std::string& repository, const std::string& reference);
  /// The manifest `reference`, or nullopt when the registry says it does not exist: one GET
  /// where HeadManifest then GetManifest take two.
  Expected<std::optional<ManifestBlob>> FindManifest(const std::string& repository,
                                                     const std::string& reference);
  /// Stores a manifest under `reference` (a tag or its digest); returns the digest.
  Expected<std::string> PutManifest(const std::string& repository, const std::string& reference,
                                    const std::string& media_type, const std::string& bytes);
  Status DeleteManifest(const std::string& repository, const std::string& digest);
  /// Removes tag `tag` only: the spec's tag DELETE, or (where refused) a throwaway manifest
  /// pushed to the tag and deleted by digest. The image it named stays.
  Status DeleteTag(const std::string& repository, const std::string& tag);
  /// Every tag of `repository`, following Link pagination; empty when the repository is unknown.
  Expected<std::vector<std::string>> ListTags(const std::string& repository);

  Expected<bool> HasBlob(const std::string& repository, const std::string& digest);
  Expected<std::string> GetBlob(const std::string& repository, const std::string& digest);
  /// Downloads a blob into `path`, checking its digest.
  Status DownloadBlob(const std::string& repository, const std::string& digest,
                      const std::string& path);
  /// Uploads a blob held in memory (or, with `path`, in a file).
  Status PutBlob(const std::string& repository, const std::string& digest, const std::string& data,
                 const std::string& path = "");
  /// Mounts a blob from another repository of this registry. nullopt when mounted; otherwise
  /// the registry started an upload instead, and this is its location (see FinishUpload).
  Expected<std::optional<std::string>> MountBlob(const std::string& repository,
                                                 const std::string& digest,
                                                 const std::string& from_repository);
  /// Completes an upload session at `location` with the blob's content (in memory or `path`).
  Status FinishUpload(const std::string& repository, const std::string& location,
                      const std::string& digest, const std::string& data,
                      const std::string& path = "");

  /// Points tag `to` at the manifest `from` names (one GET, one PUT; no layer moves).
  Status Retag(const std::string& repository, const std::string& from, const std::string& to);

  size_t requests_sent() const { return http_.requests_sent(); }

 private:
  struct Call {
    Call() = default;
    Call(std::string repo, std::string ref, bool push_access = false,
         std::vector<std::string> extra = {})
        : repository(std::move(repo)),
          reference(std::move(ref)),
          push(push_access),
          extra_pull_scopes(std::move(extra)) {}
    std::string repository;  ///< for scopes and messages ("" for /v2/)
    std::string reference;   ///< for messages
    bool push = false;
    std::vector<std::string> extra_pull_scopes;  ///< e.g. the source of a mount
  };
  struct Token {
    std::set<std::string> scopes;
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };

  Expected<HttpResponse> Execute(HttpRequest request, const Call& call);
  Expected<HttpResponse> SendWithRetries(HttpRequest& request, const Call& call);
  Status EnsureScheme();
  Status ProbeScheme();
  Status Authenticate(const HttpResponse& unauthorized, const std::vector<std::string>& scopes);
  Expected<std::string> FetchToken(const std::vector<std::string>& scopes);
  std::optional<std::string> AuthorizationFor(const std::vector<std::string>& scopes);
  std::vector<std::string> ScopesOf(const Call& call) const;
  std::string Url(const std::string& path) const;
  /// True when `url` is on this registry's own scheme and authority.
  bool SameOrigin(const std::string& url);
  Error Failure(const Call& call, const std::string& what, const HttpResponse* response) const;
  Expected<std::optional<ManifestBlob>> FindManifest(const std::string& repository,
                                                     const std::string& reference,
                                                     bool absent_is_error);
  Status UploadChunked(const std::string& repository, const std::string& location,
                       const std::string& digest, const std::string& data, const Call& call);

  std::string host_;
  HttpClient& http_;
  CredentialStore credentials_;
  RegistryOptions options_;

  /// Held while the scheme is probed: the requests of many threads wait for the first one's
  /// answer instead of each sending its own.
  std::mutex probe_mutex_;
  std::optional<Error> probe_error_;  ///< a probe that failed (guarded by probe_mutex_)

  std::mutex mutex_;  // guards what follows
  std::string scheme_;
  bool pinged_ = false;
  std::string auth_scheme_;  ///< "basic", "bearer" or "" (none needed)
  std::string realm_, service_;
  std::vector<Token> tokens_;
};

/// Copies an image (an index with every image in it, or one image) from one registry and
/// repository to another, moving only the blobs the target lacks (mounted within a registry).
Status CopyImage(DistributionClient& source, const std::string& source_repository,
                 const std::string& reference, DistributionClient& target,
                 const std::string& target_repository, const std::string& target_tag);

/// True for loopback hosts ("localhost", "127.x.x.x", "[::1]", with or without a port).
bool IsLoopbackHost(const std::string& host);

}  // namespace hoist

#pragma once

#include <string>

#include "util/expected.h"

namespace hoist {

/// The artifact type (and layer media type) of hoist's marker artifacts.
inline constexpr const char* kMarkerArtifactType = "application/vnd.hoist.marker.v1+json";

/// A fact recorded in the registry for a content hash: tests passed, deployed, tainted.
struct Marker {
  std::string kind;  ///< "test", "deployed", "deployed-pointer", "tainted"
  std::string project;
  std::string hash;
  std::string commit;
  std::string job;
  std::string tag;   ///< the tag the marker is stored under (keeps every marker's digest unique)
  std::string time;  ///< RFC 3339, UTC
  std::string ci_url;
  std::string definition;  ///< digest of what was run (a test job's command), "" otherwise
  /// The image the fact is about: its manifest digest in a registry, its image id in an
  /// engine. A test pass counts only for this very image; "" in markers of older hoists.
  std::string digest;
  /// Who wrote it: "trusted" or "untrusted" (a pull request's or an untrusted branch's run,
  /// see TrustTier), "local" for the local engine's store.
  std::string tier;
  /// deployed markers: the digest the deploy tag named before ("" when it named nothing).
  std::string previous;
  /// deployed markers: the commit's committer time (seconds since 1970), so that a later
  /// deploy from a shallow clone can still tell an older commit.
  std::string commit_time;
  /// lease markers: when the lease ends (RFC 3339, UTC); run: the pipeline run holding it.
  std::string expires;
  std::string run;
  /// built markers: what the hash was made of (HashInputs as JSON text), so that a later
  /// build can say what changed since, even where git's history does not reach (a shallow
  /// clone); "" when not recorded.
  std::string inputs;
};

/// Who writes a store's markers, stamped on each one it stores.
struct Provenance {
  std::string tier;    ///< "trusted", "untrusted" or "local"
  std::string ci_url;  ///< the CI job's page ("" outside CI)
  std::string run;     ///< the pipeline run id
};

/// What a manifest read from a registry says of itself as a marker.
struct MarkerManifestView {
  bool is_marker = false;      ///< its artifactType, or its one layer's media type, is a marker's
  std::string content_digest;  ///< its one layer's digest ("" when it has not exactly one)
  /// That layer's content as the manifest embeds it (the OCI descriptor's `data`), verified
  /// against the layer's digest and size; "" when not embedded or not matching, and the
  /// content is then the blob's.
  std::string embedded_content;
};
/// Markers up to this size are embedded in their manifest, so that one request reads them.
inline constexpr size_t kMostEmbeddedMarker = 64 << 10;
/// Reads manifest bytes from a registry (anyone with push rights writes them): never throws.
MarkerManifestView ReadMarkerManifest(const std::string& manifest_bytes);

std::string MarkerToJson(const Marker& marker);
Expected<Marker> MarkerFromJson(const std::string& json);
/// The current time as RFC 3339 UTC ("2026-11-24T03:05:00Z").
std::string NowRfc3339();
/// The time `seconds` from now, as NowRfc3339 writes it (such times compare as strings).
std::string Rfc3339In(long seconds);

}  // namespace hoist

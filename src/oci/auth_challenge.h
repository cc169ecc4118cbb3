#pragma once

#include <map>
#include <string>
#include <vector>

namespace hoist {

/// One challenge of a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"`.
struct AuthChallenge {
  std::string scheme;                         ///< lowercase: "basic", "bearer"
  std::map<std::string, std::string> params;  ///< lowercase names, unquoted values
};

/// Parses a WWW-Authenticate header value (RFC 7235), quoted commas and escapes included.
std::vector<AuthChallenge> ParseAuthChallenges(const std::string& header);

}  // namespace hoist

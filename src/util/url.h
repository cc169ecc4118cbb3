#pragma once

#include <string>

namespace hoist {

/// Percent-encodes everything but RFC 3986 unreserved characters (for query values and paths).
std::string PercentEncode(const std::string& text);

/// "https://user:token@host/x" -> "https://host/x": a URL safe to print or store.
std::string UrlWithoutCredentials(std::string url);

}  // namespace hoist

#include "oci/auth_challenge.h"

#include <cctype>

namespace hoist {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string("!#$%&'*+-.^_`|~/").find(c) != std::string::npos;
}

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::vector<AuthChallenge> ParseAuthChallenges(const std::string& header) {
  std::vector<AuthChallenge> challenges;
  size_t i = 0;
  const size_t n = header.size();
  auto skip_space = [&] {
    while (i < n && (header[i] == ' ' || header[i] == '\t')) ++i;
  };
  auto read_token = [&] {
    size_t start = i;
    while (i < n && IsTokenChar(header[i])) ++i;
    return header.substr(start, i - start);
  };
  while (i < n) {
    skip_space();
    while (i < n && header[i] == ',') ++i, skip_space();
    std::string scheme = read_token();
    if (scheme.empty()) break;
    AuthChallenge challenge{Lower(scheme), {}};
    // Parameters until the next "scheme name" (a token not followed by '=').
    while (i < n) {
      skip_space();
      size_t mark = i;
      std::string name = read_token();
      skip_space();
      if (name.empty() || i >= n || header[i] != '=') {
        i = mark;
        break;
      }
      ++i;  // '='
      skip_space();
      std::string value;
      if (i < n && header[i] == '"') {
        ++i;
        while (i < n && header[i] != '"') {
          if (header[i] == '\\' && i + 1 < n) ++i;
          value += header[i++];
        }
        ++i;  // closing quote
      } else {
        // Unquoted: up to the next ',' or blank (lenient: realms are URLs with ':' and '/').
        size_t start = i;
        while (i < n && header[i] != ',' && header[i] != ' ' && header[i] != '\t') ++i;
        value = header.substr(start, i - start);
      }
      challenge.params[Lower(name)] = value;
      skip_space();
      if (i < n && header[i] == ',') ++i;
    }
    challenges.push_back(std::move(challenge));
  }
  return challenges;
}

}  // namespace hoist

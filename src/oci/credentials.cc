#include "oci/credentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/base64.h"
#include "util/json_fields.h"
#include "util/subprocess.h"

namespace hoist {
namespace {

/// "https://host:port/v1/" -> "host:port".
std::string NormalizeHost(std::string key) {
  size_t scheme = key.find("://");
  if (scheme != std::string::npos) key = key.substr(scheme + 3);
  size_t slash = key.find('/');
  if (slash != std::string::npos) key = key.substr(0, slash);
  return key;
}

Expected<std::optional<Credentials>> FromHelper(const std::string& helper,
                                                const std::string& host) {
  ProcessSpec spec;
  spec.argv = {"docker-credential-" + helper, "get"};
  spec.stdin_data = host;
  auto result = RunProcess(spec);
  if (!result) {
    return Error{"credential helper docker-credential-" + helper + " could not run (" +
                 result.error().message +
                 "); install it or fix credHelpers/credsStore in the "
                 "docker config"};
  }
  if (result->exit_code != 0) {
    std::string said = result->stdout_text + result->stderr_text;
    if (said.find("credentials not found") != std::string::npos)
      return std::optional<Credentials>();
    return Error{"credential helper docker-credential-" + helper + " failed for " + host +
                 " (exit status " + std::to_string(result->exit_code) + ")"};
  }
  auto json = nlohmann::json::parse(result->stdout_text, nullptr, false);
  if (!json.is_object()) {
    return Error{"credential helper docker-credential-" + helper + " printed no JSON for " + host};
  }
  Credentials credentials;
  credentials.username = JsonString(json, "Username", "");
  credentials.secret = JsonString(json, "Secret", "");
  if (credentials.username == "<token>") {  // the helper protocol's identity-token marker
    credentials.identity_token = credentials.secret;
    credentials.username.clear();
    credentials.secret.clear();
  }
  return std::optional<Credentials>(credentials);
}

}  // namespace

Expected<CredentialStore> CredentialStore::Load() {
  std::filesystem::path dir;
  if (const char* config = std::getenv("DOCKER_CONFIG"); config && *config) {
    dir = config;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = std::filesystem::path(home) / ".docker";
  } else {
    return CredentialStore();
  }
  return LoadFile((dir / "config.json").string());
}

Expected<CredentialStore> CredentialStore::LoadFile(const std::string& path) {
  CredentialStore store;
  std::ifstream in(path);
  if (!in) return store;
  std::ostringstream text;
  text << in.rdbuf();
  store.config_text_ = text.str();
  if (!nlohmann::json::accept(store.config_text_)) {
    return Error{path + " is not valid JSON; fix it (docker login rewrites it)"};
  }
  return store;
}

Expected<std::optional<Credentials>> CredentialStore::Lookup(const std::string& host) const {
  std::lock_guard<std::mutex> lock(cache_->mutex);  // one helper run per host, not one per caller
  auto known = cache_->answers.find(host);
  if (known != cache_->answers.end()) return known->second;
  auto answer = LookupOnce(host);
  cache_->answers.emplace(host, answer);
  return answer;
}

Expected<std::optional<Credentials>> CredentialStore::LookupOnce(const std::string& host) const {
  if (config_text_.empty()) return std::optional<Credentials>();
  auto config = nlohmann::json::parse(config_text_);
  // Docker Hub's registry answers at registry-1.docker.io, but `docker login` keeps its
  // credentials under the index's address, and asks helpers for that address: so does hoist.
  const bool hub =
      host == "registry-1.docker.io" || host == "docker.io" || host == "index.docker.io";
  const std::string key = hub ? "index.docker.io" : host;
  const std::string server = hub ? "https://index.docker.io/v1/" : host;
  if (auto helpers = config.find("credHelpers"); helpers != config.end() && helpers->is_object()) {
    for (auto it = helpers->begin(); it != helpers->end(); ++it) {
      if (NormalizeHost(it.key()) == key && it->is_string()) {
        return FromHelper(it->get<std::string>(), server);
      }
    }
  }
  if (auto store = config.find("credsStore");
      store != config.end() && store->is_string() && !store->get<std::string>().empty()) {
    auto found = FromHelper(store->get<std::string>(), server);
    if (!found || *found) return found;
  }
  if (auto auths = config.find("auths"); auths != config.end() && auths->is_object()) {
    for (auto it = auths->begin(); it != auths->end(); ++it) {
      if (NormalizeHost(it.key()) != key || !it->is_object()) continue;
      Credentials credentials;
      if (auto auth = it->find("auth"); auth != it->end() && auth->is_string()) {
        std::string decoded = Base64Decode(auth->get<std::string>());
        size_t colon = decoded.find(':');
        if (colon != std::string::npos) {
          credentials.username = decoded.substr(0, colon);
          credentials.secret = decoded.substr(colon + 1);
        }
      }
      credentials.username = JsonString(*it, "username", credentials.username);
      credentials.secret = JsonString(*it, "password", credentials.secret);
      credentials.identity_token = JsonString(*it, "identitytoken", "");
      if (credentials.username.empty() && credentials.identity_token.empty()) continue;
      return std::optional<Credentials>(credentials);
    }
  }
  return std::optional<Credentials>();
}

}  // namespace hoist

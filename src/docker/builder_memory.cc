#include "docker/builder_memory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/digest.h"

namespace hoist {
namespace {

/// "path size mtime" of a file, or "path -" when there is none.
std::string Identity(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return path + " -\n";
  return path + " " + std::to_string(info.st_size) + " " + std::to_string(info.st_mtim.tv_sec) +
         "." + std::to_string(info.st_mtim.tv_nsec) + "\n";
}

/// `program` as the shell finds it on PATH ("" when it is nowhere).
std::string OnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

BuilderMemory::BuilderMemory(const std::string& docker) {
  const char* home = std::getenv("HOME");
  const char* cache = std::getenv("XDG_CACHE_HOME");
  std::string dir;
  if (cache && *cache) {
    dir = std::string(cache) + "/hoist";
  } else if (home && *home) {
    dir = std::string(home) + "/.cache/hoist";
  } else {
    return;
  }
  // Where the docker CLI looks for its buildx plugin.
  const char* config = std::getenv("DOCKER_CONFIG");
  std::string key = Identity(OnPath(docker));
  key += Identity(
      (config && *config ? std::string(config) : std::string(home ? home : "") + "/.docker") +
      "/cli-plugins/docker-buildx");
  for (const char* plugins :
       {"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
        "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"}) {
    key += Identity(std::string(plugins) + "/docker-buildx");
  }
  path_ = dir + "/builder-" + Sha256Digest(key).substr(7, 16);
}

std::optional<bool> BuilderMemory::Buildkit() const {
  if (path_.empty()) return std::nullopt;
  std::ifstream in(path_);
  std::string word;
  if (!(in >> word)) return std::nullopt;
  if (word == "buildkit") return true;
  if (word == "classic") return false;
  return std::nullopt;
}

void BuilderMemory::Remember(bool buildkit) const {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  // Written aside and renamed: a concurrent run reads the old answer or the new, never half.
  const std::string temporary = path_ + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << (buildkit ? "buildkit\n" : "classic\n");
    if (!out) return;
  }
  std::filesystem::rename(temporary, path_, ec);
  if (ec) std::filesystem::remove(temporary, ec);
}

}  // namespace hoist

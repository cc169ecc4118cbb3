#include "support/temp_repo.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hoist::testing {

namespace fs = std::filesystem;

TempRepo::TempRepo() {
  std::string pattern = (fs::temp_directory_path() / "hoist-test-XXXXXX").string();
  root_ = mkdtemp(pattern.data());
  Git({"init", "-q", "-b", "main"});
  Git({"config", "user.name", "hoist test"});
  Git({"config", "user.email", "test@hoist.invalid"});
  Git({"config", "commit.gpgsign", "false"});
  Git({"config", "protocol.file.allow", "always"});
}

TempRepo::~TempRepo() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void TempRepo::Write(const std::string& path, const std::string& content) const {
  fs::path full = fs::path(root_) / path;
  fs::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary) << content;
}

void TempRepo::Remove(const std::string& path) const {
  fs::remove_all(fs::path(root_) / path);
}

std::string TempRepo::Git(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunOk(root_, argv);
}

std::string TempRepo::Commit(const std::string& message) const {
  Git({"add", "-A"});
  Git({"commit", "-q", "--allow-empty", "-m", message});
  std::string id = Git({"rev-parse", "HEAD"});
  return id.substr(0, id.find('\n'));
}

HoistRun RunHoist(const std::string& cwd, const std::vector<std::string>& args,
                  const std::vector<std::string>& env) {
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = cwd;
  // Whatever CI runs the tests, hoist sees none: the tests decide the vendor and the tier.
  spec.env = {"CI=", "CIRCLECI=", "GITHUB_ACTIONS=", "GITLAB_CI=", "BUILDKITE=", "HOIST_TRUST="};
  // The tests' builds never reach a network: said explicitly, as hoist's own default is the
  // engine's (a test of that default passes HOIST_NETWORK= to clear this).
  spec.env.push_back("HOIST_NETWORK=none");
  spec.env.insert(spec.env.end(), env.begin(), env.end());
  auto result = RunProcess(spec);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  return {result->exit_code, result->stdout_text, result->stderr_text};
}

std::string RunOk(const std::string& cwd, const std::vector<std::string>& argv,
                  const std::string& stdin_data) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.stdin_data = stdin_data;
  auto result = RunProcess(spec);
  EXPECT_TRUE(result.ok() && result->exit_code == 0)
      << FormatCommand(argv) << ": "
      << (result.ok() ? result->stderr_text : result.error().message);
  return result.ok() ? result->stdout_text : "";
}

std::string FixturesDir() {
  fs::path dir = fs::path(HOIST_SOURCE_DIR) / ".." / "shared" / "fixtures";
  return fs::is_directory(dir) ? fs::canonical(dir).string() : "";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string HashOf(const std::string& root, const std::string& project) {
  const std::string out = RunHoist(root, {"hash", project}).out;
  const size_t tab = out.find('\t');
  return tab == std::string::npos ? "" : out.substr(tab + 1, 64);
}

std::map<std::string, std::string> BuildResults(const std::string& json_output) {
  std::map<std::string, std::string> results;
  auto json = nlohmann::json::parse(json_output, nullptr, false);
  if (!json.is_object() || !json.contains("jobs")) return results;
  for (const auto& project : json["jobs"]) {
    results[project["project"].get<std::string>()] = project["result"].get<std::string>();
  }
  return results;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReleaseFiles() {
  const fs::path binary = HOIST_BINARY;
  const std::string dir = (binary.parent_path() / "test-release").string();
  struct stat info {};
  if (stat(HOIST_BINARY, &info) != 0) return dir;
  const std::string stamp = std::to_string(info.st_mtim.tv_sec) + "." +
                            std::to_string(info.st_mtim.tv_nsec) + " " +
                            std::to_string(info.st_size);
  RunOk(HOIST_SOURCE_DIR,
        {"flock", dir + ".lock", "sh", "-c",
         "[ \"$(cat \"$1.stamp\" 2>/dev/null)\" = \"$2\" ] && [ -d \"$1\" ] && exit 0; "
         "bash scripts/package.sh \"$3\" \"$1\" && printf '%s' \"$2\" > \"$1.stamp\"",
         "sh", dir, stamp, binary.parent_path().string()});
  return dir;
}

std::string ReleaseTarball() {
  const std::string dir = ReleaseFiles();
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().string().ends_with("-linux-x86_64.tar.gz")) return entry.path().string();
  }
  ADD_FAILURE() << "no release tarball in " << dir;
  return "";
}

std::string MakeTempDir(const std::string& name) {
  std::string pattern = (fs::temp_directory_path() / (name + "-XXXXXX")).string();
  return mkdtemp(pattern.data());
}

}  // namespace hoist::testing

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "stages/pipeline_env.h"

namespace hoist {
namespace {

/// 'value' for POSIX shells.
std::string ShellQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A heredoc delimiter for $GITHUB_ENV that no value holds: random, as GitHub's own toolkit
/// makes them. A fixed one let a multi-line value (a PROJECT file) end its heredoc early and
/// set variables of its own (NODE_OPTIONS=…) for every later step.
std::string Delimiter(const std::vector<std::pair<std::string, std::string>>& env) {
  std::random_device random;
  while (true) {
    char word[48];
    std::snprintf(word, sizeof word, "hoist_%08x%08x%08x%08x", random(), random(), random(),
                  random());
    bool free = true;
    for (const auto& [name, value] : env) free = free && value.find(word) == std::string::npos;
    if (free) return word;
  }
}

std::string Render(const std::vector<std::pair<std::string, std::string>>& env,
                   const std::string& format) {
  std::string out;
  const std::string delimiter = format == "github" ? Delimiter(env) : "";
  if (format == "json") {
    nlohmann::ordered_json json = nlohmann::ordered_json::object();
    for (const auto& [name, value] : env) json[name] = value;
    return json.dump(2) + "\n";
  }
  for (const auto& [name, value] : env) {
    if (format == "shell") {
      out += "export " + name + "=" + ShellQuote(value) + "\n";
    } else if (format == "dotenv") {
      out += name + "=" + nlohmann::json(value).dump() + "\n";
    } else if (value.find('\n') != std::string::npos) {  // github, multi-line
      out += name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
    } else {
      out += name + "=" + value + "\n";
    }
  }
  return out;
}

}  // namespace

void AddEnvCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "env",
      "Print the pipeline's environment (the seed's setup_env): commit, tag, branch, "
      "PROJECT, VERSION, VERSION_TAG, DEPLOY_TAG");
  auto facts = std::make_shared<PipelineFacts>();
  auto format = std::make_shared<std::string>("shell");
  command->add_option("--commit", facts->commit, "Commit hash (default: from CI, else HEAD)");
  command->add_option("--tag", facts->tag, "Commit tag (default: from CI, else git)");
  command->add_option("--job", facts->job, "Job name (default: from CI)");
  command->add_option("--branch", facts->branch, "Branch (default: from CI, else git)");
  command->add_option("--repository-url", facts->repository_url, "Repository URL");
  command->add_option("--pull-request", facts->pull_request, "Pull request URL or number");
  command->add_option("--format", *format, "shell, json, dotenv or github (appends to $GITHUB_ENV)")
      ->check(CLI::IsMember({"shell", "json", "dotenv", "github"}))
      ->capture_default_str();
  command->callback([&context, &exit_code, facts, format] {
    auto detected = DetectPipelineFacts(context.repo(), *facts, ProcessEnv);
    if (!detected) throw CommandFailure{kExitFailure, "hoist: error: " + detected.error().message};
    auto env = PipelineEnvironment(context.repo().root(), *detected);
    if (!env) throw CommandFailure{kExitFailure, "hoist: error: " + env.error().message};
    std::string fmt = context.json ? "json" : *format;
    if (fmt == "github") {
      std::string file = ProcessEnv("GITHUB_ENV");
      if (file.empty()) {
        throw CommandFailure{kExitUsage,
                             "hoist: error: --format github appends to $GITHUB_ENV, which is not "
                             "set (outside GitHub Actions use --format dotenv)"};
      }
      std::ofstream(file, std::ios::app) << Render(*env, "github");
    }
    std::cout << Render(*env, fmt == "github" ? "dotenv" : fmt);
    // As the seed did for CircleCI: later steps source $BASH_ENV.
    std::string bash_env = ProcessEnv("BASH_ENV");
    if (!bash_env.empty()) std::ofstream(bash_env, std::ios::app) << Render(*env, "shell");
    exit_code = kExitOk;
  });
}

}  // namespace hoist

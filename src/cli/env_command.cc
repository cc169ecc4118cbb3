#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "compat/aztec_env.h"
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

std::string ReadWhole(const std::string& path, bool& ok) {
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string TrimLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

/// `env --compat aztec[-ERA] -- ARGS…`: the era's setup_env into $BASH_ENV; the exit code.
int CompatEnv(CommandContext& context, const std::string& compat, const std::string& bs_path,
              const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  const std::string root = context.repo().root();
  AztecEnvInput input;
  auto chosen = ChooseAztecEra(compat == "aztec" ? "" : compat.substr(6), root);
  input.era = chosen ? chosen->era : AztecEra::kYaml2024;
  input.args = args;
  input.root_path = root;
  input.build_system_path = bs_path.empty() ? root + "/build-system" : bs_path;
  // 2023-02 read ../PROJECT and ../VERSION from the build-system folder; later eras the root's.
  std::string base = input.era == AztecEra::kJson2023Feb
                         ? fs::path(input.build_system_path).parent_path().string()
                         : root;
  bool ok = false;
  input.project = TrimLine(ReadWhole(base + "/PROJECT", ok));
  if (!ok) {
    std::cout << "cat: " << base << "/PROJECT: No such file or directory\n";
    std::cerr << "hoist: error: setup_env reads the project's name from " << base
              << "/PROJECT (the deploy tag is <PROJECT>-<env>); create it\n";
    return kExitFailure;
  }
  if (input.era != AztecEra::kYaml2024) {
    input.version = TrimLine(ReadWhole(base + "/VERSION", ok));
    if (!ok && args.size() > 1 && !args[1].empty()) {
      std::cout << "cat: " << base << "/VERSION: No such file or directory\n";
      return kExitFailure;
    }
  }
  if (input.era == AztecEra::kYaml2024 && !args.empty()) {
    input.commit_message = context.repo().Output(
        {"log", "-n", "1", "--pretty=format:%s", args[0].empty() ? "HEAD" : args[0]});
  }
  input.path = ProcessEnv("PATH");
  input.docker_buildkit = ProcessEnv("DOCKER_BUILDKIT");
  input.alpine = fs::exists("/etc/alpine-release");
  input.ecr_url = context.registry.empty() ? ProcessEnv("ECR_URL") : context.registry;
  input.ecr_deploy_url =
      context.deploy_registry.empty() ? ProcessEnv("ECR_DEPLOY_URL") : context.deploy_registry;
  input.dockerhub_account = ProcessEnv("DOCKERHUB_ACCOUNT");
  input.dockerhub_username = ProcessEnv("DOCKERHUB_USERNAME");
  input.aws_default_region = ProcessEnv("AWS_DEFAULT_REGION");
  auto output = AztecSetupEnv(input);
  std::cout << output.printed << output.error << std::flush;
  if (output.exit_code != 0) return output.exit_code;
  std::string bash_env = ProcessEnv("BASH_ENV");
  if (bash_env.empty()) {
    throw CommandFailure{kExitUsage,
                         "hoist: error: env --compat writes to $BASH_ENV, which is not set (the "
                         "setup_env shim sets it, as setup_env did)"};
  }
  std::ofstream file(bash_env, std::ios::app);
  for (const auto& line : output.bash_env) file << line << "\n";
  // For the shims' own hoist calls: the Aztec tags (the 2023-02 era's keyed by commit too), and
  // the registries this run named.
  file << "export HOIST_COMPAT="
       << (input.era == AztecEra::kJson2023Feb ? "aztec-2023-02" : "aztec") << "\n";
  if (!context.registry.empty()) file << "export HOIST_REGISTRY=" << context.registry << "\n";
  if (!context.deploy_registry.empty()) {
    file << "export HOIST_DEPLOY_REGISTRY=" << context.deploy_registry << "\n";
  }
  if (!file) {
    throw CommandFailure{kExitFailure,
                         "hoist: error: cannot append to $BASH_ENV (" + bash_env + ")"};
  }
  return kExitOk;
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
  auto compat = std::make_shared<std::string>();
  auto bs_path = std::make_shared<std::string>();
  auto setup_args = std::make_shared<std::vector<std::string>>();
  command
      ->add_option("--compat", *compat,
                   "Do what the Aztec build system's setup_env did, variable for variable, into "
                   "$BASH_ENV: 'aztec' (the era the manifest implies), 'aztec-2023-02', "
                   "'aztec-2023-09' or 'aztec-2024'; its arguments after --")
      ->check(CLI::IsMember({"aztec", "aztec-2023-02", "aztec-2023-09", "aztec-2024"}));
  command->add_option("--build-system-path", *bs_path,
                      "With --compat: the folder the shims were installed in (default: "
                      "<repository>/build-system)");
  command->add_option(
      "SETUP_ENV_ARGS", *setup_args,
      "With --compat: COMMIT_HASH COMMIT_TAG JOB_NAME [GIT_REPOSITORY_URL] [BRANCH] "
      "[PULL_REQUEST]");
  command->callback([&context, &exit_code, facts, format, compat, bs_path, setup_args] {
    if (!compat->empty()) {
      // After "--", as the shim passes them: empty ones ('' for no tag) kept in place.
      exit_code = CompatEnv(context, *compat, *bs_path,
                            setup_args->empty() ? context.trailing_command : *setup_args);
      return;
    }
    if (!setup_args->empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: env takes arguments only with --compat aztec (those of "
                           "setup_env)"};
    }
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

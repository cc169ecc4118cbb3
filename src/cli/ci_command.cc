#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ci/ci_pipeline.h"
#include "cli/commands.h"
#include "hoist_version.h"
#include "oci/image_reference.h"
#include "util/subprocess.h"

namespace hoist {

void AddCiCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* ci = app.add_subcommand("ci", "CI configs made from the manifest");
  ci->require_subcommand(1);
  auto* generate = ci->add_subcommand(
      "generate", "Write the CI config whose job graph mirrors the manifest (build, test, deploy)");
  struct Options {
    std::string vendor;
    std::string output;
    bool check = false;
    std::string setup;
    std::vector<std::string> deploy_branches;
    std::string runner;
    std::string hoist;
    std::string remote;
  };
  auto options = std::make_shared<Options>();
  generate->add_option("--vendor", options->vendor, "circleci, github or gitlab")
      ->required()
      ->check(CLI::IsMember({"circleci", "github", "gitlab"}));
  generate->add_option("-o,--output", options->output,
                       "The file (default: the vendor's own place; - for stdout)");
  generate->add_flag("--check", options->check,
                     "Fail when the committed config differs from what the manifest gives");
  generate->add_option("--setup", options->setup,
                       "A command each job runs first, e.g. to install hoist (hoist.yml ci.setup)");
  generate->add_option("--deploy-branch", options->deploy_branches,
                       "Branches that deploy, besides v* tags (hoist.yml ci.deployBranches; "
                       "default main)");
  generate->add_option("--runner", options->runner,
                       "GitHub runs-on label, GitLab runner tag or CircleCI machine image");
  generate->add_option("--hoist", options->hoist, "How jobs invoke hoist (default hoist)");
  generate->add_option("--remote", options->remote,
                       "Where build jobs build: hoist build --remote (e.g. spot:32; hoist.yml "
                       "ci.remote)");
  generate->callback([&context, &exit_code, options] {
    CiVendor vendor = *ParseCiVendor(options->vendor);
    CiOptions settings = context.config().ci;
    if (!options->setup.empty()) settings.setup = options->setup;
    if (!options->deploy_branches.empty()) {
      settings.deploy_branches = options->deploy_branches;
      settings.deploy_branches_set = true;
    }
    settings.version = HOIST_VERSION;
    // The jobs unpack hoist-VERSION-linux-MACHINE/: a pinned install of another version than
    // the hoist writing the config would fail in every job.
    if (!settings.install_image.empty()) {
      // The tag, before any @digest ("latest" when none is written).
      auto image =
          ImageReference::Parse(settings.install_image.substr(0, settings.install_image.find('@')));
      if (!image || image->reference != settings.version) {
        throw CommandFailure{
            kExitFailure, "hoist: error: hoist.yml ci.install.image is " + settings.install_image +
                              ", not hoist:" + settings.version +
                              " (the version writing this config); run hoist self publish with "
                              "the " +
                              settings.version + " tarball and put the reference it prints there"};
      }
    }
    if (!settings.install_url.empty() &&
        settings.install_url.find("hoist-" + settings.version + "-") == std::string::npos) {
      throw CommandFailure{kExitFailure,
                           "hoist: error: hoist.yml ci.install.url does not name hoist-" +
                               settings.version +
                               "-…tar.gz (the version writing this config): point it at that "
                               "release's tarball, with its sha256"};
    }
    settings.release_tags = context.config().trust.tags;
    if (!options->runner.empty()) settings.runner = options->runner;
    if (!options->hoist.empty()) settings.hoist = options->hoist;
    if (!options->remote.empty()) settings.remote = options->remote;
    const Manifest& manifest = context.manifest();
    // The command that writes this very file again, with every option given.
    std::vector<std::string> words = {"ci", "generate", "--vendor", options->vendor};
    if (!options->output.empty() && options->output != "-") {
      words.insert(words.end(), {"-o", options->output});
    }
    if (!options->setup.empty()) words.insert(words.end(), {"--setup", options->setup});
    for (const auto& branch : options->deploy_branches) {
      words.insert(words.end(), {"--deploy-branch", branch});
    }
    if (!options->runner.empty()) words.insert(words.end(), {"--runner", options->runner});
    if (!options->hoist.empty()) words.insert(words.end(), {"--hoist", options->hoist});
    if (!options->remote.empty()) words.insert(words.end(), {"--remote", options->remote});
    settings.regenerate = settings.hoist + " " + FormatCommand(words);
    const std::string regenerate = "hoist " + FormatCommand(words);
    auto jobs = PlanCiJobs(vendor, manifest, context.graph(), settings);
    if (!jobs) throw CommandFailure{kExitFailure, "hoist: error: " + jobs.error().message};
    const std::string manifest_name = std::filesystem::path(manifest.file).filename().string();
    const std::string text = RenderCiConfig(vendor, *jobs, settings, manifest_name);
    if (options->output == "-") {
      std::cout << text;
      exit_code = kExitOk;
      return;
    }
    const std::string relative = options->output.empty() ? DefaultCiPath(vendor) : options->output;
    const std::filesystem::path path =
        std::filesystem::path(relative).is_absolute()
            ? std::filesystem::path(relative)
            : std::filesystem::path(context.repo().root()) / relative;
    if (options->check) {
      std::ifstream in(path);
      if (!in) {
        throw CommandFailure{
            kExitFailure, "hoist: error: " + path.string() + " does not exist; run " + regenerate};
      }
      std::ostringstream committed;
      committed << in.rdbuf();
      if (committed.str() != text) {
        std::istringstream a(committed.str()), b(text);
        std::string left, right;
        int line = 1;
        while (std::getline(a, left) && std::getline(b, right) && left == right) ++line;
        throw CommandFailure{
            kExitFailure, "hoist: error: " + path.string() + " is out of date with " +
                              manifest_name + " (first difference at line " + std::to_string(line) +
                              "); run " + regenerate + " and commit it"};
      }
      std::cerr << path.string() << " is up to date with " << manifest_name << "\n";
      exit_code = kExitOk;
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      throw CommandFailure{kExitFailure, "hoist: error: cannot write " + path.string()};
    }
    size_t builds = 0, tests = 0;
    for (const auto& job : *jobs) {
      builds += job.kind == CiJob::Kind::kBuild;
      tests += job.kind == CiJob::Kind::kTest;
    }
    std::cerr << "wrote " << path.string() << ": " << builds << " build jobs, " << tests
              << " test jobs, a config check job and 1 deploy job\n";
    exit_code = kExitOk;
  });
}

}  // namespace hoist

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ci/ci_pipeline.h"
#include "cli/ci_flags.h"
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
    CiFlags flags;
    std::string output;
    bool check = false;
  };
  auto options = std::make_shared<Options>();
  options->flags.Add(*generate);
  generate->get_option("--vendor")->required();
  generate->add_option("-o,--output", options->output,
                       "The file (default: the vendor's own place; - for stdout)");
  generate->add_flag("--check", options->check,
                     "Fail when the committed config differs from what the manifest gives");
  generate->callback([&context, &exit_code, options] {
    CiVendor vendor = *ParseCiVendor(options->flags.vendor);
    CiOptions settings = options->flags.Settings(context);
    const Manifest& manifest = context.manifest();
    // The command that writes this very file again, with every option given.
    std::vector<std::string> words = {"ci", "generate", "--vendor", options->flags.vendor};
    if (!options->output.empty() && options->output != "-") {
      words.insert(words.end(), {"-o", options->output});
    }
    for (const auto& word : options->flags.Words()) words.push_back(word);
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
              << " test jobs, a config check job and 1 deploy job"
              << (settings.dynamic ? ", each started by the plan job when its inputs changed" : "")
              << "\n";
    exit_code = kExitOk;
  });
  AddCiPlanCommands(*ci, context, exit_code);
}

}  // namespace hoist

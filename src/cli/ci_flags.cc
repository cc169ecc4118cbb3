#include "cli/ci_flags.h"

#include "cli/commands.h"
#include "hoist_version.h"
#include "oci/image_reference.h"
#include "util/subprocess.h"

namespace hoist {

void CiFlags::Add(CLI::App& command) {
  command.add_option("--vendor", vendor, "circleci, github or gitlab")
      ->check(CLI::IsMember({"circleci", "github", "gitlab"}));
  command.add_option("--setup", setup,
                     "A command each job runs first, e.g. to install hoist (hoist.yml ci.setup)");
  command.add_option("--deploy-branch", deploy_branches,
                     "Branches that deploy, besides v* tags (hoist.yml ci.deployBranches; "
                     "default main)");
  command.add_option("--runner", runner,
                     "GitHub runs-on label, GitLab runner tag or CircleCI machine image");
  command.add_option("--hoist", hoist, "How jobs invoke hoist (default hoist)");
  command.add_option("--remote", remote,
                     "Where build jobs build: hoist build --remote (e.g. spot:32; hoist.yml "
                     "ci.remote)");
  command.add_flag("--dynamic", dynamic,
                   "Affected-only: a plan job starts only the jobs whose inputs changed "
                   "(hoist.yml ci.dynamic)");
}

std::vector<std::string> CiFlags::Words() const {
  std::vector<std::string> words;
  if (!setup.empty()) words.insert(words.end(), {"--setup", setup});
  for (const auto& branch : deploy_branches) words.insert(words.end(), {"--deploy-branch", branch});
  if (!runner.empty()) words.insert(words.end(), {"--runner", runner});
  if (!hoist.empty()) words.insert(words.end(), {"--hoist", hoist});
  if (!remote.empty()) words.insert(words.end(), {"--remote", remote});
  if (dynamic) words.push_back("--dynamic");
  return words;
}

CiOptions CiFlags::Settings(CommandContext& context) const {
  CiOptions settings = context.config().ci;
  if (!setup.empty()) settings.setup = setup;
  if (!deploy_branches.empty()) {
    settings.deploy_branches = deploy_branches;
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
      throw CommandFailure{kExitFailure,
                           "hoist: error: hoist.yml ci.install.image is " + settings.install_image +
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
  if (!runner.empty()) settings.runner = runner;
  if (!hoist.empty()) settings.hoist = hoist;
  if (!remote.empty()) settings.remote = remote;
  if (dynamic) settings.dynamic = true;
  auto command = [&](const char* name) {
    std::vector<std::string> words = {"ci", name};
    for (const auto& word : Words()) {
      if (word != "--dynamic") words.push_back(word);  // (they read no config)
    }
    return settings.hoist + " " + FormatCommand(words);
  };
  settings.plan = command("plan");
  settings.run_job = command("job");
  return settings;
}

}  // namespace hoist

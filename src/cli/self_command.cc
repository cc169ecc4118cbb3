#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "stages/self_release.h"

namespace hoist {

void AddSelfCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* self = app.add_subcommand("self", "hoist's own releases");
  self->require_subcommand(1);
  auto* publish = self->add_subcommand(
      "publish",
      "Push a release tarball of hoist to a registry as the image hoist:VERSION, from which "
      "generated CI jobs install it");
  struct Options {
    std::string tarball;
    std::string to;
    bool replace = false;
  };
  auto options = std::make_shared<Options>();
  publish
      ->add_option("TARBALL", options->tarball,
                   "hoist-VERSION-linux-x86_64.tar.gz (scripts/package.sh, or a release page)")
      ->required();
  publish
      ->add_option("--to", options->to,
                   "The registry HOST[:PORT][/PREFIX] (default: the cache registry)")
      ->option_text("REGISTRY");
  publish->add_flag("--replace", options->replace,
                    "Move the version's tag even when it names other bytes");
  publish->callback([&context, &exit_code, options] {
    const std::string where = options->to.empty() ? context.registry : options->to;
    if (where.empty()) {
      throw CommandFailure{kExitUsage,
                           "hoist: error: say where to publish: --to REGISTRY[/PREFIX], or set "
                           "the cache registry (--registry or HOIST_REGISTRY)"};
    }
    auto release = ReadReleaseTarball(options->tarball);
    if (!release) throw CommandFailure{kExitFailure, "hoist: error: " + release.error().message};
    auto registry = context.OpenRegistry(where, options->to.empty() ? "--registry" : "--to");
    const std::string repository = ReleaseRepository(registry->location().prefix);
    auto published = PublishRelease(registry->client(), repository, *release, options->replace);
    if (!published) {
      throw CommandFailure{kExitFailure, "hoist: error: " + published.error().message};
    }
    const std::string reference = registry->client().host() + "/" + repository + ":" +
                                  published->tag + "@" + published->digest;
    if (context.json) {
      PrintJson("self publish", {{"version", release->version},
                                 {"reference", reference},
                                 {"digest", published->digest},
                                 {"tarballSha256", release->content.file_digest.substr(7)},
                                 {"alreadyPublished", published->already}});
    } else {
      std::cout << reference << "\n";
      std::cerr << (published->already ? "already published: " : "published ") << "hoist "
                << release->version << " (" << release->top << ".tar.gz, sha256 "
                << release->content.file_digest.substr(7)
                << ").\nGenerated CI jobs install it from there; to pin these exact bytes, say "
                   "in hoist.yml:\n  ci:\n    install:\n      image: "
                << reference << "\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist

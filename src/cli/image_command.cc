#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "oci/image_reference.h"
#include "store/untrusted_store.h"
#include "util/edit_distance.h"

namespace hoist {
namespace {

// `hoist image exists` answers three ways; "could not tell" is never "absent".
constexpr int kExitAbsent = 1;
constexpr int kExitUnknown = 2;

void Fail(const Error& error) {
  throw CommandFailure{kExitFailure, "hoist: error: " + error.message};
}

/// A name that is no project of the manifest but close to one (apii for api) is a typo, not
/// another repository: its answer would be a silent "absent". Names far from every project
/// (a repository the manifest does not build) and runs without a manifest pass.
void RejectNearMiss(CommandContext& context, const std::string& name) {
  const Manifest* manifest = nullptr;
  try {
    manifest = &context.manifest();
  } catch (const CommandFailure&) {
    return;
  }
  if (manifest->IndexOf(name) >= 0) return;
  const std::string close = ClosestName(name, manifest->Names());
  if (close.empty()) return;
  throw CommandFailure{kExitUsage, "hoist: error: no project '" + name + "' in " + manifest->file +
                                       "; did you mean '" + close + "'?"};
}

}  // namespace

void AddImageCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* image = app.add_subcommand("image", "Images in the cache registry (or local engine)");
  image->require_subcommand(1);
  auto args = std::make_shared<std::vector<std::string>>();

  auto* exists = image->add_subcommand(
      "exists", "Exit 0 when PROJECT:TAG exists, 1 when it does not, 2 when that cannot be told");
  exists->add_option("PROJECT TAG", *args)->expected(2)->required();
  exists->callback([&context, &exit_code, args] {
    RejectNearMiss(context, (*args)[0]);
    auto answer = context.ReadStore().Exists((*args)[0], (*args)[1]);
    if (!answer) {
      std::cerr << "hoist: error: " << answer.error().message << "\n";
      if (context.json)
        PrintJson("image exists", {{"present", nullptr}, {"error", answer.error().message}});
      exit_code = kExitUnknown;
      return;
    }
    bool present = *answer == Presence::kPresent;
    if (context.json) PrintJson("image exists", {{"present", present}});
    exit_code = present ? kExitOk : kExitAbsent;
  });

  auto* tag = image->add_subcommand("tag", "Tag PROJECT:FROM as PROJECT:TO (no layers move)");
  tag->add_option("PROJECT FROM TO", *args)->expected(3)->required();
  tag->callback([&context, &exit_code, args] {
    RejectNearMiss(context, (*args)[0]);
    auto done = context.Store().Tag((*args)[0], (*args)[1], (*args)[2]);
    if (!done) Fail(done.error());
    if (context.json) PrintJson("image tag", {{"tagged", (*args)[2]}});
    exit_code = kExitOk;
  });

  auto* untag = image->add_subcommand("untag", "Remove tag PROJECT:TAG (the image stays)");
  untag->add_option("PROJECT TAG", *args)->expected(2)->required();
  untag->callback([&context, &exit_code, args] {
    RejectNearMiss(context, (*args)[0]);
    auto done = context.Store().Untag((*args)[0], (*args)[1]);
    if (!done) Fail(done.error());
    if (context.json) PrintJson("image untag", {{"untagged", (*args)[1]}});
    exit_code = kExitOk;
  });

  auto* copy = image->add_subcommand(
      "copy",
      "Copy an image (index included) between repositories or registries, moving only "
      "the blobs the target lacks. SRC and DST: [HOST/]REPOSITORY[:TAG]; without HOST, "
      "the cache registry's PREFIX/REPOSITORY");
  copy->add_option("SRC DST", *args)->expected(2)->required();
  copy->callback([&context, &exit_code, args] {
    std::vector<std::unique_ptr<DistributionClient>> clients;
    struct Side {
      DistributionClient* client;
      std::string repository, reference;
    };
    auto side = [&](const std::string& text, bool writing) -> Side {
      auto parsed = ImageReference::Parse(text);
      if (!parsed) throw CommandFailure{kExitUsage, "hoist: error: " + parsed.error().message};
      if (parsed->host.empty()) {
        auto* store = dynamic_cast<RegistryStore*>(&context.Store());
        // An untrusted run reads the trusted cache and writes only its own namespace.
        if (auto* untrusted = dynamic_cast<UntrustedStore*>(&context.Store())) {
          store = writing ? &untrusted->own() : &untrusted->trusted();
        }
        if (!store) {
          throw CommandFailure{kExitUsage,
                               "hoist: error: '" + text +
                                   "' names no registry and no cache "
                                   "registry is configured; give HOST/REPOSITORY or --registry"};
        }
        return {&store->client(), store->location().Repository(parsed->repository),
                parsed->reference};
      }
      clients.push_back(context.ClientFor(parsed->host));
      return {clients.back().get(), parsed->repository, parsed->reference};
    };
    Side source = side((*args)[0], false);
    Side target = side((*args)[1], true);
    auto done = CopyImage(*source.client, source.repository, source.reference, *target.client,
                          target.repository, target.reference);
    if (!done) Fail(done.error());
    if (context.json) PrintJson("image copy", {{"copied", (*args)[1]}});
    exit_code = kExitOk;
  });
}

}  // namespace hoist

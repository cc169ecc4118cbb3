#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "docker/docker_builder.h"
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

/// PROJECT:TAG of the cache store in the local engine: pulled by digest from a registry (the
/// exact image the tag named when asked), the engine's own image as it is otherwise.
std::string IntoEngine(CommandContext& context, DockerBuilder& engine, const std::string& project,
                       const std::string& tag) {
  ImageStore& store = context.ReadStore();
  auto present = store.Exists(project, tag);
  if (!present) Fail(present.error());
  if (*present != Presence::kPresent) {
    throw CommandFailure{kExitFailure, "hoist: error: " + project + ":" + tag + " is not in " +
                                           store.Describe() + " (hoist status " + project +
                                           " says what is there; hoist build " + project +
                                           " makes it)"};
  }
  std::string reference = store.ReadReference(project, tag);
  if (store.InEngine()) return reference;
  auto digest = store.Digest(project, tag);
  if (!digest) Fail(digest.error());
  if (*digest) reference += "@" + **digest;
  auto sink = [](const std::string& line) { std::cerr << line << "\n"; };
  auto pulled = engine.Pull(reference, sink);
  if (!pulled) Fail(pulled.error());
  return reference;
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

  auto* list = image->add_subcommand(
      "tags", "Every tag of PROJECT, one per line (images and markers; exit 2 when not listed)");
  list->add_option("PROJECT", *args)->expected(1)->required();
  list->callback([&context, &exit_code, args] {
    RejectNearMiss(context, (*args)[0]);
    auto listed = context.ReadStore().Tags((*args)[0]);
    if (!listed) {
      std::cerr << "hoist: error: " << listed.error().message << "\n";
      if (context.json)
        PrintJson("image tags", {{"tags", nullptr}, {"error", listed.error().message}});
      exit_code = kExitUnknown;
      return;
    }
    if (context.json) {
      PrintJson("image tags", {{"tags", *listed}});
    } else {
      for (const auto& name : *listed) std::cout << name << "\n";
    }
    exit_code = kExitOk;
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

  auto tags = std::make_shared<std::vector<std::string>>();
  auto* pull = image->add_subcommand(
      "pull",
      "Put PROJECT:TAG of the cache into the local Docker engine (by digest from a registry) "
      "and print the reference it has there; --tag names it also as NAME (repeatable)");
  pull->add_option("PROJECT TAG", *args)->expected(2)->required();
  pull->add_option("--tag", *tags, "Also tag the image NAME[:TAG] in the engine")
      ->type_name("NAME");
  pull->callback([&context, &exit_code, args, tags] {
    RejectNearMiss(context, (*args)[0]);
    DockerBuilder engine;
    const std::string reference = IntoEngine(context, engine, (*args)[0], (*args)[1]);
    for (const auto& name : *tags) {
      auto tagged = engine.Tag(reference, name);
      if (!tagged)
        Fail(Error{"cannot tag " + reference + " as " + name + ": " + tagged.error().message});
    }
    if (context.json) {
      PrintJson("image pull", {{"reference", reference}, {"tags", *tags}});
    } else {
      std::cout << reference << "\n";
    }
    exit_code = kExitOk;
  });

  auto* extract = image->add_subcommand(
      "extract",
      "Copy directory PATH of image PROJECT:TAG (its content, without running the image) into "
      "directory DEST, made when missing");
  extract->add_option("PROJECT TAG PATH DEST", *args)->expected(4)->required();
  extract->callback([&context, &exit_code, args] {
    RejectNearMiss(context, (*args)[0]);
    const std::string& path = (*args)[2];
    const std::string& destination = (*args)[3];
    if (path.empty() || path[0] != '/') {
      throw CommandFailure{kExitUsage, "hoist: error: PATH '" + path +
                                           "' is not absolute: give the directory's path in the "
                                           "image, such as /usr/src"};
    }
    DockerBuilder engine;
    const std::string reference = IntoEngine(context, engine, (*args)[0], (*args)[1]);
    std::error_code ec;
    const bool existed = std::filesystem::exists(destination, ec);
    std::filesystem::create_directories(destination, ec);
    if (ec || !std::filesystem::is_directory(destination, ec)) {
      Fail(Error{"cannot make directory " + destination + ": " +
                 (ec ? ec.message() : "a file is in the way")});
    }
    auto sink = [](const std::string& line) { std::cerr << line << "\n"; };
    auto copied = engine.CopyFromImage(reference, path, destination, sink);
    if (!copied) {
      if (!existed) std::filesystem::remove_all(destination, ec);  // nothing half-copied stays
      Fail(Error{"cannot copy " + path + " out of " + reference + ": " + copied.error().message});
    }
    if (context.json) PrintJson("image extract", {{"extracted", path}, {"to", destination}});
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

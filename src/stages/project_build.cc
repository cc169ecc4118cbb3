#include "stages/project_build.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "docker/dockerfile.h"
#include "stages/build_context.h"
#include "store/tag_names.h"
#include "util/repo_path.h"

namespace hoist {
namespace {

std::string Short(const std::string& hash) {
  return hash.substr(0, 12);
}

/// Initialises the submodules a build context needs (those in or around buildDir).
Status InitSubmodules(const GitRepository& repo, const std::string& status, const Project& project,
                      const LineSink& on_line) {
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '-') continue;  // '-': not initialised
    std::istringstream words(line.substr(1));
    std::string commit, path;
    words >> commit >> path;
    if (!IsUnder(path, project.build_dir) && !IsUnder(project.build_dir, path)) continue;
    if (on_line) on_line("hoist: initialising submodule " + path);
    auto init = repo.Run({"submodule", "update", "--init", "--recursive", "--", path});
    if (!init) return init.error();
  }
  return Ok();
}

/// After a build: the test passes of an image it replaced are removed (they were of other
/// bytes), and, in a registry, the build record built-<hash> says who built which digest.
Status RecordBuild(ImageStore& store, const Project& project, const std::string& hash,
                   const std::string& commit, const BuildDecision& decision,
                   const std::string& inputs, const std::string& branch, const LineSink& on_line) {
  auto identity = store.OwnIdentity(project.name, tag::Image(hash));
  if (!identity) return identity.error();
  if (!*identity) return Ok();  // multiarch: host, another architecture's builder combines
  if (!decision.previous.empty() && decision.previous != **identity) {
    if (on_line) {
      on_line("hoist: cache-" + Short(hash) + " named " + decision.previous + " and now names " +
              **identity + ": test passes recorded for the earlier image no longer count");
    }
    for (const auto& job : project.tests) {
      auto removed = store.DeleteMarker(project.name, tag::TestPass(hash, job.name));
      if (!removed) return removed;
    }
  }
  if (store.InEngine()) return Ok();  // one machine's engine deploys nothing
  Marker built;
  built.kind = "built";
  built.project = project.name;
  built.hash = hash;
  built.commit = commit;
  built.digest = **identity;
  built.inputs = inputs;
  auto recorded = store.PutMarker(project.name, tag::Built(hash), built);
  if (!recorded) {
    return Error{"project '" + project.name + "': the image is stored but its build record " +
                 "is not (a deploy needs it; build again): " + recorded.error().message};
  }
  // The branch's last build, for what changed since where the history is not at hand.
  if (!inputs.empty()) {
    auto moved = store.PutMarker(project.name, tag::BranchBuilt(branch), built);
    if (!moved && on_line) on_line("hoist: warning: " + moved.error().message);
  }
  return Ok();
}

}  // namespace

std::string CacheTag(const std::string& hash) {
  return tag::Image(hash);
}

std::string LocalRefusal(const BuildEnvironment& env, int p) {
  const Project& project = env.manifest.projects[p];
  const ProjectHash& hash = env.hashes[p];
  if (!hash.error.empty()) return "project '" + project.name + "': " + hash.error;
  if (hash.dirty && env.settings.aztec) {
    // The Aztec content hash is of committed files (git ls-tree): an image of this working
    // tree under it would say the commit and hold the edit, on any store, --allow-dirty or not.
    return "project '" + project.name + "' has uncommitted changes in its inputs, which the " +
           "Aztec content hash (of committed files) does not cover: commit them, or build " +
           "with hoist's own hash (without --compat aztec and HOIST_COMPAT)";
  }
  if (hash.dirty && !env.store.InEngine() && !env.settings.allow_dirty) {
    return "project '" + project.name + "' has uncommitted changes in its inputs; its " +
           "image is not pushed to " + env.store.Describe() +
           " unless you commit them or pass --allow-dirty";
  }
  return "";
}

namespace {
/// Whether the project's Dockerfile has a line `ARG COMMIT_TAG=…` (the Aztec scripts' test).
bool BakesCommitTag(const BuildEnvironment& env, const Project& project) {
  auto text = ReadSnapshotFile(env.repo, *env.snapshot, project.dockerfile_path);
  if (!text || !*text) return false;
  std::istringstream lines(**text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ARG COMMIT_TAG=", 0) == 0) return true;
  }
  return false;
}
}  // namespace

Expected<BuildDecision> DecideBuild(BuildEnvironment& env, int p) {
  const Project& project = env.manifest.projects[p];
  const ProjectHash& hash = env.hashes[p];
  if (auto refusal = LocalRefusal(env, p); !refusal.empty()) return Error{refusal};
  // One question to the store answers both what decides: whether the project is tainted and
  // whether its image exists (its tag list; a registry's first page holds 1000 tags).
  auto tags = env.store.Tags(project.name);
  if (!tags) return tags.error();
  auto listed = [&](const std::string& name) {
    return std::find(tags->begin(), tags->end(), name) != tags->end();
  };
  const bool is_tainted = listed(tag::kTaint);
  const auto& forced = env.settings.force_projects;
  const bool is_forced =
      env.settings.force || std::find(forced.begin(), forced.end(), project.name) != forced.end();
  // The Aztec hash leaves out COMMIT_TAG; its scripts rebuilt a tagged commit's image when the
  // Dockerfile bakes the tag in (check_rebuild: ARG COMMIT_TAG=), else a release would ship
  // the image an untagged commit built.
  const bool bakes_tag = env.settings.aztec && !env.settings.commit_tag.empty() && env.snapshot &&
                         BakesCommitTag(env, project);
  if (is_forced || is_tainted || bakes_tag) {
    BuildDecision decision{true,
                           is_forced   ? "forced"
                           : bakes_tag ? "the Dockerfile bakes in COMMIT_TAG (ARG COMMIT_TAG=)"
                                       : "tainted",
                           is_tainted};
    auto existing = env.store.OwnIdentity(project.name, CacheTag(hash.hash));
    if (!existing) return existing.error();
    if (*existing) {
      decision.previous = **existing;
      decision.reason += ": replaces the image cache-" + Short(hash.hash) + " names now";
    }
    return decision;
  }
  if (project.multiarch == "buildx") {
    return Error{"project '" + project.name + "': multiarch: buildx needs docker buildx, which " +
                 "this builder does not have; build each architecture on its own machine with " +
                 "multiarch: host, or install the buildx plugin"};
  }
  // multiarch: host: this architecture's image decides; another's says nothing about it.
  const bool per_arch = project.multiarch == "host" && !env.settings.arch.empty();
  const std::string tag =
      per_arch ? tag::ArchImage(hash.hash, env.settings.arch) : CacheTag(hash.hash);
  const std::string shown = "cache-" + Short(hash.hash) + (per_arch ? "-" + env.settings.arch : "");
  if (listed(tag)) return BuildDecision{false, "image " + shown + " exists"};
  return BuildDecision{true, "no image " + shown};
}

Expected<PinnedDockerfile> PinDockerfile(const BuildEnvironment& env, int p,
                                         const std::string& text) {
  const Project& project = env.manifest.projects[p];
  auto stages = ParseDockerfileStages(text, project.build_args);
  if (!stages) return Error{project.dockerfile_path + ": " + stages.error().message};
  // Each FROM that names a dependency (FROM greeting, FROM team/greeting:latest, FROM ${BASE}
  // with BASE from buildArgs) is pinned to that dependency's exact image in a copy of the
  // Dockerfile that hoist hands to the builder. Nothing is re-tagged on the engine, so two
  // checkouts or CI jobs sharing one engine never see each other's dependencies.
  PinnedDockerfile result;
  std::vector<int> deps = env.graph.TransitiveDependencies(p);
  // In a registry, by digest too: the build uses exactly the image it pulled, whatever moves
  // the tag meanwhile.
  Status digests = Ok();
  auto image_of = [&](int named) {
    const std::string& name = env.manifest.projects[named].name;
    const std::string tag = CacheTag(env.hashes[named].hash);
    auto digest = env.store.Digest(name, tag);
    if (!digest && digests) digests = digest.error();
    std::string source = env.store.ReadReference(name, tag);  // where the digest was found
    if (digest && *digest) source += "@" + **digest;
    auto& images = result.dependency_images;
    if (std::find(images.begin(), images.end(), source) == images.end()) images.push_back(source);
    return source;
  };
  std::map<int, std::string> pinned;
  auto& stage_names = result.stage_names;
  for (const auto& stage : *stages) {
    bool local_stage =
        std::find(stage_names.begin(), stage_names.end(), stage.base) != stage_names.end();
    if (!stage.name.empty()) stage_names.push_back(stage.name);
    if (local_stage || stage.base == "scratch") continue;
    int named = -1;
    for (const auto& candidate : ImageNameCandidates(stage.base)) {
      if ((named = env.manifest.IndexOf(candidate)) >= 0) break;
    }
    if (named < 0) {  // an outside image: exactly the one the hash names
      if (!env.bases) continue;
      std::string exact = env.bases->Pinned(stage.base);
      if (exact.empty()) {
        return Error{project.dockerfile_path + ":" + std::to_string(stage.line) + ": FROM " +
                     stage.base + " was not resolved to an image"};
      }
      pinned[stage.line] = exact;
      continue;
    }
    if (named == p || std::find(deps.begin(), deps.end(), named) == deps.end()) {
      return Error{project.dockerfile_path + ":" + std::to_string(stage.line) + ": FROM " +
                   stage.base + " names project '" + env.manifest.projects[named].name +
                   "', which is not a dependency of '" + project.name + "'; add it to " +
                   "dependencies in " + env.manifest.file};
    }
    pinned[stage.line] = image_of(named);
  }
  // COPY --from=greeting and RUN --mount=from=greeting name a dependency's image as well.
  result.text = PinFromFlags(PinFromLines(text, *stages, pinned), [&](const std::string& name) {
    if (std::find(stage_names.begin(), stage_names.end(), name) != stage_names.end()) {
      return std::string();  // a stage of this Dockerfile
    }
    for (const auto& candidate : ImageNameCandidates(name)) {
      int named = env.manifest.IndexOf(candidate);
      if (named < 0 || std::find(deps.begin(), deps.end(), named) == deps.end()) continue;
      return image_of(named);
    }
    return env.bases ? env.bases->Pinned(name) : std::string();  // an outside image
  });
  if (!digests) return digests.error();
  return result;
}

Status BuildProject(BuildEnvironment& env, int p, const BuildDecision& decision,
                    const LineSink& on_line, const LineSink& on_phase) {
  const Project& project = env.manifest.projects[p];
  const std::string& hash = env.hashes[p].hash;
  ImageStore& store = env.store;
  ImageBuilder& builder = env.builder;
  auto fail = [&](const std::string& why) {
    return Error{"project '" + project.name + "': " + why};
  };

  auto submodules = InitSubmodules(env.repo, env.submodule_status, project, on_line);
  if (!submodules) return fail(submodules.error().message);

  if (!env.snapshot || !env.patterns) return fail("internal error: no source snapshot");
  // The Dockerfile as the snapshot has it (committed, or the working tree's when dirty).
  auto read = ReadSnapshotFile(env.repo, *env.snapshot, project.dockerfile_path);
  if (!read) return fail(read.error().message);
  if (!*read) {
    return fail("Dockerfile '" + project.dockerfile_path + "' does not exist (the manifest's " +
                "'dockerfile: " + project.dockerfile + "' is relative to projectDir '" +
                project.project_dir + "'; a new Dockerfile must be committed, or added with " +
                "git add)");
  }
  const std::string& text = **read;
  auto context = PlanBuildContext(env.manifest, *env.patterns, *env.snapshot, env.repo, p);
  if (!context) return fail(context.error().message);
  auto pinned = PinDockerfile(env, p, text);
  if (!pinned) return fail(pinned.error().message);
  const std::string& pinned_text = pinned->text;
  const std::vector<std::string>& stage_names = pinned->stage_names;
  auto phase = [&](const char* name) {
    if (on_phase) on_phase(name);
  };
  // A push or a pull can take minutes: the log and the status line say which one runs.
  auto push = [&](const std::string& reference) {
    phase("push");
    if (on_line) on_line("hoist: pushing " + reference);
    return builder.Push(reference, on_line);
  };
  if (!store.InEngine()) {  // the dependencies' images, from the registry
    for (const auto& image : pinned->dependency_images) {
      phase("pull");
      if (on_line) on_line("hoist: pulling " + image);
      auto pulled = builder.Pull(image, on_line);
      if (!pulled) return fail(pulled.error().message);
    }
  }

  // The context is hoist's own: exactly the hashed files, streamed from the snapshot.
  const std::string branch = env.settings.branch.empty() ? "detached" : env.settings.branch;
  BuildRequest request;
  request.context = [&repo = env.repo, &plan = *context, &pinned_text](const ByteSink& sink) {
    return WriteBuildContext(repo, plan, pinned_text, sink);
  };
  request.dockerfile = kContextDockerfile;
  request.network = env.settings.network;
  request.platform = env.settings.platform;
  request.build_args = project.build_args;
  request.build_args["COMMIT_HASH"] = env.settings.commit;
  request.build_args["ARG_COMMIT_HASH"] = env.settings.commit;
  request.build_args["COMMIT_TAG"] = env.settings.commit_tag;
  if (env.settings.aztec) {
    // As its YAML-era build: no commit in the image (the hash does not hold one).
    request.build_args.erase("COMMIT_HASH");
    request.build_args.erase("ARG_COMMIT_HASH");
    request.build_args["ARG_CONTENT_HASH"] = hash;
    const std::string& tag = env.settings.commit_tag;
    if (tag.size() > 1 && tag[0] == 'v' && std::isdigit(static_cast<unsigned char>(tag[1]))) {
      request.build_args["COMMIT_TAG"] = tag.substr(1);
    }
  }
  request.labels["org.opencontainers.image.revision"] = env.settings.commit;
  if (!env.settings.source_url.empty()) {
    request.labels["org.opencontainers.image.source"] = env.settings.source_url;
  }
  request.labels["dev.hoist.hash"] = hash;

  auto pull_quietly = [&](const std::vector<std::string>& references) {
    if (store.InEngine()) return;
    phase("pull");
    for (const auto& reference : references) (void)builder.Pull(reference, nullptr);
  };

  // Each named stage, cached from its image of the last build on this branch.
  std::vector<std::string> stage_images;
  for (const auto& name : stage_names) {
    BuildRequest stage = request;
    stage.target = name;
    if (name.size() > tag::kMaxStageName) {
      return fail(project.dockerfile_path + ": stage name '" + name + "' is longer than " +
                  std::to_string(tag::kMaxStageName) +
                  " characters, too long for its tag; shorten it");
    }
    std::string image = store.Reference(project.name, tag::StageImage(hash, name));
    std::string previous = store.Reference(project.name, tag::BranchStageImage(branch, name));
    stage.tags = {image};
    if (store.InEngine()) stage.tags.push_back(previous);  // the branch's tag, for free
    stage.cache_from = {previous};
    pull_quietly(stage.cache_from);
    phase("build");
    if (on_line) on_line("hoist: building stage " + name);
    auto built = builder.Build(stage, on_line);
    if (!built) return fail("stage " + name + ": " + built.error().message);
    if (!store.InEngine()) {
      auto pushed = push(image);
      if (!pushed) return fail(pushed.error().message);
    }
    stage_images.push_back(image);
  }

  // The final image, cached from the stages and the project's last build on this branch.
  std::string image = store.Reference(project.name, CacheTag(hash));
  std::string previous = store.Reference(project.name, tag::BranchImage(branch));
  request.tags = {image};
  if (store.InEngine()) request.tags.push_back(previous);
  std::string arch_tag;
  if (project.multiarch == "host") {
    auto arch = builder.Architecture();
    if (!arch) return fail(arch.error().message);
    arch_tag = tag::ArchImage(hash, env.settings.aztec && *arch == "amd64" ? "x86_64" : *arch);
    request.tags.push_back(store.Reference(project.name, arch_tag));
  }
  request.cache_from = stage_images;
  request.cache_from.push_back(previous);
  pull_quietly({previous});
  phase("build");
  auto built = builder.Build(request, on_line);
  if (!built) return fail(built.error().message);
  if (!store.InEngine()) {
    // The per-arch tag first: cache-<hash> appears last, only once everything is stored. For
    // multiarch: host it is an index of every architecture built so far (each builder adds
    // its own), written by a registry call: pushing this machine's image there would hide
    // the others'.
    if (!arch_tag.empty()) {
      auto pushed = push(store.Reference(project.name, arch_tag));
      if (!pushed) return fail(pushed.error().message);
      auto combined =
          store.CombineArchitectures(project.name, hash, tag::Classify(arch_tag, hash).name);
      if (!combined) return fail(combined.error().message);
    } else {
      auto pushed = push(image);
      if (!pushed) return fail(pushed.error().message);
    }
  }
  // Bookkeeping after success: the branch's moving tags (a registry retag), the taint spent.
  phase("record");
  if (!store.InEngine()) {
    for (const auto& name : stage_names) {
      (void)store.Tag(project.name, tag::StageImage(hash, name),
                      tag::BranchStageImage(branch, name));
    }
    auto moved = store.Tag(project.name, CacheTag(hash), tag::BranchImage(branch));
    if (!moved && on_line) on_line("hoist: warning: " + moved.error().message);
  }
  if (decision.tainted) {
    auto untainted = store.DeleteMarker(project.name, tag::kTaint);
    // The Aztec scripts tainted with an image (tag_remote_image P cache-… tainted) and untagged
    // it after the rebuild (untag_remote_image P tainted); so does hoist under their tags.
    if (!untainted && env.settings.aztec &&
        untainted.error().message.find("names an image") != std::string::npos) {
      untainted = store.Untag(project.name, tag::kTaint);
    }
    if (!untainted) return fail(untainted.error().message);
  }
  const std::string inputs =
      env.recorded_inputs && static_cast<size_t>(p) < env.recorded_inputs->size()
          ? (*env.recorded_inputs)[p]
          : "";
  return RecordBuild(store, project, hash, env.settings.commit, decision, inputs, branch, on_line);
}

}  // namespace hoist

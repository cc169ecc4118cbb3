#include <algorithm>
#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "source/content_hash.h"
#include "store/tag_names.h"

namespace hoist {
namespace {

// Questions to the store in flight at once.
constexpr size_t kParallelQueries = 8;

struct ProjectStatus {
  std::string project;
  std::string hash;
  bool dirty = false;
  std::optional<bool> present;  ///< nullopt: could not tell
  std::string image_tier;       ///< who wrote the image: "trusted", "untrusted", "local"
  std::vector<std::string> markers;
  std::map<std::string, std::string> marker_tiers;
  std::string error;
};

/// Runs `work(i)` for i in [0, count) on a few threads.
void ForEachParallel(size_t count, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(count, kParallelQueries); ++t) {
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < count;) work(i);
    });
  }
  for (auto& thread : threads) thread.join();
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "status", "For each project: its hash, whether its image cache-<hash> exists, its markers");
  struct Options {
    std::vector<std::string> projects;
    std::string compat;
  };
  auto options = std::make_shared<Options>();
  command->add_option("PROJECT", options->projects, "Projects (default: all)");
  command->add_option("--compat", options->compat, "'aztec': the seed's hashes and tags")
      ->envname("HOIST_COMPAT")
      ->check(CLI::IsMember(kCompatSchemes));
  command->callback([&context, &exit_code, options] {
    SnapshotOptions snapshot_options;
    snapshot_options.working_tree = true;
    context.compat = options->compat;
    context.ApplyScheme(snapshot_options);
    context.BeginSnapshot(snapshot_options);  // while the manifest is parsed
    std::vector<int> selected = context.SelectProjects(options->projects);
    SourceSnapshot snapshot = context.Snapshot(snapshot_options);
    auto hashes = context.Hashes(snapshot, context.scheme());

    ImageStore& store = context.ReadStore();
    std::vector<ProjectStatus> rows(selected.size());
    std::vector<std::string> names;
    for (size_t i = 0; i < selected.size(); ++i) {
      rows[i].project = context.manifest().projects[selected[i]].name;
      rows[i].hash = hashes[selected[i]].hash;
      rows[i].dirty = hashes[selected[i]].dirty;
      rows[i].error = hashes[selected[i]].error;
      names.push_back(rows[i].project);
    }
    auto prepared = store.Prepare(names);
    if (!prepared) throw CommandFailure{kExitFailure, "hoist: error: " + prepared.error().message};
    // One tag listing per project answers both questions: the image and its markers.
    ForEachParallel(rows.size(), [&](size_t i) {
      ProjectStatus& row = rows[i];
      if (!row.error.empty()) return;
      auto tags = store.Tags(row.project);
      if (!tags) {
        row.error = tags.error().message;
        return;
      }
      row.present = false;
      for (const auto& name : *tags) {
        // Markers of this hash, by what they mean: "passed:unit", "deployed:acme-dev", "tainted".
        using Kind = tag::Meaning::Kind;
        tag::Meaning meaning = tag::Classify(name, row.hash);
        std::string marker;
        if (meaning.kind == Kind::kImage) {
          row.present = true;
          row.image_tier = store.TierOf(row.project, name);
        }
        if (meaning.kind == Kind::kTestPass) marker = "passed:" + meaning.name;
        if (meaning.kind == Kind::kDeployed) marker = "deployed:" + meaning.name;
        if (meaning.kind == Kind::kTainted) marker = name;
        if (marker.empty()) continue;
        row.markers.push_back(marker);
        row.marker_tiers[marker] = store.TierOf(row.project, name);
      }
      std::sort(row.markers.begin(), row.markers.end());
    });

    exit_code = kExitOk;
    nlohmann::json out = nlohmann::json::array();
    if (!context.json) {
      std::printf("%-32s %-14s %-8s %s\n", "PROJECT", "HASH", "IMAGE", "MARKERS");
    }
    for (const auto& row : rows) {
      if (!row.error.empty()) exit_code = kExitFailure;
      if (context.json) {
        out.push_back(
            {{"project", row.project},
             {"hash", row.hash.empty() ? nlohmann::json() : nlohmann::json(row.hash)},
             {"dirty", row.dirty},
             {"image", row.present ? nlohmann::json(*row.present) : nlohmann::json()},
             {"imageTier",
              row.image_tier.empty() ? nlohmann::json() : nlohmann::json(row.image_tier)},
             {"markers", row.markers},
             {"markerTiers", row.marker_tiers},
             {"error", row.error.empty() ? nlohmann::json() : nlohmann::json(row.error)}});
        continue;
      }
      // In an untrusted run, what it wrote itself is told from the trusted cache's.
      const bool tiers = store.provenance().tier == "untrusted";
      auto tier_of = [&](const std::string& tier) {
        return tiers && tier == "untrusted" ? std::string(" (untrusted)") : std::string();
      };
      std::string image = !row.present ? "?" : (*row.present ? "yes" : "no");
      if (row.present && *row.present) image += tier_of(row.image_tier);
      std::string markers;
      for (const auto& marker : row.markers) {
        markers += (markers.empty() ? "" : " ") + marker + tier_of(row.marker_tiers.at(marker));
      }
      std::printf("%-32s %-14s %-8s %s\n", row.project.c_str(),
                  (row.hash.substr(0, 12) + (row.dirty ? "+" : "")).c_str(), image.c_str(),
                  markers.c_str());
      if (!row.error.empty()) std::fprintf(stderr, "hoist: error: %s\n", row.error.c_str());
    }
    std::fflush(stdout);
    if (context.json) {
      PrintJson(
          "status",
          {{"store", store.Describe()}, {"tier", store.provenance().tier}, {"projects", out}});
    }
  });
}

}  // namespace hoist

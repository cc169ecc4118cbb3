#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_output.h"
#include "source/content_hash.h"
#include "store/tag_names.h"

namespace hoist {

void AddTaintCommand(CLI::App& app, CommandContext& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "taint", "Mark a project for rebuild on the next build (the 'tainted' marker)");
  auto project = std::make_shared<std::string>();
  auto clear = std::make_shared<bool>(false);
  command->add_option("PROJECT", *project, "A project of the manifest")->required();
  command->add_flag("--clear", *clear, "Remove the mark instead");
  command->callback([&context, &exit_code, project, clear] {
    int p = context.ProjectIndex(*project);
    ImageStore& store = context.Store();
    if (*clear) {
      auto done = store.DeleteMarker(*project, tag::kTaint);
      if (!done) throw CommandFailure{kExitFailure, "hoist: error: " + done.error().message};
    } else {
      SnapshotOptions options;
      options.working_tree = true;
      SourceSnapshot snapshot = context.Snapshot(options);
      auto hashes = context.Hashes(snapshot, HashScheme::kV1);
      Marker marker;
      marker.kind = "tainted";
      marker.project = *project;
      marker.hash = hashes[p].hash;
      marker.commit = snapshot.commit();
      auto done = store.PutMarker(*project, tag::kTaint, marker);
      if (!done) throw CommandFailure{kExitFailure, "hoist: error: " + done.error().message};
    }
    if (context.json) {
      PrintJson("taint", {{"project", *project}, {"tainted", !*clear}});
    } else {
      std::cerr << "hoist: " << *project
                << (*clear ? " is no longer tainted"
                           : " is tainted: its next build rebuilds it, whatever is cached")
                << " (" << context.Store().Describe() << ")\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace hoist

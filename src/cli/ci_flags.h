#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "ci/ci_pipeline.h"
#include "cli/command_context.h"

namespace hoist {

/// The options every form of the pipeline is made with: ci generate's, ci plan's, ci job's.
struct CiFlags {
  std::string vendor;
  std::string setup;
  std::vector<std::string> deploy_branches;
  std::string runner;
  std::string hoist;
  std::string remote;
  bool dynamic = false;

  void Add(CLI::App& command);
  /// The words that give these options again (after `ci generate` or `ci plan`).
  std::vector<std::string> Words() const;
  /// hoist.yml ci: with these options over it; a CommandFailure for a pinned install of
  /// another version than this hoist's.
  CiOptions Settings(CommandContext& context) const;
};

/// `hoist ci plan` and `hoist ci job`, the commands of an affected-only pipeline.
void AddCiPlanCommands(CLI::App& ci, CommandContext& context, int& exit_code);

}  // namespace hoist

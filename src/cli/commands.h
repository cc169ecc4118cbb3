#pragma once

#include <CLI/CLI.hpp>

#include "cli/command_context.h"

namespace hoist {

/// Each Add*Command registers one subcommand on `app`; its callback throws CommandFailure or
/// sets `exit_code` when it does not succeed.
void AddProjectsCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddQueryCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddGraphCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddHashCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddAffectedCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddExplainCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddImageCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddTaintCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddStatusCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddBuildCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddEnvCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddCompatCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddTestCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddDeployCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddCiCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddCheckCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddContextCommand(CLI::App& app, CommandContext& context, int& exit_code);
void AddSelfCommand(CLI::App& app, CommandContext& context, int& exit_code);
/// `hoist doctor` and `hoist version`.
void AddDoctorCommand(CLI::App& app, CommandContext& context, int& exit_code);
/// `hoist completion SHELL` and `hoist man`, made from `app` itself: added last.
void AddDocsCommands(CLI::App& app, int& exit_code);

}  // namespace hoist

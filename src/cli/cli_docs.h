#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hoist {

/// Shell completions and the man page, made from the command line's own definitions (every
/// visible subcommand, option and positional of `app`), so they cannot drift from it.
/// Completions offer subcommands, options, and project names (from `hoist projects`) where a
/// command takes PROJECT.
std::string BashCompletion(const CLI::App& app);
std::string ZshCompletion(const CLI::App& app);
std::string FishCompletion(const CLI::App& app);
/// hoist(1) in roff (man(7) macros).
std::string ManPage(const CLI::App& app, const std::string& version);

}  // namespace hoist

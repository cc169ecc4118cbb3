#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hoist {

/// "hoist image tag": the command `app` is, as typed.
std::string CommandPath(const CLI::App& app);

/// The command that `words` name under `app` (`image tag` → hoist image tag), or nullptr with
/// `mistake` saying which word is no command and what it might have been.
const CLI::App* FindCommand(const CLI::App& app, const std::vector<std::string>& words,
                            std::string& mistake);

/// What is wrong with the command line `args` (the words after "hoist", before any "--"), with
/// a suggestion where one word is close to a known one: "unknown command 'biuld' (did you mean
/// 'build'?)", "unknown option '--al' for hoist build (did you mean '--all'?)". "" when no word
/// is unknown (CLI11's own error says what else is wrong).
std::string DescribeMistake(const CLI::App& app, const std::vector<std::string>& args);

/// The deepest command `app`'s last parse entered (hoist image, for `hoist image`).
const CLI::App& ParsedCommand(const CLI::App& app);

}  // namespace hoist

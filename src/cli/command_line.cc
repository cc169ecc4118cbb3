#include "cli/command_line.h"

#include "util/edit_distance.h"

namespace hoist {
namespace {

std::vector<const CLI::App*> Commands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands(
           [](const CLI::App* sub) { return !sub->get_disabled() && !sub->get_name().empty(); })) {
    out.push_back(sub);
  }
  return out;
}

std::string UnknownCommand(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  std::string listed;
  for (const CLI::App* sub : Commands(app)) {
    if (sub->get_group().empty()) continue;  // hidden: neither listed nor suggested
    names.push_back(sub->get_name());
    listed += (listed.empty() ? "" : ", ") + sub->get_name();
  }
  if (names.empty()) return CommandPath(app) + " has no commands ('" + word + "' is none)";
  std::string close = ClosestName(word, names);
  // A suggestion shares something with the word ('x' is not 'ci').
  if (!close.empty() && EditDistance(word, close) >= word.size()) close.clear();
  return "unknown command '" + word + "' for " + CommandPath(app) +
         (close.empty() ? " (commands: " + listed + ")" : " (did you mean '" + close + "'?)");
}

/// The option `name` ("--all", "-j") of `app` or, as it falls through, of a command above it.
const CLI::Option* FindOption(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    for (const CLI::Option* opt : app->get_options()) {
      if (opt->get_positional()) continue;
      for (const auto& long_name : opt->get_lnames()) {
        if (name == "--" + long_name) return opt;
      }
      for (const auto& short_name : opt->get_snames()) {
        if (name == "-" + short_name) return opt;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> OptionNames(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app; app = app->get_parent()) {
    for (const CLI::Option* opt : app->get_options()) {
      for (const auto& long_name : opt->get_lnames()) names.push_back("--" + long_name);
    }
  }
  return names;
}

}  // namespace

std::string CommandPath(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* up = app.get_parent(); up; up = up->get_parent()) {
    path = up->get_name() + " " + path;
  }
  return path;
}

const CLI::App* FindCommand(const CLI::App& app, const std::vector<std::string>& words,
                            std::string& mistake) {
  const CLI::App* current = &app;
  for (const auto& word : words) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : Commands(*current)) {
      if (sub->get_name() == word) next = sub;
    }
    if (!next) {
      mistake = UnknownCommand(*current, word);
      return nullptr;
    }
    current = next;
  }
  return current;
}

std::string DescribeMistake(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* current = &app;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.size() > 1 && word[0] == '-') {
      const bool is_long = word.rfind("--", 0) == 0;
      const std::string name = is_long ? word.substr(0, word.find('=')) : word.substr(0, 2);
      const CLI::Option* opt = FindOption(current, name);
      if (!opt) {
        const std::string close = ClosestName(name, OptionNames(current));
        return "unknown option '" + name + "' for " + CommandPath(*current) +
               (close.empty() ? " (see " + CommandPath(*current) + " --help)"
                              : " (did you mean '" + close + "'?)");
      }
      // Its value is the next word unless it came with it (--x=1, -j4).
      const bool attached = is_long ? word.find('=') != std::string::npos : word.size() > 2;
      if (opt->get_expected_max() > 0 && !attached) ++i;  // (a flag expects none)
      continue;
    }
    const auto commands = Commands(*current);
    if (commands.empty()) continue;  // a positional
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : commands) {
      if (sub->get_name() == word) next = sub;
    }
    if (next) {
      current = next;
      continue;
    }
    if (current->get_require_subcommand_min() > 0) return UnknownCommand(*current, word);
  }
  return "";
}

const CLI::App& ParsedCommand(const CLI::App& app) {
  const CLI::App* current = &app;
  for (;;) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : Commands(*current)) {
      if (sub->parsed()) next = sub;
    }
    if (!next) return *current;
    current = next;
  }
}

}  // namespace hoist

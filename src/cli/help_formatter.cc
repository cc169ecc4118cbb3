#include "cli/help_formatter.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "cli/help_examples.h"
#include "cli/terminal.h"

namespace hoist {
namespace {

constexpr size_t kNameColumn = 30;

/// The name of an option's value: its option_text, else CLI11's type name cut before any
/// validator ("INT:INT in [1 - 256]" is "N").
std::string ValueName(const CLI::Option* opt) {
  if (!opt->get_option_text().empty()) return opt->get_option_text();
  std::string type = opt->get_type_name();
  type = type.substr(0, type.find_first_of(": "));
  if (type == "INT" || type == "UINT" || type == "FLOAT") return "N";
  // Text: the option's own name, as a man page writes it (--vendor VENDOR).
  std::string name = opt->get_lnames().empty() ? "" : opt->get_lnames().front();
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return name.empty() ? "VALUE" : name;
}

}  // namespace

size_t HelpWidth() {
  size_t width = TerminalColumns(STDOUT_FILENO);
  if (width == 0) width = TerminalColumns(STDERR_FILENO);
  if (width == 0) {
    const char* columns = std::getenv("COLUMNS");
    if (columns) width = static_cast<size_t>(std::strtoul(columns, nullptr, 10));
  }
  if (width == 0) width = 80;
  return std::clamp<size_t>(width, 40, 120);
}

std::vector<std::string> WrapWords(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream paragraphs(text);
  std::string paragraph;
  while (std::getline(paragraphs, paragraph)) {
    std::istringstream words(paragraph);
    std::string word, line;
    while (words >> word) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    lines.push_back(line);
  }
  return lines;
}

HelpFormatter::HelpFormatter(size_t width) : width_(width) {
  column_width(kNameColumn);
}

std::string HelpFormatter::Row(const std::string& name, const std::string& description) const {
  std::string out = "  " + name;
  const size_t column = std::min(kNameColumn, width_ / 2);
  const auto lines = WrapWords(description, width_ - column);
  if (out.size() + 1 > column && !lines.empty()) {
    out += "\n" + std::string(column, ' ');
  } else {
    out += std::string(column - out.size(), ' ');
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n" + std::string(column, ' ');
    out += lines[i];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\n";
}

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  return Row(make_option_name(opt, is_positional) + make_option_opts(opt), make_option_desc(opt));
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  std::string out;
  if (opt->get_expected_max() > 0 && !opt->get_positional()) {  // (a flag takes no value)
    out += " " + ValueName(opt);
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    if (!opt->get_default_str().empty()) out += " (default " + opt->get_default_str() + ")";
  }
  if (opt->get_required() && !opt->get_positional()) out += " (required)";
  if (opt->get_positional() && opt->get_expected_max() == CLI::detail::expected_max_vector_size) {
    out += " ...";
  }
  if (!opt->get_envname().empty()) out += " (env " + opt->get_envname() + ")";
  return out;
}

std::string HelpFormatter::make_option_usage(const CLI::Option* opt) const {
  // A positional's name as written ("PROJECT FROM TO"), "..." for a list, [] when optional.
  std::string usage = opt->get_name(true, false);
  if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) usage += "...";
  return opt->get_required() ? usage : "[" + usage + "]";
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  return Row(sub->get_display_name(true), sub->get_description());
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const std::string description = app->get_description();
  if (description.empty()) return "";
  std::string out;
  for (const auto& line : WrapWords(description, width_)) out += line + "\n";
  return out;
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  std::string out;
  const CLI::App* root = app;
  while (root->get_parent()) root = root->get_parent();
  if (root != app) {
    // hoist's own options go before or after the command.
    out += "Global options (anywhere on the command line):\n";
    for (const CLI::Option* opt : root->get_options()) {
      if (opt->get_positional() || opt == root->get_help_ptr() || opt->get_name() == "--version" ||
          opt->get_group().empty()) {
        continue;
      }
      out += make_option(opt, false);
    }
  }
  // Examples: each command line whole (never wrapped), what it does below it.
  std::string path;
  for (const CLI::App* at = app; at != root; at = at->get_parent()) {
    path = at->get_name() + (path.empty() ? "" : " " + path);
  }
  const auto& examples = HelpExamples(path);
  if (!examples.empty()) {
    out += "\nExamples:\n";
    for (const auto& [line, what] : examples) {
      out += "  " + line + "\n";
      for (const auto& said : WrapWords(what, width_ > 6 ? width_ - 6 : width_)) {
        out += "      " + said + "\n";
      }
    }
  }
  if (!app->get_footer().empty()) {
    out += "\n";
    for (const auto& line : WrapWords(app->get_footer(), width_)) out += line + "\n";
  }
  return out;
}

}  // namespace hoist

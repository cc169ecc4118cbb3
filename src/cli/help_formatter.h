#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hoist {

/// The width help is fitted to: the terminal's (stdout's, else stderr's), else COLUMNS, else 80;
/// never below 40 nor above 120 (longer lines read badly).
size_t HelpWidth();

/// `text` broken between words into lines of at most `width` characters (a word longer than
/// that stands on a line of its own, unbroken); existing line breaks are kept.
std::vector<std::string> WrapWords(const std::string& text, size_t width);

/// CLI11's help, fitted to `width` and without its artefacts: descriptions wrap between words
/// under their column, an option shows the name of its value (`-j N`, `--vendor VENDOR`), not
/// CLI11's type and validator (`INT:INT in [1 - 256]`, `TEXT x 2 REQUIRED`), and a
/// subcommand's help ends with the global options it accepts too.
class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(size_t width);
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* opt) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
  std::string make_option_usage(const CLI::Option* opt) const override;

 private:
  /// A row: `name` in the first column, `description` wrapped in the second.
  std::string Row(const std::string& name, const std::string& description) const;
  size_t width_;
};

}  // namespace hoist

#include <iostream>

#include "cli/cli_docs.h"
#include "cli/commands.h"
#include "hoist_version.h"

namespace hoist {

void AddDocsCommands(CLI::App& app, int& exit_code) {
  auto* completion = app.add_subcommand(
      "completion", "Print the shell completion script: source <(hoist completion bash)");
  auto shell = std::make_shared<std::string>();
  completion->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&app, &exit_code, shell] {
    std::cout << (*shell == "bash"  ? BashCompletion(app)
                  : *shell == "zsh" ? ZshCompletion(app)
                                    : FishCompletion(app));
    exit_code = kExitOk;
  });
  // The man page is installed by the packages; the command that writes it is not for users.
  auto* man = app.add_subcommand("man", "Print hoist(1) in roff")->group("");
  man->callback([&app, &exit_code] {
    std::cout << ManPage(app, HOIST_VERSION " (" HOIST_COMMIT ")");
    exit_code = kExitOk;
  });
}

}  // namespace hoist

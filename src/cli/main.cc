#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/command_context.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/help_formatter.h"
#include "hoist_version.h"
#include "run/interrupts.h"

int main(int argc, char** argv) {
  using namespace hoist;
  // First, before any thread: the one owner of SIGINT, SIGTERM and SIGHUP.
  interrupts::Install();
  CLI::App app{"hoist: a fast, stateless build orchestrator for monorepos of container images",
               "hoist"};
  app.require_subcommand(1);
  // Inherited by every command added below: help fitted to the terminal, and hoist's own
  // options accepted after the command too (`hoist build api --json`).
  app.formatter(std::make_shared<HelpFormatter>(HelpWidth()));
  app.fallthrough();
  app.set_version_flag("--version", "hoist " HOIST_VERSION " (commit " HOIST_COMMIT ")");
  CommandContext context;
  int exit_code = kExitOk;
  app.add_option("-C", context.directory, "Run as if started in DIR")->option_text("DIR");
  app.add_option("--manifest", context.manifest_path,
                 "The manifest (default: build_manifest.yml or .json at the git top level)")
      ->option_text("FILE");
  app.add_flag("--json", context.json, "Print results as JSON");
  app.add_flag("-v,--verbose", context.verbose, "Say more about what happens");
  app.add_option("--registry", context.registry,
                 "Cache registry HOST[:PORT][/PREFIX] (default: the local Docker engine)")
      ->envname("HOIST_REGISTRY")
      ->option_text("HOST");
  app.add_option("--deploy-registry", context.deploy_registry,
                 "Deploy registry HOST[:PORT][/PREFIX]")
      ->envname("HOIST_DEPLOY_REGISTRY")
      ->option_text("HOST");
  // One host per use (repeat it): after a command, a list would take its positionals too.
  app.add_option("--insecure-registry", context.insecure_registries,
                 "Allow plain HTTP to this registry host (loopback hosts always may; repeat "
                 "for more)")
      ->allow_extra_args(false)
      ->option_text("HOST");
  app.add_option("--registry-ca", context.registry_ca, "Also trust this CA bundle for registry TLS")
      ->envname("HOIST_REGISTRY_CA")
      ->option_text("FILE");
  app.add_option("--trust", context.trust_mode,
                 "Whether this run may write the shared cache: auto (decided from the CI's "
                 "variables and hoist.yml trust:), trusted or untrusted")
      ->envname("HOIST_TRUST")
      ->option_text("MODE");
  app.add_flag("--local", context.local,
               "Keep images in the local Docker engine even in CI (where hoist otherwise "
               "refuses to run without a cache registry)")
      ->envname("HOIST_LOCAL");
  app.add_flag("--http2", context.http2, "Use HTTP/2 with registries (default HTTP/1.1)");

  AddProjectsCommand(app, context, exit_code);
  AddQueryCommand(app, context, exit_code);
  AddGraphCommand(app, context, exit_code);
  AddHashCommand(app, context, exit_code);
  AddAffectedCommand(app, context, exit_code);
  AddExplainCommand(app, context, exit_code);
  AddImageCommand(app, context, exit_code);
  AddTaintCommand(app, context, exit_code);
  AddStatusCommand(app, context, exit_code);
  AddBuildCommand(app, context, exit_code);
  AddEnvCommand(app, context, exit_code);
  AddTestCommand(app, context, exit_code);
  AddDeployCommand(app, context, exit_code);
  AddCiCommand(app, context, exit_code);
  AddCheckCommand(app, context, exit_code);
  AddContextCommand(app, context, exit_code);
  AddSelfCommand(app, context, exit_code);
  AddDoctorCommand(app, context, exit_code);
  AddCompatCommand(app, context, exit_code);
  AddDocsCommands(app, exit_code);
  auto* help = app.add_subcommand("help", "Show a command's help: hoist help build");
  auto help_words = std::make_shared<std::vector<std::string>>();
  help->add_option("COMMAND", *help_words, "The command, e.g. build or image tag");
  help->callback([&app, help_words, &exit_code] {
    std::string mistake;
    const CLI::App* command = FindCommand(app, *help_words, mistake);
    if (!command) throw CommandFailure{kExitUsage, "hoist: error: " + mistake};
    // (CLI11's help() of a command would show the help of this one, parsed under it.)
    std::cout << command->get_formatter()->make_help(command, CommandPath(*command),
                                                     CLI::AppFormatMode::Normal);
    exit_code = kExitOk;
  });

  // Everything after "--" is a command for `hoist test` (CLI11 would take it as positionals).
  std::vector<std::string> args(argv + 1, argv + argc);
  context.command_line = args;
  auto dashes = std::find(args.begin(), args.end(), "--");
  if (dashes != args.end()) {
    context.trailing_command.assign(dashes + 1, args.end());
    args.erase(dashes, args.end());
  }
  if (args.empty()) {  // bare hoist: what it can do
    std::cout << app.help();
    return kExitOk;
  }
  const std::vector<std::string> given = args;
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A word hoist does not know, named with what it might have been.
    const std::string mistake = DescribeMistake(app, given);
    if (!mistake.empty()) {
      std::cerr << "hoist: error: " << mistake << "\n";
      return kExitUsage;
    }
    // A group of commands alone (hoist image): its commands.
    if (std::string(e.what()) == "A subcommand is required") {
      const CLI::App& command = ParsedCommand(app);
      std::cout << command.get_formatter()->make_help(&command, CommandPath(command),
                                                      CLI::AppFormatMode::Normal);
      return kExitOk;
    }
    app.exit(e);
    return kExitUsage;
  } catch (const CommandFailure& failure) {
    if (!failure.message.empty()) std::cerr << failure.message << "\n";
    return interrupts::Received() != 0 ? 128 + interrupts::Received() : failure.code;
  } catch (const std::exception& e) {
    std::cerr << "hoist: internal error: " << e.what() << "\n";
    return interrupts::Received() != 0 ? 128 + interrupts::Received() : kExitFailure;
  }
  std::cout.flush();
  // Stopped by a signal: everything it started was stopped and waited for.
  if (interrupts::Received() != 0) return 128 + interrupts::Received();
  return exit_code;
}

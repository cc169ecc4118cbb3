// The command line: exit codes (0 ok, 1 failure, 2 usage), messages, output formats.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/docker_engine.h"
#include "support/registry_fixture.h"
#include "support/temp_repo.h"
#include "support/terminal.h"

namespace hoist {
namespace {

using testing::Lines;
using testing::RunHoist;
using testing::TempRepo;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    repo.Write("build_manifest.yml",
               "base:\n  buildDir: base\napp:\n  buildDir: app\n  dependencies: [base]\n");
    repo.Write("base/Dockerfile", "FROM scratch\n");
    repo.Write("app/Dockerfile", "FROM base\n");
    repo.Commit();
  }
  TempRepo repo;
};

TEST_F(Cli, UsageErrorsExitWith2) {
  EXPECT_EQ(RunHoist(repo.root(), {"no-such-command"}).exit_code, 2);
  EXPECT_EQ(RunHoist(repo.root(), {"graph", "--format", "png"}).exit_code, 2);
  auto field = RunHoist(repo.root(), {"query", "dependency", "app"});
  EXPECT_EQ(field.exit_code, 2);
  EXPECT_NE(field.err.find("did you mean 'dependencies'?"), std::string::npos) << field.err;
  EXPECT_EQ(RunHoist(repo.root(), {"-C", "/no/such/dir", "projects"}).exit_code, 2);
}

TEST_F(Cli, UnknownProjectSuggestsTheClosestName) {
  auto run = RunHoist(repo.root(), {"query", "buildDir", "ap"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("unknown project 'ap'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("did you mean 'app'?"), std::string::npos) << run.err;
}

TEST_F(Cli, ManifestErrorsFailWithoutOutput) {
  repo.Write("build_manifest.yml", "app:\n  dockerfile: x\n");
  auto run = RunHoist(repo.root(), {"projects"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("build_manifest.yml:1:1: error: project 'app' has no 'buildDir'"),
            std::string::npos)
      << run.err;
}

TEST_F(Cli, OutsideAGitRepository) {
  std::string dir = ::testing::TempDir() + "hoist-no-git";
  std::filesystem::create_directories(dir);
  auto run = RunHoist(dir, {"projects"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("not inside a git repository"), std::string::npos) << run.err;
}

TEST_F(Cli, ExplicitManifestAndDirectory) {
  repo.Write("other/manifest.json", R"({"solo": {"buildDir": "base"}})");
  auto run = RunHoist("/", {"-C", repo.root(), "--manifest", "other/manifest.json", "projects"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "solo\n");
  auto missing = RunHoist(repo.root(), {"--manifest", "nope.yml", "projects"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("cannot read the manifest"), std::string::npos) << missing.err;
  // A device that never ends is refused at a bound, not read until memory runs out.
  auto endless = RunHoist(repo.root(), {"--manifest", "/dev/zero", "projects"});
  EXPECT_EQ(endless.exit_code, 1);
  EXPECT_NE(endless.err.find("larger than"), std::string::npos) << endless.err;
  auto directory = RunHoist(repo.root(), {"--manifest", "other", "projects"});
  EXPECT_EQ(directory.exit_code, 1);
  EXPECT_NE(directory.err.find("cannot read the manifest"), std::string::npos) << directory.err;
}

// A wrong DOCKER_HOST is named as such (it was "http://docker", with advice to start dockerd),
// once per run, not once per project.
TEST(CliEngine, AWrongDockerHostIsNamedOnce) {
  TempRepo repo;
  repo.Write("build_manifest.yml", "a:\n  buildDir: a\nb:\n  buildDir: b\n");
  repo.Write("a/Dockerfile", "FROM scratch\n");
  repo.Write("b/Dockerfile", "FROM scratch\n");
  repo.Commit();
  ProcessSpec spec;
  spec.argv = {HOIST_BINARY, "status"};
  spec.cwd = repo.root();
  spec.env = {"DOCKER_HOST=unix:///nonexistent/docker.sock"};
  auto run = RunProcess(spec);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 1);
  const std::string& err = run->stderr_text;
  EXPECT_NE(err.find("unix:///nonexistent/docker.sock (DOCKER_HOST)"), std::string::npos) << err;
  EXPECT_NE(err.find("unset DOCKER_HOST"), std::string::npos) << err;
  EXPECT_EQ(err.find("http://docker"), std::string::npos) << err;
  EXPECT_EQ(err.find("no Docker engine answers"), err.rfind("no Docker engine answers")) << err;
}

// hoist doctor: each check of what hoist needs here, with the fix of a failed one; the engine,
// the registry and its login are the real ones (or a DOCKER_HOST and a port nobody answers).
TEST_F(Cli, DoctorChecksWhatHoistNeedsAndSaysHowToFixIt) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "");
  testing::RegistryFixture registry;
  auto healthy = RunHoist(repo.root(), {"--registry", registry.host() + "/t", "doctor"});
  EXPECT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  for (const char* line :
       {"ok    git: git version", "ok    docker CLI: ", "ok    Docker engine: ", "ok    registry: ",
        "ok    clock: ", "ok    repository: ", "ok    disk: "}) {
    EXPECT_NE(healthy.out.find(line), std::string::npos) << line << "\n" << healthy.out;
  }
  auto json = RunHoist(repo.root(), {"--json", "doctor"});
  auto doctor = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(doctor.is_object() && doctor["checks"].is_array()) << json.out;
  const auto& checks = doctor["checks"];
  EXPECT_EQ(checks[0]["check"], "git");
  // Without a registry, that check is skipped and says how to share images.
  EXPECT_NE(json.out.find("\"status\": \"skip\""), std::string::npos) << json.out;

  auto broken = RunHoist(repo.root(), {"--registry", "127.0.0.1:1/t", "doctor"},
                         {"DOCKER_HOST=unix:///nonexistent/docker.sock"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.out.find("fail  Docker engine: "), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("      fix: check DOCKER_HOST"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("fail  registry: "), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("      fix: check the address; log in with docker login 127.0.0.1:1"),
            std::string::npos)
      << broken.out;
  // hoist version says what --version says.
  EXPECT_EQ(RunHoist(repo.root(), {"version"}).out, RunHoist(repo.root(), {"--version"}).out);
}

TEST_F(Cli, GraphFormats) {
  auto dot = RunHoist(repo.root(), {"graph"});
  EXPECT_NE(dot.out.find("\"app\" -> \"base\";"), std::string::npos) << dot.out;
  auto mermaid = RunHoist(repo.root(), {"graph", "--format", "mermaid"});
  EXPECT_NE(mermaid.out.find("graph LR"), std::string::npos);
  EXPECT_NE(mermaid.out.find("n1 --> n0"), std::string::npos) << mermaid.out;
  auto json = nlohmann::json::parse(RunHoist(repo.root(), {"graph", "--format", "json"}).out);
  EXPECT_EQ(json["edges"][0], (nlohmann::json{"app", "base"}));
  EXPECT_TRUE(json["cycle"].is_null());
}

TEST_F(Cli, GraphDrawsACycleAndWarns) {
  repo.Write("build_manifest.yml",
             "a:\n  buildDir: a\n  dependencies: [b]\n"
             "b:\n  buildDir: b\n  dependencies: [a]\n");
  auto dot = RunHoist(repo.root(), {"graph"});
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_NE(dot.out.find("\"a\" -> \"b\" [color=red];"), std::string::npos) << dot.out;
  EXPECT_NE(dot.err.find("dependency cycle: a -> b -> a"), std::string::npos);
}

TEST_F(Cli, JsonOutputs) {
  auto projects = nlohmann::json::parse(RunHoist(repo.root(), {"--json", "projects"}).out);
  EXPECT_EQ(projects["projects"][1]["project"], "app");
  EXPECT_EQ(projects["projects"][1]["dependencies"][0], "base");
  auto hash = nlohmann::json::parse(RunHoist(repo.root(), {"--json", "hash"}).out);
  EXPECT_EQ(hash["projects"].size(), 2u);
  EXPECT_EQ(hash["projects"][0]["dirty"], false);
  auto query = nlohmann::json::parse(
      RunHoist(repo.root(), {"--json", "query", "allDependencies", "app"}).out);
  EXPECT_EQ(query["values"], (nlohmann::json{"base", "app"}));
}

// "JSON: projects/graph say name, others project; build --dry-run --json is an array while build
// --json is an object; … "" for null, no schema version": every command's --json is one object
// with the vocabulary's version and the command's name, and each project is named "project".
TEST_F(Cli, EveryJsonOutputIsOneObjectWithItsSchemaVersion) {
  ASSERT_EQ(testing::EnsureDockerEngine(), "") << "status and build read the local engine";
  const std::vector<std::vector<std::string>> commands = {{"projects"},
                                                          {"graph"},
                                                          {"hash"},
                                                          {"hash", "app"},
                                                          {"query", "dependencies", "app"},
                                                          {"affected", "--base", "HEAD"},
                                                          {"explain", "app"},
                                                          {"context", "app", "--list"},
                                                          {"check"},
                                                          {"doctor"},
                                                          {"build", "--all", "--dry-run"},
                                                          {"status"}};
  for (auto args : commands) {
    std::string name = args[0];
    args.insert(args.begin(), "--json");
    auto run = RunHoist(repo.root(), args);
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    if (!json.is_object()) {
      ADD_FAILURE() << name << ": " << run.out << run.err;
      continue;
    }
    EXPECT_EQ(json["schemaVersion"], 1) << name;
    EXPECT_EQ(json["command"], name) << name;
    // Each row of a project names it "project", never "name"; no field is "" for "none".
    std::function<void(const nlohmann::json&)> visit = [&](const nlohmann::json& value) {
      if (value.is_object()) {
        EXPECT_FALSE(value.contains("name") && value.contains("dependencies")) << name << value;
        for (const auto& [key, field] : value.items()) {
          EXPECT_FALSE(field.is_string() && field.get<std::string>().empty())
              << name << ": " << key << " is \"\"";
          visit(field);
        }
      } else if (value.is_array()) {
        for (const auto& item : value) visit(item);
      }
    };
    visit(json);
  }
  // A project without a hash (a cycle) is said with null, not "".
  repo.Write("build_manifest.yml",
             "a:\n  buildDir: a\n  dependencies: [b]\nb:\n  buildDir: b\n  dependencies: [a]\n");
  for (std::vector<std::string> args : {std::vector<std::string>{"status"},
                                        {"explain", "a"},
                                        {"explain", "a", "--base", "HEAD"},
                                        {"hash"},
                                        {"context", "a", "--list"},
                                        {"build", "--all", "--dry-run"}}) {
    args.insert(args.begin(), "--json");
    auto run = RunHoist(repo.root(), args);
    EXPECT_EQ(run.out.find("\"\""), std::string::npos) << args[1] << ": " << run.out;
    EXPECT_EQ(run.err.find("internal error"), std::string::npos) << run.err;
  }
}

// "a DNS failure suggests --insecure-registry": a name with no address says so (.invalid is
// reserved never to resolve, RFC 6761).
TEST_F(Cli, ARegistryNameThatDoesNotResolveIsSaidSo) {
  auto run = RunHoist(repo.root(), {"--registry", "registry.invalid/t", "status"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("no address is known for registry.invalid: check the host name"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("--insecure-registry"), std::string::npos) << run.err;
}

TEST_F(Cli, SubmodulePathNamesTheSubmoduleHoldingBuildDir) {
  TempRepo sub;
  sub.Write("src/x.c", "x\n");
  sub.Commit();
  repo.Git({"-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root(), "third/sub"});
  repo.Write("build_manifest.yml", "inner:\n  buildDir: third/sub/src\nplain:\n  buildDir: base\n");
  repo.Commit();
  EXPECT_EQ(RunHoist(repo.root(), {"query", "submodulePath", "inner"}).out, "third/sub\n");
  EXPECT_EQ(RunHoist(repo.root(), {"query", "submodulePath", "plain"}).out, "");
}

// A command line with manners (issue "terminal experience"): a mistyped command or option is
// named with what it might have been, a command alone or a group of commands prints its help,
// `hoist help CMD`, hoist's own options anywhere and in every command's help, and help fitted
// to the terminal without CLI11's artefacts, checked in a real terminal (tmux).
TEST_F(Cli, AMistypedCommandOrOptionIsNamedWithWhatItMightBe) {
  auto command = RunHoist(repo.root(), {"biuld"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.err,
            "hoist: error: unknown command 'biuld' for hoist (did you mean 'build'?)\n");
  auto option = RunHoist(repo.root(), {"build", "--al"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_EQ(option.err,
            "hoist: error: unknown option '--al' for hoist build (did you mean '--all'?)\n");
  auto nested = RunHoist(repo.root(), {"image", "exsits", "app", "latest"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("unknown command 'exsits' for hoist image (did you mean 'exists'?)"),
            std::string::npos)
      << nested.err;
  // Nothing close: the commands there are.
  auto far = RunHoist(repo.root(), {"ci", "zzzzzz"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown command 'zzzzzz' for hoist ci (commands: generate, plan, job)"),
            std::string::npos)
      << far.err;
  // An option's value is not taken for a command, nor a command for a flag's value.
  EXPECT_EQ(RunHoist(repo.root(), {"-C", ".", "projects"}).exit_code, 0);
  EXPECT_NE(RunHoist(repo.root(), {"-v", "biuld"}).err.find("did you mean 'build'?"),
            std::string::npos);
  EXPECT_NE(RunHoist(repo.root(), {"build", "--force", "--al"}).err.find("did you mean '--all'?"),
            std::string::npos);
  // Nothing alike, or only a hidden command alike: no suggestion.
  for (const char* word : {"x", "ma"}) {
    auto run = RunHoist(repo.root(), {word});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err.find("did you mean"), std::string::npos) << run.err;
  }
  EXPECT_NE(RunHoist(repo.root(), {"help", "build", "api"}).err.find("hoist build has no commands"),
            std::string::npos);
}

TEST_F(Cli, ACommandAloneOrAGroupPrintsItsHelp) {
  auto bare = RunHoist(repo.root(), {});
  EXPECT_EQ(bare.exit_code, 0);
  EXPECT_NE(bare.out.find("Usage: hoist"), std::string::npos) << bare.out;
  EXPECT_NE(bare.out.find("\n  build "), std::string::npos) << bare.out;
  EXPECT_NE(bare.out.find("\n  status "), std::string::npos) << bare.out;
  auto group = RunHoist(repo.root(), {"image"});
  EXPECT_EQ(group.exit_code, 0) << group.err;
  for (const char* command : {"\n  exists ", "\n  tag ", "\n  untag "}) {
    EXPECT_NE(group.out.find(command), std::string::npos) << group.out;
  }
  EXPECT_NE(group.out.find("Usage: hoist image"), std::string::npos) << group.out;
}

TEST_F(Cli, HelpCommandAndGlobalOptionsAnywhere) {
  auto help = RunHoist(repo.root(), {"help", "build"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_EQ(help.out, RunHoist(repo.root(), {"build", "--help"}).out);
  EXPECT_NE(help.out.find("Usage: hoist build"), std::string::npos) << help.out;
  auto nested = RunHoist(repo.root(), {"help", "image", "tag"});
  EXPECT_EQ(nested.exit_code, 0) << nested.err;
  EXPECT_NE(nested.out.find("Usage: hoist image tag"), std::string::npos) << nested.out;
  auto wrong = RunHoist(repo.root(), {"help", "biuld"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("did you mean 'build'?"), std::string::npos) << wrong.err;
  // Every command's help lists hoist's own options, which work after the command too.
  EXPECT_NE(help.out.find("Global options (anywhere on the command line):"), std::string::npos);
  EXPECT_NE(help.out.find("--registry HOST"), std::string::npos) << help.out;
  auto json_after = RunHoist(repo.root(), {"projects", "--json"});
  EXPECT_EQ(json_after.exit_code, 0) << json_after.err;
  EXPECT_EQ(json_after.out, RunHoist(repo.root(), {"--json", "projects"}).out);
  repo.Write("sub/m.yml", "only:\n  buildDir: base\n");
  auto manifest_after = RunHoist(repo.root(), {"projects", "--manifest", "sub/m.yml"});
  EXPECT_EQ(manifest_after.out, "only\n") << manifest_after.err;
  // A repeatable global option after the command takes one value, not the command's words.
  auto hash = RunHoist(repo.root(), {"hash", "--insecure-registry", "reg.local", "app"});
  EXPECT_EQ(Lines(hash.out).size(), 1u) << hash.out;
  // Help says what is required and what the default is.
  auto generate = RunHoist(repo.root(), {"help", "ci", "generate"});
  EXPECT_NE(generate.out.find("--vendor VENDOR (required)"), std::string::npos) << generate.out;
  EXPECT_NE(RunHoist(repo.root(), {"help", "graph"}).out.find("(default dot)"), std::string::npos);
}

/// Every command's path: "build", "image tag", … (from the help of each group).
std::vector<std::vector<std::string>> AllCommands(const std::string& root) {
  std::vector<std::vector<std::string>> all;
  std::vector<std::vector<std::string>> pending = {{}};
  while (!pending.empty()) {
    auto path = pending.back();
    pending.pop_back();
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), path.begin(), path.end());
    const std::string out = RunHoist(root, args).out;
    bool in_commands = false;
    for (const auto& line : Lines(out)) {
      if (line == "Subcommands:") {
        in_commands = true;
        continue;
      }
      if (in_commands && line.rfind("  ", 0) == 0 && line[2] != ' ') {
        auto next = path;
        next.push_back(line.substr(2, line.find(' ', 2) - 2));
        if (next.back() == "help") continue;
        all.push_back(next);
        pending.push_back(next);
      } else if (in_commands && !line.empty() && line[0] != ' ') {
        in_commands = false;
      }
    }
  }
  return all;
}

TEST_F(Cli, HelpShowsValueNamesNotTheParsersArtefacts) {
  const auto commands = AllCommands(repo.root());
  EXPECT_GT(commands.size(), 20u);
  for (const auto& command : commands) {
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), command.begin(), command.end());
    auto help = RunHoist(repo.root(), args, {"COLUMNS=80"});
    SCOPED_TRACE(help.out);
    EXPECT_EQ(help.exit_code, 0);
    for (const char* artefact : {"INT:", " x 2", "REQUIRED", "TEXT", "(Env:", " in ["}) {
      EXPECT_EQ(help.out.find(artefact), std::string::npos) << artefact;
    }
    for (const auto& line : Lines(help.out)) EXPECT_LE(line.size(), 80u) << line;
    // "examples in each command's help" (a group lists its commands instead).
    if (help.out.find("\nSubcommands:") != std::string::npos) continue;
    std::string words;
    for (const auto& word : command) words += " " + word;
    const size_t examples = help.out.find("\nExamples:\n");
    ASSERT_NE(examples, std::string::npos) << words;
    EXPECT_NE(help.out.find("hoist" + words, examples), std::string::npos) << words;
  }
  auto jobs = RunHoist(repo.root(), {"help", "build"}, {"COLUMNS=80"});
  EXPECT_NE(jobs.out.find("-j,--jobs N"), std::string::npos) << jobs.out;
}

TEST_F(Cli, HelpFitsAn80ColumnTerminalWithoutWrapping) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"build", "--help"}, {"ci", "generate", "--help"}, {}}) {
    std::string command = HOIST_BINARY;
    for (const auto& arg : args) command += " " + arg;
    auto screen = testing::RunInTerminal(repo.root(), command, 80);
    // The terminal wrapped no line: its rows are the lines hoist printed.
    EXPECT_EQ(screen.rows, screen.lines);
    EXPECT_NE(screen.rows.find("Usage: hoist"), std::string::npos) << screen.rows;
    for (const auto& row : Lines(screen.rows)) EXPECT_LE(row.size(), 80u) << row;
  }
}

}  // namespace
}  // namespace hoist

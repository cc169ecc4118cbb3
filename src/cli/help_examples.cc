#include "cli/help_examples.h"

#include <map>

namespace hoist {

const std::vector<HelpExample>& HelpExamples(const std::string& path) {
  static const std::map<std::string, std::vector<HelpExample>> examples = {
      {"build",
       {{"hoist build --all", "build every project whose inputs changed, dependencies first"},
        {"hoist build api --dry-run", "say what would be built for api and why"},
        {"hoist build --affected origin/main -j 4", "build what changed since main, 4 at once"},
        {"hoist build --all --report run.html", "also write a report: graph, timeline, why"}}},
      {"test",
       {{"hoist test --all", "run every declared test job whose inputs changed"},
        {"hoist test api --job smoke", "run api's smoke job (skipped when it passed before)"},
        {"hoist test api --job lint -- make lint", "run a command in api's image"}}},
      {"deploy",
       {{"hoist deploy --dry-run", "say what would be deployed"},
        {"hoist deploy api", "deploy api, once the whole pipeline passed"}}},
      {"affected",
       {{"hoist affected --base origin/main", "the projects changed since main, in build order"},
        {"hoist affected --base HEAD~1 --files", "and which changed files affect each"}}},
      {"explain",
       {{"hoist explain api", "what api's hash is made of"},
        {"hoist explain api --base HEAD~1", "what changed since the last commit, to the file"}}},
      {"hash",
       {{"hoist hash", "every project's hash, working-tree changes included"},
        {"hoist hash api --rev HEAD~1", "api's hash for an earlier commit's files"}}},
      {"status",
       {{"hoist status", "each project's hash, image and markers"},
        {"hoist --json status api", "the same as JSON"}}},
      {"projects",
       {{"hoist projects --topo", "the projects in build order"},
        {"hoist --json projects", "each project's fields"}}},
      {"graph",
       {{"hoist graph | dot -Tsvg > graph.svg", "draw the dependency graph (Graphviz)"},
        {"hoist graph --format mermaid", "for a Markdown page"}}},
      {"query",
       {{"hoist query dependencies api", "api's dependencies, one per line"},
        {"hoist query dockerfile api", "as the Aztec build system's query_manifest"}}},
      {"check", {{"hoist check", "name files a COPY takes that no rebuild pattern covers"}}},
      {"context",
       {{"hoist context api --list", "the files of api's build context and where each is from"},
        {"hoist context api -o - | tar -t", "the build context as a tar"}}},
      {"env",
       {{"eval \"$(hoist env)\"", "COMMIT_HASH, COMMIT_TAG, DEPLOY_TAG, … in this shell"},
        {"hoist env --format github", "the same into $GITHUB_ENV"}}},
      {"taint",
       {{"hoist taint api", "rebuild api on the next build, cached or not"},
        {"hoist taint api --clear", "take the mark back"}}},
      {"doctor", {{"hoist doctor", "check git, docker, the builder, the registry, clock, disk"}}},
      {"version", {{"hoist version", "the version and commit"}}},
      {"completion", {{"source <(hoist completion bash)", "complete commands and projects"}}},
      {"help", {{"hoist help build", "the help of build"}}},
      {"image exists",
       {{"hoist image exists api cache-$(hoist hash api | cut -f2)", "exit 0 when it exists"}}},
      {"image tag", {{"hoist image tag api cache-HASH prod", "tag api's image as prod"}}},
      {"image untag", {{"hoist image untag api prod", "remove the prod tag"}}},
      {"image copy",
       {{"hoist image copy r1.example.com/t/api:prod r2.example.com/t/api:prod",
         "copy between registries"}}},
      {"ci generate",
       {{"hoist ci generate --vendor github", "write .github/workflows/hoist.yml"},
        {"hoist ci generate --vendor gitlab --check", "fail when the committed one is stale"}}},
      {"ci plan", {{"hoist ci plan --vendor github", "the jobs an affected-only pipeline runs"}}},
      {"ci job", {{"hoist ci job build-api", "run the pipeline's job build-api"}}},
      {"self publish",
       {{"hoist self publish hoist-0.1.0-linux-x86_64.tar.gz",
         "publish a release to the registry"}}},
  };
  static const std::vector<HelpExample> none;
  auto found = examples.find(path);
  return found == examples.end() ? none : found->second;
}

}  // namespace hoist

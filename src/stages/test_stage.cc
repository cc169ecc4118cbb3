#include "stages/test_stage.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "store/tag_names.h"
#include "util/process_identity.h"

namespace hoist {

Expected<std::vector<PlannedTest>> PlanTests(const Manifest& manifest,
                                             const std::vector<int>& projects, bool named,
                                             const std::string& job_name) {
  std::vector<PlannedTest> planned;
  for (int p : projects) {
    const auto& tests = manifest.projects[p].tests;
    for (const auto& job : tests) {
      if (job_name.empty() || job.name == job_name) planned.push_back({p, job});
    }
    if (!job_name.empty() && named &&
        std::none_of(tests.begin(), tests.end(),
                     [&](const TestJob& job) { return job.name == job_name; })) {
      return Error{"project '" + manifest.projects[p].name + "' declares no test job '" + job_name +
                   "' (give its command after --)"};
    }
  }
  return planned;
}

std::vector<RunJob> TestJobs(const TestEnvironment& env, const std::vector<PlannedTest>& tests,
                             const std::vector<std::string>& placement) {
  std::vector<RunJob> jobs;
  for (const auto& test : tests) {
    jobs.push_back({env.manifest.projects[test.project].name + "-" + test.job.name,
                    // A host job takes a machine only when asked to run its docker commands
                    // elsewhere; here it needs no engine slot.
                    test.job.host && (!test.on_placement || placement[test.project] == "local")
                        ? ""
                        : placement[test.project],
                    {},
                    "test"});
  }
  return jobs;
}

namespace {
/// The image a pass tag cache-<hash>-<job> goes on: the tested image; for a host job, the
/// project's image of this hash ("" when it has none: then no tag, as there is nothing to tag).
Expected<std::string> AztecTaggedImage(const TestEnvironment& env, const std::string& project,
                                       const std::string& hash, const TestJob& job,
                                       const std::string& image) {
  if (!job.host) return image;
  auto identity = env.store.Identity(project, tag::Image(hash));
  if (!identity) return identity.error();
  return *identity ? **identity : std::string();
}
}  // namespace

JobResult RunTestStageJob(const TestEnvironment& env, const PlannedTest& test, JobScope& scope) {
  const Project& project = env.manifest.projects[test.project];
  const ProjectHash& hash = env.hashes[test.project];
  if (!hash.error.empty()) return {JobOutcome::kFailed, hash.error};
  auto image = TestedImage(env.store, project.name, hash.hash, test.job);
  if (!image) return {JobOutcome::kFailed, image.error().message};
  // A compose job's pass covers its file and every image it runs, as they are now.
  std::vector<RunImage> run_images;
  auto inputs = ComposeInputs(env.store, env.manifest, env.hashes, test.project, test.job, env.root,
                              &run_images);
  if (!inputs) return {JobOutcome::kFailed, inputs.error().message};
  if (!env.force) {
    auto pass = FindTestPass(env.store, project.name, hash.hash, test.job, *image, *inputs);
    if (!pass) return {JobOutcome::kFailed, pass.error().message};
    if (*pass) {
      return {JobOutcome::kCached,
              "passed at " + (*pass)->time + " at commit " + (*pass)->commit.substr(0, 12)};
    }
    if (env.aztec_tags) {
      // The image the tag is on: the one tested, or for a job run on the host (the Aztec
      // scripts' cond_run_script), the project's image of this hash.
      auto on = AztecTaggedImage(env, project.name, hash.hash, test.job, *image);
      if (!on) return {JobOutcome::kFailed, on.error().message};
      const std::string tag = tag::AztecTestPass(hash.hash, test.job.name);
      auto tagged = env.store.Identity(project.name, tag);
      if (!tagged) return {JobOutcome::kFailed, tagged.error().message};
      // Not for a compose job: the tag says nothing of the other images it ran.
      if (!on->empty() && test.job.compose.empty() && *tagged && **tagged == *on) {
        return {JobOutcome::kCached, "passed: " + tag +
                                         " names the image, as the Aztec build "
                                         "system's scripts tagged a pass"};
      }
    }
  }
  const std::string directory = env.root + "/" + project.project_dir;
  // Unique among the runs of hoists sharing an engine; compose wants it lower case.
  static std::atomic<int> compose_runs{0};
  std::string compose_project = "hoist-" + ProcessIdentity() + "-" + std::to_string(++compose_runs);
  for (char& c : compose_project)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto ran = !test.job.compose.empty()
                 ? scope.OnMachine("the job did not finish and no pass was recorded",
                                   [&](BuildMachine& machine, ImageBuilder& builder) {
                                     scope.Say("hoist: running on " + machine.Describe());
                                     return RunComposeJob(env.store, builder, project.name,
                                                          test.job, run_images, env.local_names,
                                                          directory, compose_project, scope.sink());
                                   })
             : test.job.host && scope.job().placement.empty()
                 ? RunTestJob(env.store, env.local, project.name, hash.hash, *image, test.job,
                              directory, scope.sink())
                 : scope.OnMachine("the job did not finish and no pass was recorded",
                                   [&](BuildMachine& machine, ImageBuilder& builder) {
                                     scope.Say("hoist: running on " + machine.Describe());
                                     return RunTestJob(env.store, builder, project.name, hash.hash,
                                                       *image, test.job, directory, scope.sink());
                                   });
  if (!ran) return {JobOutcome::kFailed, ran.error().message};
  // A pass is recorded only for committed inputs: a dirty tree's hash is nobody's.
  if (hash.dirty) return {JobOutcome::kDone, "not recorded: uncommitted changes"};
  for (const auto& run : run_images) {
    if (env.hashes[env.manifest.IndexOf(run.project)].dirty) {
      return {JobOutcome::kDone, "not recorded: uncommitted changes in " + run.project};
    }
  }
  auto recorded =
      RecordTestPass(env.store, project.name, hash.hash, *image, env.commit, test.job, *inputs);
  if (!recorded) return {JobOutcome::kFailed, recorded.error().message};
  if (env.aztec_tags) {
    auto on = AztecTaggedImage(env, project.name, hash.hash, test.job, *image);
    if (!on) return {JobOutcome::kFailed, on.error().message};
    if (!on->empty()) {
      const std::string tag = tag::AztecTestPass(hash.hash, test.job.name);
      auto tagged = env.store.Tag(project.name, tag::Image(hash.hash), tag);
      if (!tagged) return {JobOutcome::kFailed, tagged.error().message};
      // Tags move by name: had cache-<hash> been rebuilt while the job ran, the pass tag
      // would name an image nobody tested. It must name the tested one, or go.
      auto now = env.store.Identity(project.name, tag);
      if (!now) return {JobOutcome::kFailed, now.error().message};
      if (!*now || **now != *on) {
        (void)env.store.Untag(project.name, tag);
        return {JobOutcome::kFailed, "cache-" + hash.hash.substr(0, 12) +
                                         " was replaced while the job ran; no pass is recorded "
                                         "for an image that was not tested"};
      }
    }
  }
  return {JobOutcome::kDone, ""};
}

}  // namespace hoist

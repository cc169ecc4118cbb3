#pragma once

#include <string>
#include <vector>

#include "run/job_runner.h"
#include "source/content_hash.h"
#include "stages/test_job.h"

namespace hoist {

/// One test job of a run: a project's declared job, or a command given on the command line.
struct PlannedTest {
  int project;
  TestJob job;
  /// A host job given on the command line with --remote: it takes a machine of its placement
  /// and its docker commands go to that machine's engine (cond_spot_run_tests). Declared host
  /// jobs stay on this machine and take none.
  bool on_placement = false;
};

/// The declared jobs of `projects` (all of them, or only `job_name`); an Error when a project
/// named on the command line (`named`) declares no job `job_name`.
Expected<std::vector<PlannedTest>> PlanTests(const Manifest& manifest,
                                             const std::vector<int>& projects, bool named,
                                             const std::string& job_name);

/// Everything the test jobs of a run read.
struct TestEnvironment {
  const Manifest& manifest;
  const std::vector<ProjectHash>& hashes;
  ImageStore& store;
  ImageBuilder& local;  ///< this machine's engine (host jobs pull nothing)
  std::string root;     ///< the repository
  std::string commit;   ///< recorded in pass markers
  bool force = false;   ///< run even when a pass is recorded
  /// --compat aztec: a pass is also the tag cache-<hash>-<job> on the image it ran in, as the
  /// Aztec build system's scripts tagged it (read when it names that same image; written).
  bool aztec_tags = false;
  /// Compose jobs: each image is also tagged PREFIX/<project> on the engine, for compose files
  /// that name images so (the Aztec build system's aztecprotocol/<project>).
  std::vector<std::string> local_names;
};

/// One job per planned test ("project-job"), none waiting for another; host jobs run on this
/// machine, the others at their project's placement (indexed like manifest.projects).
std::vector<RunJob> TestJobs(const TestEnvironment& env, const std::vector<PlannedTest>& tests,
                             const std::vector<std::string>& placement);

/// The work of a test job: skipped (cached) when a pass is recorded for the hash and the job's
/// definition; else run in the project's image (or on the host), its pass recorded on success
/// for committed inputs.
JobResult RunTestStageJob(const TestEnvironment& env, const PlannedTest& test, JobScope& scope);

}  // namespace hoist

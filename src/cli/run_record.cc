#include "cli/run_record.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace hoist {
namespace {

nlohmann::json OrNull(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

bool Ran(const RunRecord::Job& job) {
  return job.outcome == JobOutcome::kDone || job.outcome == JobOutcome::kFailed ||
         job.outcome == JobOutcome::kInterrupted;
}

double Duration(const RunRecord::Job& job) {
  return job.times.start >= 0 && job.times.end >= job.times.start ? job.times.end - job.times.start
                                                                  : 0;
}

Status WriteText(const std::string& path, const std::string& text) {
  std::error_code ignored;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  out.close();
  if (!out) {
    return Error{"cannot write the run report '" + path + "': " + std::strerror(errno) +
                 " (name a file in a directory you can write to)"};
  }
  return Ok();
}

}  // namespace

std::vector<size_t> DependencyOrder(const RunRecord& record) {
  const size_t n = record.jobs.size();
  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  std::function<void(size_t)> visit = [&](size_t j) {
    if (done[j]) return;
    done[j] = true;
    for (size_t a : record.jobs[j].after) {
      if (a < n && a != j) visit(a);
    }
    order.push_back(j);
  };
  for (size_t j = 0; j < n; ++j) visit(j);
  return order;
}

CriticalPath FindCriticalPath(const RunRecord& record) {
  // Each job finishes its chain at the latest of what it waited for plus its own time; the
  // chain ending latest is the critical path (cached and skipped jobs add no time).
  const size_t n = record.jobs.size();
  std::vector<double> finish(n, 0);
  std::vector<int> before(n, -1);
  CriticalPath path;
  size_t last = n;
  for (size_t j : DependencyOrder(record)) {
    for (size_t a : record.jobs[j].after) {
      if (a >= n || a == j) continue;
      if (finish[a] > finish[j]) {
        finish[j] = finish[a];
        before[j] = static_cast<int>(a);
      }
    }
    finish[j] += Ran(record.jobs[j]) ? Duration(record.jobs[j]) : 0;
    if (last == n || finish[j] > finish[last]) last = j;
  }
  if (last == n) return path;
  path.seconds = finish[last];
  for (int j = static_cast<int>(last); j >= 0; j = before[j]) {
    if (Ran(record.jobs[j])) path.jobs.insert(path.jobs.begin(), static_cast<size_t>(j));
  }
  return path;
}

nlohmann::json RunRecordJson(const RunRecord& record) {
  nlohmann::json counts = {{"built", 0},  {"cached", 0},  {"passed", 0},
                           {"failed", 0}, {"skipped", 0}, {"interrupted", 0}};
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : record.jobs) {
    if (counts.contains(job.result)) counts[job.result] = counts[job.result].get<int>() + 1;
    nlohmann::json after = nlohmann::json::array();
    for (size_t a : job.after) {
      if (a < record.jobs.size()) after.push_back(record.jobs[a].name);
    }
    nlohmann::json phases = nlohmann::json::array();
    for (size_t i = 0; i < job.times.phases.size(); ++i) {
      const auto& [name, start] = job.times.phases[i];
      const double end =
          i + 1 < job.times.phases.size() ? job.times.phases[i + 1].second : job.times.end;
      phases.push_back({{"name", name}, {"start", start}, {"seconds", std::max(0.0, end - start)}});
    }
    const bool ran = job.times.start >= 0;
    jobs.push_back({{"name", job.name},
                    {"project", job.project},
                    {"result", job.result},
                    {"reason", OrNull(job.reason)},
                    {"hash", OrNull(job.hash)},
                    {"image", OrNull(job.image)},
                    {"log", OrNull(job.log)},
                    {"after", after},
                    {"start", ran ? nlohmann::json(job.times.start) : nlohmann::json()},
                    {"seconds", ran ? nlohmann::json(Duration(job)) : nlohmann::json()},
                    {"phases", phases},
                    {"why", job.why}});
  }
  const CriticalPath critical = FindCriticalPath(record);
  nlohmann::json path = nlohmann::json::array();
  for (size_t j : critical.jobs) path.push_back(record.jobs[j].name);
  return {{"schemaVersion", kJsonSchemaVersion},
          {"command", record.command},
          {"started", OrNull(record.started)},
          {"seconds", record.seconds},
          {"store", OrNull(record.store)},
          {"builder", OrNull(record.builder)},
          {"counts", counts},
          {"criticalPath", {{"jobs", path}, {"seconds", critical.seconds}}},
          {"jobs", jobs}};
}

Status WriteRunReport(const RunRecord& record, const std::string& path) {
  std::filesystem::path json_path(path);
  if (json_path.extension() == ".html" || json_path.extension() == ".htm") {
    json_path.replace_extension(".json");
  } else {
    json_path += ".json";
  }
  auto html = WriteText(path, RenderHtmlReport(record));
  if (!html) return html;
  return WriteText(json_path.string(), JsonText(record.command, RunRecordJson(record)));
}

Status AppendStepSummary(const RunRecord& record) {
  const char* file = std::getenv("GITHUB_STEP_SUMMARY");
  if (!file || !*file) return Ok();
  std::ofstream out(file, std::ios::app);
  if (out) out << RenderStepSummary(record);
  out.close();
  if (!out) {
    return Error{"cannot append the job summary to $GITHUB_STEP_SUMMARY ('" + std::string(file) +
                 "'): " + std::strerror(errno)};
  }
  return Ok();
}

}  // namespace hoist

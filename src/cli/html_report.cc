// The run report as a page (RenderHtmlReport) and as GitHub's job summary (RenderStepSummary).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "cli/input_changes.h"
#include "cli/run_record.h"

namespace hoist {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Clock(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// A result's colour in the graph, and a phase's in the timeline: no colour is both.
const char* ResultColour(const std::string& result) {
  if (result == "built" || result == "passed" || result == "deployed") return "#1a7f37";
  if (result == "cached") return "#6e7781";
  if (result == "failed") return "#cf222e";
  if (result == "skipped") return "#bf8700";
  if (result == "interrupted") return "#8250df";
  return "#1a7f37";
}

const std::map<std::string, const char*>& PhaseColours() {
  static const std::map<std::string, const char*> colours = {
      {"queue", "#d0d7de"}, {"prepare", "#54aeff"}, {"pull", "#0550ae"}, {"build", "#fb8f44"},
      {"push", "#bc4c00"},  {"record", "#a475f9"},  {"test", "#4ac26b"}, {"deploy", "#3192aa"}};
  return colours;
}

const char* PhaseColour(const std::string& phase) {
  auto it = PhaseColours().find(phase);
  return it == PhaseColours().end() ? "#8c959f" : it->second;
}

std::string Cut(const std::string& name, size_t room) {
  if (name.size() <= room) return name;
  return name.substr(0, room / 2) + "…" + name.substr(name.size() - (room - 1 - room / 2));
}

// Every job each job waits for, through any number of others.
std::vector<std::set<size_t>> Closure(const RunRecord& record) {
  std::vector<std::set<size_t>> closure(record.jobs.size());
  for (size_t j : DependencyOrder(record)) {
    for (size_t a : record.jobs[j].after) {
      if (a >= record.jobs.size() || a == j) continue;
      closure[j].insert(a);
      closure[j].insert(closure[a].begin(), closure[a].end());
    }
  }
  return closure;
}

void Graph(const RunRecord& record, const std::set<size_t>& critical, std::ostream& out) {
  const size_t n = record.jobs.size();
  if (n == 0) {
    out << "<p id=\"graph\">No jobs.</p>\n";
    return;
  }
  const auto closure = Closure(record);
  // The direct edges only (what another waited-for job already waits for is implied), and
  // each job in the column of its longest chain of dependencies.
  std::vector<std::vector<size_t>> direct(n);
  for (size_t j = 0; j < n; ++j) {
    for (size_t a : closure[j]) {
      bool implied = false;
      for (size_t b : closure[j]) {
        implied = b != a && closure[b].count(a);
        if (implied) break;
      }
      if (!implied) direct[j].push_back(a);
    }
  }
  std::vector<int> depth(n, 0);
  for (size_t j : DependencyOrder(record)) {
    for (size_t a : direct[j]) depth[j] = std::max(depth[j], depth[a] + 1);
  }
  std::map<int, std::vector<size_t>> columns;
  for (size_t j = 0; j < n; ++j) columns[depth[j]].push_back(j);
  constexpr int kWidth = 190, kHeight = 36, kColumn = 250, kRow = 52, kMargin = 16;
  std::vector<std::pair<int, int>> at(n);
  size_t rows = 1;
  for (const auto& [column, jobs] : columns) {
    rows = std::max(rows, jobs.size());
    for (size_t r = 0; r < jobs.size(); ++r) {
      at[jobs[r]] = {kMargin + column * kColumn, kMargin + static_cast<int>(r) * kRow};
    }
  }
  const int width = kMargin * 2 + static_cast<int>(columns.size()) * kColumn - (kColumn - kWidth);
  const int height = kMargin * 2 + static_cast<int>(rows) * kRow - (kRow - kHeight);
  out << "<svg id=\"graph\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << " " << height << "\">\n"
      << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" "
         "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
         "fill=\"#57606a\"/></marker></defs>\n";
  for (size_t j = 0; j < n; ++j) {
    for (size_t a : direct[j]) {
      const int x1 = at[a].first + kWidth, y1 = at[a].second + kHeight / 2;
      const int x2 = at[j].first, y2 = at[j].second + kHeight / 2;
      const bool hot = critical.count(a) && critical.count(j);
      out << "<path class=\"edge\" d=\"M" << x1 << "," << y1 << " C" << (x1 + x2) / 2 << "," << y1
          << " " << (x1 + x2) / 2 << "," << y2 << " " << x2 << "," << y2
          << "\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"" << (hot ? 3 : 1.5)
          << "\" marker-end=\"url(#arrow)\"/>\n";
    }
  }
  for (size_t j = 0; j < n; ++j) {
    const auto& job = record.jobs[j];
    out << "<g class=\"node\" data-job=\"" << Escape(job.name) << "\" data-result=\""
        << Escape(job.result) << "\"><title>" << Escape(job.name + ": " + job.result)
        << (job.reason.empty() ? "" : " (" + Escape(job.reason) + ")") << "</title>"
        << "<rect x=\"" << at[j].first << "\" y=\"" << at[j].second << "\" width=\"" << kWidth
        << "\" height=\"" << kHeight << "\" rx=\"6\" fill=\"" << ResultColour(job.result) << "\""
        << (critical.count(j) ? " stroke=\"#24292f\" stroke-width=\"3\"" : "") << "/>"
        << "<text x=\"" << at[j].first + 10 << "\" y=\"" << at[j].second + 23
        << "\" fill=\"#ffffff\">" << Escape(Cut(job.name, 17)) << " · " << Escape(job.result)
        << "</text></g>\n";
  }
  out << "</svg>\n";
}

void Timeline(const RunRecord& record, const std::set<size_t>& critical, std::ostream& out) {
  std::vector<size_t> ran;
  double total = std::max(record.seconds, 0.001);
  for (size_t j = 0; j < record.jobs.size(); ++j) {
    const auto& job = record.jobs[j];
    if (job.times.start < 0 || job.outcome == JobOutcome::kCached ||
        job.outcome == JobOutcome::kSkipped) {
      continue;
    }
    ran.push_back(j);
    total = std::max(total, job.times.end);
  }
  if (ran.empty()) {
    out << "<p id=\"timeline\">Nothing ran: every job was cached or skipped.</p>\n";
    return;
  }
  std::sort(ran.begin(), ran.end(), [&](size_t a, size_t b) {
    return record.jobs[a].times.start < record.jobs[b].times.start;
  });
  constexpr int kLabel = 210, kBars = 760, kRow = 26, kBar = 18, kTop = 24;
  const double scale = kBars / total;
  const int height = kTop + static_cast<int>(ran.size()) * kRow + 8;
  out << "<svg id=\"timeline\" width=\"" << kLabel + kBars + 90 << "\" height=\"" << height
      << "\">\n";
  // An axis: a tick every 1, 2, 5, 10, … seconds, about eight in all.
  double step = 1;
  for (double s : {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}) {
    step = s;
    if (total / s <= 8) break;
  }
  for (double t = 0; t <= total + 1e-9; t += step) {
    const int x = kLabel + static_cast<int>(t * scale);
    out << "<line x1=\"" << x << "\" y1=\"" << kTop - 4 << "\" x2=\"" << x << "\" y2=\"" << height
        << "\" stroke=\"#eaeef2\"/><text x=\"" << x + 2 << "\" y=\"" << kTop - 8
        << "\" fill=\"#57606a\" font-size=\"11\">" << Clock(t) << "</text>\n";
  }
  for (size_t r = 0; r < ran.size(); ++r) {
    const auto& job = record.jobs[ran[r]];
    const int y = kTop + static_cast<int>(r) * kRow;
    out << "<g class=\"row\" data-job=\"" << Escape(job.name) << "\"><text x=\"0\" y=\"" << y + 14
        << "\"" << (critical.count(ran[r]) ? " font-weight=\"bold\"" : "") << ">"
        << Escape(Cut(job.name, 26)) << "</text>";
    // Waiting for a free slot once what it waits for was done, then each phase of its work.
    double ready = 0;
    for (size_t a : job.after) {
      if (a < record.jobs.size()) ready = std::max(ready, record.jobs[a].times.end);
    }
    std::vector<std::pair<std::string, std::pair<double, double>>> segments;
    if (job.times.start - ready > 0.05) segments.push_back({"queue", {ready, job.times.start}});
    const auto& phases = job.times.phases;
    if (phases.empty() || phases.front().second - job.times.start > 0.05) {
      const double until = phases.empty() ? job.times.end : phases.front().second;
      segments.push_back({phases.empty() ? record.command : "prepare", {job.times.start, until}});
    }
    for (size_t i = 0; i < phases.size(); ++i) {
      const double end = i + 1 < phases.size() ? phases[i + 1].second : job.times.end;
      segments.push_back({phases[i].first, {phases[i].second, end}});
    }
    for (const auto& [phase, span] : segments) {
      const int x = kLabel + static_cast<int>(span.first * scale);
      const int w = std::max(1, static_cast<int>((span.second - span.first) * scale));
      out << "<rect class=\"phase\" data-phase=\"" << Escape(phase) << "\" x=\"" << x << "\" y=\""
          << y << "\" width=\"" << w << "\" height=\"" << kBar << "\" fill=\"" << PhaseColour(phase)
          << "\"><title>" << Escape(job.name + " " + phase + " " + Number(span.second - span.first))
          << " s</title></rect>";
    }
    out << "<text x=\"" << kLabel + static_cast<int>(job.times.end * scale) + 4 << "\" y=\""
        << y + 14 << "\" font-size=\"11\" fill=\"" << ResultColour(job.result) << "\">"
        << Clock(job.times.end - job.times.start) << " " << Escape(job.result) << "</text></g>\n";
  }
  out << "</svg>\n<p class=\"legend\">";
  for (const auto& [phase, colour] : PhaseColours()) {
    out << "<span class=\"swatch\" style=\"background:" << colour << "\"></span>" << phase << " ";
  }
  out << "</p>\n";
}

std::string Counts(const RunRecord& record) {
  std::map<std::string, int> counts;
  for (const auto& job : record.jobs) ++counts[job.result];
  std::string line;
  for (const char* result :
       {"built", "passed", "deployed", "planned", "cached", "failed", "skipped", "interrupted"}) {
    if (counts[result] == 0) continue;
    line += (line.empty() ? "" : ", ") + std::to_string(counts[result]) + " " + result;
  }
  return (line.empty() ? "nothing to do" : line) + " in " + Clock(record.seconds);
}

std::string PathText(const RunRecord& record, const CriticalPath& path) {
  std::string text;
  for (size_t j : path.jobs) text += (text.empty() ? "" : " > ") + record.jobs[j].name;
  return text.empty() ? "" : text + " " + Clock(path.seconds);
}

std::vector<std::string> WhyLines(const RunRecord::Job& job) {
  std::vector<std::string> lines;
  if (!job.why.is_object() || !job.why.contains("changes")) return lines;
  lines.push_back("since " + job.why.value("commit", std::string()).substr(0, 12) + " (" +
                  SinceWords(job.why) + "), which has image cache-" +
                  job.why.value("hash", std::string()).substr(0, 12) + ":");
  ChangeLines(job.why["changes"], "  ", lines);
  return lines;
}

}  // namespace

std::string RenderHtmlReport(const RunRecord& record) {
  const CriticalPath path = FindCriticalPath(record);
  const std::set<size_t> critical(path.jobs.begin(), path.jobs.end());
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hoist "
      << Escape(record.command) << ": " << Escape(Counts(record)) << "</title>\n<style>\n"
      << "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#24292f;background:#fff}\n"
      << "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
      << "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;"
         "border-bottom:1px solid #d0d7de}\n"
      << "svg text{font:12px system-ui,sans-serif}pre{background:#f6f8fa;padding:8px}\n"
      << ".swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}\n"
      << "code{font:12px ui-monospace,monospace}\n</style></head><body>\n"
      << "<h1>hoist " << Escape(record.command) << ": " << Escape(Counts(record)) << "</h1>\n"
      << "<p>Started " << Escape(record.started.empty() ? "?" : record.started) << " · store "
      << Escape(record.store)
      << (record.builder.empty() ? "" : " · builder " + Escape(record.builder)) << "</p>\n";
  const std::string critical_text = PathText(record, path);
  out << "<p id=\"critical-path\">Critical path: "
      << (critical_text.empty() ? "none (nothing ran)" : Escape(critical_text)) << "</p>\n";
  out << "<h2>Dependency graph</h2>\n<p class=\"legend\">";
  for (const char* result : {record.command == "test" ? "passed" : "built", "cached", "failed",
                             "skipped", "interrupted"}) {
    out << "<span class=\"swatch\" style=\"background:" << ResultColour(result) << "\"></span>"
        << result << " ";
  }
  out << "· bold outline: the critical path</p>\n";
  Graph(record, critical, out);
  out << "<h2>Timeline</h2>\n";
  Timeline(record, critical, out);
  out << "<h2>Jobs</h2>\n<table id=\"jobs\"><tr><th>job</th><th>result</th><th>time</th>"
         "<th>hash</th><th>why</th><th>log</th></tr>\n";
  for (const auto& job : record.jobs) {
    const bool ran = job.times.start >= 0 && job.outcome != JobOutcome::kCached &&
                     job.outcome != JobOutcome::kSkipped;
    out << "<tr><td>" << Escape(job.name) << "</td><td style=\"color:" << ResultColour(job.result)
        << "\">" << Escape(job.result) << "</td><td>"
        << (ran ? Clock(job.times.end - job.times.start) : "") << "</td><td><code>"
        << Escape(job.hash.substr(0, 12)) << "</code></td><td>" << Escape(job.reason)
        << "</td><td><code>" << Escape(job.log) << "</code></td></tr>\n";
  }
  out << "</table>\n<h2>Why each one ran</h2>\n";
  bool any = false;
  for (const auto& job : record.jobs) {
    if (job.outcome == JobOutcome::kCached || job.outcome == JobOutcome::kSkipped) continue;
    any = true;
    out << "<h3>" << Escape(job.name) << "</h3>\n<p>" << Escape(job.reason) << "</p>\n";
    auto lines = WhyLines(job);
    if (lines.empty()) continue;
    out << "<pre class=\"why\">";
    for (const auto& line : lines) out << Escape(line) << "\n";
    out << "</pre>\n";
  }
  if (!any) out << "<p>Nothing ran.</p>\n";
  out << "</body></html>\n";
  return out.str();
}

std::string RenderStepSummary(const RunRecord& record) {
  // Text from builds (a failure quotes its output) goes into GitHub's Markdown: one line,
  // nothing Markdown or HTML reads as markup, at most 300 characters.
  auto cell = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (out.size() >= 300) {
        out += "…";
        break;
      }
      if (c == '|' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '\\') {
        out += std::string("\\") + c;
      } else if (c == '<') {
        out += "&lt;";
      } else if (c == '&') {
        out += "&amp;";
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += ' ';
      } else {
        out += c;
      }
    }
    return out;
  };
  // GitHub drops a summary over 1 MiB: at most 500 rows.
  constexpr size_t kMaxRows = 500;
  size_t rows = 0, left_out = 0;
  const CriticalPath path = FindCriticalPath(record);
  std::ostringstream out;
  out << "### hoist " << record.command << ": " << Counts(record) << "\n\n";
  const std::string critical = PathText(record, path);
  if (!critical.empty()) out << "Critical path: " << cell(critical) << "\n\n";
  bool header = false;
  for (const auto& job : record.jobs) {
    if (job.outcome == JobOutcome::kCached) continue;
    if (rows == kMaxRows) {
      ++left_out;
      continue;
    }
    ++rows;
    if (!header) {
      out << "| job | result | time | hash | why |\n|---|---|---|---|---|\n";
      header = true;
    }
    const bool ran = job.times.start >= 0 && job.outcome != JobOutcome::kSkipped;
    out << "| " << cell(job.name) << " | " << job.result << " | "
        << (ran ? Clock(job.times.end - job.times.start) : "") << " | "
        << (job.hash.empty() ? "" : "`" + job.hash.substr(0, 12) + "`") << " | " << cell(job.reason)
        << " |\n";
  }
  if (left_out > 0) out << "\n… and " << left_out << " more (see the run's --report)\n";
  if (header) out << "\n";
  return out.str();
}

}  // namespace hoist

#include "cli/build_output.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/terminal.h"

namespace hoist {
namespace {

std::mutex shown_mutex;
BuildOutput* shown = nullptr;  // the BuildOutput whose status line is on the terminal

}  // namespace

void SayOwnLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(shown_mutex);
  if (shown) {
    shown->PrintAbove(line + "\n");
  } else {
    std::cerr << (line + "\n");  // one write: lines of several threads stay whole
  }
}

BuildOutput::BuildOutput(std::vector<std::string> names, size_t total, std::string log_dir,
                         bool quiet)
    : names_(std::move(names)),
      total_(total),
      log_dir_(std::move(log_dir)),
      tty_(isatty(STDERR_FILENO) && std::getenv("TERM") &&
           std::string(std::getenv("TERM")) != "dumb"),
      quiet_(quiet) {
  times_.resize(names_.size());
  const char* status = std::getenv("HOIST_STATUS");
  status_format_ = status ? status : "[%f/%t] ";
  std::filesystem::create_directories(log_dir_);
  if (tty_) {
    {
      std::lock_guard<std::mutex> lock(shown_mutex);
      shown = this;
    }
    ticker_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stop_) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        lock.lock();
        if (!stop_ && !running_.empty()) Redraw();
      }
    });
  }
}

BuildOutput::~BuildOutput() {
  Finish();
}

std::string BuildOutput::LogPath(size_t project) const {
  // A project called team/app logs to team+app.log ('+' is in no project name).
  std::string file = names_[project];
  std::replace(file.begin(), file.end(), '/', '+');
  const std::string path = log_dir_ + "/" + file + ".log";
  // A log hoist writes is a file of its own, never a link placed there to redirect it.
  std::error_code ignored;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ignored))) {
    std::filesystem::remove(path, ignored);
  }
  return path;
}

void BuildOutput::Print(const std::string& text) {
  if (tty_ && status_shown_) std::fputs("\r\x1b[K", stderr);
  std::fputs(text.c_str(), stderr);
  status_shown_ = false;
}

void BuildOutput::Redraw() {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  std::string line =
      FormatStatus(status_format_, finished_, total_, running_.size(), now - started_);
  // One row, never wrapped (a wrapped status line leaves a stale copy at every redraw): the
  // terminal's width less its last column, which some terminals wrap at.
  size_t width = TerminalColumns(STDERR_FILENO);
  if (width == 0) width = 80;
  const size_t room = width - 1;
  if (!running_.empty()) {
    auto oldest = running_.begin();
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->second < oldest->second) oldest = it;
    }
    std::string tail = " " + FormatClock(now - oldest->second);
    if (running_.size() > 1) tail += " (+" + std::to_string(running_.size() - 1) + " more)";
    // A pull or a push can take minutes: the status line says which one runs.
    const auto& phases = times_[oldest->first].phases;
    if (!phases.empty() && (phases.back().first == "pull" || phases.back().first == "push")) {
      tail = " " + phases.back().first + "ing" + tail;
    }
    const size_t used = line.size() + tail.size();
    line += ElideMiddle(names_[oldest->first], room > used ? room - used : 0) + tail;
  }
  if (line.size() > room) {  // cut between characters (HOIST_STATUS may hold UTF-8)
    size_t cut = room;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
  }
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  status_shown_ = true;
}

void BuildOutput::Line(size_t project, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& log = logs_[project];
  if (!log.is_open()) log.open(LogPath(project), std::ios::app);
  log << line << "\n";
  log.flush();  // so `tail -f .hoist/logs/P.log` follows a running build
  if (!tty_ && !quiet_) {
    std::fprintf(stderr, "[%s] %s\n", names_[project].c_str(), line.c_str());
  }
}

void BuildOutput::Event(const JobEvent& event) {
  std::lock_guard<std::mutex> lock(mutex_);
  const double at =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (event.kind == JobEvent::Kind::kStarted) {
    running_[event.job] = std::chrono::steady_clock::now();
    times_[event.job] = {at, -1, {}};
    auto& log = logs_[event.job];
    log.close();
    log.open(LogPath(event.job), std::ios::trunc);
    Redraw();
    return;
  }
  running_.erase(event.job);
  if (times_[event.job].start >= 0) times_[event.job].end = at;
  auto note = [&](const char* what) {  // into its log, after what it printed
    auto& log = logs_[event.job];
    if (!log.is_open()) log.open(LogPath(event.job), std::ios::app);
    log << "hoist: " << what << ": " << event.result.message << "\n";
    log.flush();
  };
  if (event.result.outcome == JobOutcome::kCached) note("cached");  // why nothing ran
  ++finished_;
  if (logs_.count(event.job)) logs_[event.job].flush();
  const std::string& name = names_[event.job];
  if (event.result.outcome == JobOutcome::kFailed) {
    std::ostringstream text;
    text << "FAILED: " << name << " (" << FormatClock(event.elapsed) << ")\n";
    if (tty_) {
      // The full log of what failed, as ninja prints a failed command's output.
      std::ifstream log(LogPath(event.job));
      text << log.rdbuf();
    }
    // Said once: the error without the output's last lines it quotes, which the log just
    // shown (or, without a terminal, the lines printed as they came) already holds.
    const std::string& message = event.result.message;
    std::string said = message.substr(0, message.find("\n    "));
    if (said.size() != message.size() && !said.empty() && said.back() == ':') said.pop_back();
    text << said << "\n"
         << "hoist: " << name << "'s log: " << LogPath(event.job) << "\n";
    Print(text.str());
    note("failed");  // (a failure before any output leaves no empty log)
  } else if (!tty_ && event.result.outcome == JobOutcome::kDone) {
    std::fprintf(stderr, "[%s] hoist: done in %s\n", name.c_str(),
                 FormatClock(event.elapsed).c_str());
  }
  Redraw();
}

void BuildOutput::Phase(size_t job, const std::string& phase) {
  std::lock_guard<std::mutex> lock(mutex_);
  const double at =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  auto& phases = times_[job].phases;
  if (!phases.empty() && phases.back().first == phase) return;  // (a second push, say)
  phases.emplace_back(phase, at);
  if (phase == "pull" || phase == "push") Redraw();
}

void BuildOutput::PrintAbove(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool was_shown = status_shown_;
  Print(text);
  if (was_shown && !stop_) Redraw();
}

std::vector<BuildOutput::JobTimes> BuildOutput::Timeline() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return times_;
}

std::chrono::steady_clock::duration BuildOutput::Elapsed() const {
  return std::chrono::steady_clock::now() - started_;
}

void BuildOutput::Finish() {
  {
    // In SayOwnLine's lock order: no line of hoist's own lands on the status row between.
    std::lock_guard<std::mutex> shown_lock(shown_mutex);
    if (shown == this) shown = nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return;
    stop_ = true;
    if (tty_ && status_shown_) std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
  }
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace hoist

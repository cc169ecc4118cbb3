#include "stages/host_command.h"

#include "util/subprocess.h"

namespace hoist {

Status RunHostCommand(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::vector<std::string>& env, const LineSink& on_line,
                      int kill_after_seconds) {
  ProcessSpec spec;
  spec.kill_after_seconds = kill_after_seconds;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.env = env;
  spec.stoppable = true;
  std::string partial;
  auto feed = [&](std::string_view chunk) {
    for (char c : chunk) {
      if (c != '\n') {
        partial += c;
        continue;
      }
      if (on_line) on_line(partial);
      partial.clear();
    }
  };
  spec.on_stdout = feed;
  spec.on_stderr = feed;
  if (on_line) on_line("$ " + FormatCommand(argv) + "   (in " + cwd + ")");
  auto result = RunProcess(spec);
  if (!partial.empty() && on_line) on_line(partial);
  if (!result) return result.error();
  if (result->exit_code != 0) {
    return Error{FormatCommand(argv) + " failed (exit status " + std::to_string(result->exit_code) +
                 ")"};
  }
  return Ok();
}

}  // namespace hoist

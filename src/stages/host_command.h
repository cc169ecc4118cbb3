#pragma once

#include <string>
#include <vector>

#include "docker/image_builder.h"
#include "util/expected.h"

namespace hoist {

/// Runs a command of a pipeline step on this machine in `cwd` (with extra `env`,
/// "NAME=value"), each output line to `on_line` after a "$ command" line; stopped by Ctrl-C
/// with the rest. An Error names the command and its exit status.
/// `kill_after_seconds` as ProcessSpec's (0: a stop never kills it).
Status RunHostCommand(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::vector<std::string>& env, const LineSink& on_line,
                      int kill_after_seconds = 10);

}  // namespace hoist

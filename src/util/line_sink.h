#pragma once

#include <functional>
#include <string>

namespace hoist {

/// Receives a job's output (a build, a test, a deploy step), one line at a time.
using LineSink = std::function<void(const std::string&)>;

}  // namespace hoist

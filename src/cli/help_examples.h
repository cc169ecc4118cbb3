#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hoist {

/// A command line and what it does, for a command's help.
using HelpExample = std::pair<std::string, std::string>;

/// The examples of the command `path` ("build", "image exists", "ci generate"); none for an
/// unknown one.
const std::vector<HelpExample>& HelpExamples(const std::string& path);

}  // namespace hoist

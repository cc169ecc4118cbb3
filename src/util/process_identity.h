#pragma once

#include <string>

namespace hoist {

/// This hoist process's name among others on shared machines and engines: "<host>-<pid>-<ms
/// since the epoch>", made of letters, digits and '-' only (fit for container names and cloud
/// tags); the same for the whole run.
const std::string& ProcessIdentity();

}  // namespace hoist

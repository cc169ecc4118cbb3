#pragma once
// Every `--json` output in one vocabulary (README "Machine-readable output").

#include <nlohmann/json.hpp>
#include <string>

namespace hoist {

/// The version of the vocabulary; raised when a field changes meaning or goes away (new
/// fields may appear in any version).
inline constexpr int kJsonSchemaVersion = 1;

/// Prints `body` as the one JSON object of a command: {"schemaVersion": 1, "command": "image
/// exists", …body's fields}. A list is given under `list_key` ("projects", "jobs", …).
void PrintJson(const std::string& command, const nlohmann::json& body,
               const std::string& list_key = "projects");
/// PrintJson's text.
std::string JsonText(const std::string& command, const nlohmann::json& body,
                     const std::string& list_key = "projects");

}  // namespace hoist

#include "cli/json_output.h"

#include <iostream>

namespace hoist {

std::string JsonText(const std::string& command, const nlohmann::json& body,
                     const std::string& list_key) {
  // schemaVersion and command first, whatever order the body's fields sort in.
  nlohmann::ordered_json out = {{"schemaVersion", kJsonSchemaVersion}, {"command", command}};
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key != "schemaVersion" && key != "command") out[key] = value;
    }
  } else {
    out[list_key] = body;
  }
  // A path is bytes to git: one that is not UTF-8 is shown with U+FFFD, never a crash.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void PrintJson(const std::string& command, const nlohmann::json& body,
               const std::string& list_key) {
  std::cout << JsonText(command, body, list_key);
}

}  // namespace hoist

#include "cli/json_output.h"

#include <iostream>

namespace hoist {

void PrintJson(const std::string& command, const nlohmann::json& body,
               const std::string& list_key) {
  nlohmann::json out = {{"schemaVersion", kJsonSchemaVersion}, {"command", command}};
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) out[key] = value;
  } else {
    out[list_key] = body;
  }
  std::cout << out.dump(2) << "\n";
}

}  // namespace hoist

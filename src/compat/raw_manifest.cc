#include "compat/raw_manifest.h"

#include <yaml-cpp/yaml.h>

#include <regex>

namespace hoist {

struct RawManifest::Node {
  YAML::Node document;
};

namespace {

/// The value of `key` in mapping `map`: the last of a key given twice, as yq and jq keep it.
YAML::Node Child(const YAML::Node& map, const std::string& key) {
  YAML::Node found;
  if (!map.IsMap()) return found;
  for (const auto& item : map) {
    if (item.first.IsScalar() && item.first.Scalar() == key) found = item.second;
  }
  return found;
}

bool IsNullScalar(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return true;
  if (!node.IsScalar() || node.Tag() == "!") return false;
  const std::string& text = node.Scalar();
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

/// A plain scalar that YAML (and JSON) reads as a number or boolean rather than a string.
bool IsPlainNonString(const YAML::Node& node) {
  if (!node.IsScalar() || node.Tag() == "!") return false;
  static const std::regex kOther(
      "true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|"
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN)");
  return std::regex_match(node.Scalar(), kOther);
}

bool IsFalse(const YAML::Node& node) {
  if (!node.IsScalar() || node.Tag() == "!") return false;
  const std::string& text = node.Scalar();
  return text == "false" || text == "False" || text == "FALSE";
}

/// What `-r` prints for one value.
std::string Printed(const YAML::Node& node) {
  if (IsNullScalar(node)) return "null";
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace

Expected<RawManifest> RawManifest::Load(const std::string& path, bool yaml) {
  RawManifest manifest;
  manifest.yaml_ = yaml;
  try {
    auto node = std::make_shared<Node>();
    node->document = YAML::LoadFile(path);
    manifest.root_ = std::move(node);
  } catch (const YAML::Exception& e) {
    return Error{path + ": " + e.what()};
  }
  return manifest;
}

bool RawManifest::Has(const std::string& project) const {
  if (!root_->document.IsMap()) return false;
  for (const auto& item : root_->document) {
    if (item.first.IsScalar() && item.first.Scalar() == project) return true;
  }
  return false;
}

std::vector<std::string> RawManifest::Projects() const {
  std::vector<std::string> names;
  if (!root_->document.IsMap()) return names;
  for (const auto& item : root_->document) {
    if (!item.first.IsScalar()) continue;
    const std::string& name = item.first.Scalar();
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

RawManifest::Type RawManifest::TypeOf(const std::string& project, const std::string& field) const {
  YAML::Node node = Child(Child(root_->document, project), field);
  if (IsNullScalar(node)) return Type::kNull;
  if (node.IsSequence()) return Type::kList;
  if (node.IsScalar() && !IsPlainNonString(node)) return Type::kString;
  return Type::kOther;
}

std::string RawManifest::TypeName(const std::string& project, const std::string& field) const {
  YAML::Node node = Child(Child(root_->document, project), field);
  switch (TypeOf(project, field)) {
    case Type::kNull:
      return yaml_ ? "!!null" : "null";
    case Type::kString:
      return yaml_ ? "!!str" : "string";
    case Type::kList:
      return yaml_ ? "!!seq" : "array";
    case Type::kOther:
      break;
  }
  if (node.IsMap()) return yaml_ ? "!!map" : "object";
  if (IsFalse(node) || node.Scalar() == "true" || node.Scalar() == "True" ||
      node.Scalar() == "TRUE") {
    return yaml_ ? "!!bool" : "boolean";
  }
  bool integer = std::regex_match(node.Scalar(), std::regex("[-+]?[0-9]+"));
  return yaml_ ? (integer ? "!!int" : "!!float") : "number";
}

std::string RawManifest::Text(const std::string& project, const std::string& field,
                              const char* fallback) const {
  YAML::Node node = Child(Child(root_->document, project), field);
  if (fallback && (IsNullScalar(node) || IsFalse(node))) return fallback;
  return Printed(node);
}

namespace {
std::vector<std::string> ItemsOf(const YAML::Node& node) {
  std::vector<std::string> items;
  if (node.IsSequence()) {
    for (const auto& item : node) items.push_back(Printed(item));
  } else if (node.IsMap()) {
    for (const auto& item : node) items.push_back(Printed(item.second));
  }
  return items;
}
}  // namespace

std::vector<std::string> RawManifest::Items(const std::string& project,
                                            const std::string& field) const {
  return ItemsOf(Child(Child(root_->document, project), field));
}

std::vector<std::string> RawManifest::RunItems(const std::string& project,
                                               const std::string& run) const {
  YAML::Node runs = Child(Child(root_->document, project), "run");
  return ItemsOf(Child(Child(runs, run), "dependencies"));
}

std::vector<std::string> ShellWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace hoist

#include "docker/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <sstream>
#include <vector>

namespace hoist {
namespace {

std::string Upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

/// Replaces $NAME, ${NAME} and ${NAME:-default} from `args`.
std::string Substitute(const std::string& text, const std::map<std::string, std::string>& args) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    std::string name, fallback;
    bool has_fallback = false;
    size_t end;
    if (text[i + 1] == '{') {
      end = text.find('}', i + 2);
      if (end == std::string::npos) {
        out += text.substr(i);
        break;
      }
      name = text.substr(i + 2, end - i - 2);
      size_t dash = name.find(":-");
      if (dash != std::string::npos) {
        fallback = name.substr(dash + 2);
        name = name.substr(0, dash);
        has_fallback = true;
      }
    } else {
      end = i + 1;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
        ++end;
      }
      name = text.substr(i + 1, end - i - 1);
      --end;
    }
    auto it = args.find(name);
    if (it != args.end() && !it->second.empty()) {
      out += it->second;
    } else if (has_fallback) {
      out += fallback;
    }
    i = end;
  }
  return out;
}

/// Calls `handle(instruction, first_line, last_line)` for each instruction of a Dockerfile:
/// line continuations joined, comment and blank lines dropped (inside a continued instruction
/// too, as docker does). Stops at the first Error `handle` returns.
Status ForEachInstruction(const std::string& text,
                          const std::function<Status(const std::string&, int, int)>& handle) {
  std::istringstream in(text);
  std::string line, instruction;
  int number = 0, start = 0;
  while (std::getline(in, line)) {
    ++number;
    // A UTF-8 byte order mark, which docker skips: kept, it hid the first FROM from pinning.
    if (number == 1 && line.rfind("\xef\xbb\xbf", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (instruction.empty()) start = number;
    if (line.back() == '\\') {
      instruction += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    instruction += line;
    if (auto status = handle(instruction, start, number); !status) return status;
    instruction.clear();
  }
  if (!instruction.empty()) return handle(instruction, start, number);
  return Ok();
}

}  // namespace

Expected<std::vector<DockerfileStage>> ParseDockerfileStages(
    const std::string& text, const std::map<std::string, std::string>& build_args) {
  std::vector<DockerfileStage> stages;
  std::map<std::string, std::string> args;
  auto handle = [&](const std::string& full, int at, int end) -> Status {
    std::istringstream words(full);
    std::string keyword;
    words >> keyword;
    keyword = Upper(keyword);
    if (keyword == "ARG" && stages.empty()) {
      std::string definition;
      while (words >> definition) {
        size_t eq = definition.find('=');
        std::string value = eq == std::string::npos ? "" : definition.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
          value = value.substr(1, value.size() - 2);
        }
        const std::string arg = definition.substr(0, eq);
        auto given = build_args.find(arg);
        args[arg] = given == build_args.end() ? value : given->second;
      }
    }
    if (keyword != "FROM") return Ok();
    std::vector<std::string> parts, flags;
    for (std::string word; words >> word;) {
      if (word.rfind("--", 0) == 0 && parts.empty()) {
        flags.push_back(word);  // --platform=…
        continue;
      }
      parts.push_back(word);
    }
    if (parts.empty() || (parts.size() != 1 && parts.size() != 3) ||
        (parts.size() == 3 && Upper(parts[1]) != "AS")) {
      return Error{"line " + std::to_string(at) +
                   ": malformed FROM (expected FROM IMAGE [AS NAME])"};
    }
    stages.push_back(
        {Substitute(parts[0], args), parts.size() == 3 ? parts[2] : "", at, end, flags});
    return Ok();
  };
  if (auto status = ForEachInstruction(text, handle); !status) return status.error();
  return stages;
}

std::string ImageBaseName(const std::string& reference) {
  auto candidates = ImageNameCandidates(reference);
  return candidates.empty() ? "" : candidates.back();
}

std::vector<std::string> ImageNameCandidates(const std::string& reference) {
  std::string name = reference;
  size_t at = name.find('@');
  if (at != std::string::npos) name = name.substr(0, at);
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    name = name.substr(0, colon);
  }
  // A first component with '.' or ':' (or "localhost") is a registry host, as docker reads it.
  size_t first = name.find('/');
  if (first != std::string::npos) {
    const std::string head = name.substr(0, first);
    if (head.find_first_of(".:") != std::string::npos || head == "localhost") {
      name = name.substr(first + 1);
    }
  }
  std::vector<std::string> candidates;
  for (;;) {
    if (!name.empty()) candidates.push_back(name);
    size_t next = name.find('/');
    if (next == std::string::npos) break;
    name = name.substr(next + 1);
  }
  return candidates;
}

std::string PinFromLines(const std::string& text, const std::vector<DockerfileStage>& stages,
                         const std::map<int, std::string>& pinned) {
  std::map<int, const DockerfileStage*> by_line;
  for (const auto& stage : stages) by_line[stage.line] = &stage;
  std::istringstream in(text);
  std::string out, line;
  int number = 0, skip_until = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number <= skip_until) {
      out += "\n";
      continue;
    }
    auto pin = pinned.find(number);
    auto stage = by_line.find(number);
    if (pin == pinned.end() || stage == by_line.end()) {
      out += line + "\n";
      continue;
    }
    std::string from = "FROM";
    for (const auto& flag : stage->second->flags) from += " " + flag;
    from += " " + pin->second;
    if (!stage->second->name.empty()) from += " AS " + stage->second->name;
    out += from + "\n";
    skip_until = stage->second->end_line;
  }
  return out;
}

std::vector<CopySource> ParseCopySources(const std::string& text) {
  std::vector<CopySource> sources;
  auto handle = [&](const std::string& full, int at, int) -> Status {
    std::istringstream words(full);
    std::string keyword;
    words >> keyword;
    keyword = Upper(keyword);
    if (keyword != "COPY" && keyword != "ADD") return Ok();
    std::vector<std::string> args;
    for (std::string word; words >> word;) {
      if (args.empty() && word.rfind("--", 0) == 0) {
        if (word.rfind("--from", 0) == 0) return Ok();  // another stage's or image's files
        continue;                                       // --chown, --chmod, --link, …
      }
      args.push_back(word);
    }
    if (!args.empty() && args.front().front() == '[') {  // the JSON form
      std::string joined;
      for (const auto& arg : args) joined += arg + " ";
      args.clear();
      for (size_t open = joined.find('"'); open != std::string::npos;) {
        size_t close = joined.find('"', open + 1);
        if (close == std::string::npos) break;
        args.push_back(joined.substr(open + 1, close - open - 1));
        open = joined.find('"', close + 1);
      }
    }
    if (args.size() < 2) return Ok();
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      const std::string& source = args[i];
      if (source.rfind("<<", 0) == 0 || source.find("://") != std::string::npos ||
          source.rfind("git@", 0) == 0) {
        continue;
      }
      sources.push_back({source, keyword, at});
    }
    return Ok();
  };
  (void)ForEachInstruction(text, handle);
  return sources;
}

namespace {

/// `pattern`, cleaned as docker cleans it ("./a//b/" -> "a/b"), "" for the whole context.
std::string CleanPattern(std::string pattern) {
  while (pattern.rfind("./", 0) == 0) pattern.erase(0, 2);
  while (!pattern.empty() && pattern.front() == '/') pattern.erase(0, 1);
  while (!pattern.empty() && pattern.back() == '/') pattern.pop_back();
  for (size_t at; (at = pattern.find("//")) != std::string::npos;) pattern.erase(at, 1);
  return pattern == "." ? "" : pattern;
}

/// Glob match of whole strings: '*' and '?' never cross '/', "**" crosses anything. Each
/// (pattern position, text position) is decided once, so a line such as "**a**a**a…b" costs
/// at most pattern × text steps instead of backtracking exponentially.
class Glob {
 public:
  Glob(const std::string& pattern, const std::string& text) : pattern_(pattern), text_(text) {}
  bool Match() {
    // Only a star branches; without one, one pass decides and no table is needed.
    if (pattern_.find('*') == std::string::npos) return Decide(0, 0);
    memo_.assign((pattern_.size() + 1) * (text_.size() + 1), -1);
    return At(0, 0);
  }

 private:
  bool At(size_t p, size_t t) {
    int8_t& known = memo_[p * (text_.size() + 1) + t];
    if (known < 0) known = Decide(p, t) ? 1 : 0;
    return known == 1;
  }
  char P(size_t i) const { return i < pattern_.size() ? pattern_[i] : '\0'; }
  char T(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  bool Decide(size_t p, size_t t) {
    for (; P(p); ++p, ++t) {
      if (P(p) == '*' && P(p + 1) == '*') {
        p += 2;
        // "**/" stands for whole leading components: it resumes only at a component's start.
        const bool components = P(p) == '/';
        if (components) ++p;
        for (size_t rest = t;; ++rest) {
          if ((!components || rest == t || T(rest - 1) == '/') && At(p, rest)) return true;
          if (!T(rest)) return false;
        }
      }
      if (P(p) == '*') {
        for (size_t rest = t;; ++rest) {
          if (At(p + 1, rest)) return true;
          if (!T(rest) || T(rest) == '/') return false;
        }
      }
      if (!T(t)) return false;
      if (P(p) == '?') {
        if (T(t) == '/') return false;
        continue;
      }
      if (P(p) == '[') {  // a character class, as Go's filepath.Match: [abc] [a-z] [^a-z]
        size_t q = p + 1;
        const bool negated = P(q) == '^' || P(q) == '!';
        if (negated) ++q;
        bool matched = false;
        for (bool first = true; P(q) && (first || P(q) != ']'); first = false) {
          if (P(q) == '\\' && P(q + 1)) ++q;
          char low = P(q), high = low;
          ++q;
          if (P(q) == '-' && P(q + 1) && P(q + 1) != ']') {
            // An escaped bound (a-\z) takes two characters; a trailing lone backslash is itself.
            const bool escaped = P(q + 1) == '\\' && P(q + 2);
            high = escaped ? P(q + 2) : P(q + 1);
            q += escaped ? 3 : 2;
          }
          if (T(t) >= low && T(t) <= high) matched = true;
        }
        if (P(q) != ']' || T(t) == '/') return false;  // unterminated: matches nothing, as Go's
        if (matched == negated) return false;
        p = q;
        continue;
      }
      if (P(p) == '\\' && P(p + 1)) ++p;
      if (P(p) != T(t)) return false;
    }
    return !T(t);
  }

  const std::string& pattern_;
  const std::string& text_;
  std::vector<int8_t> memo_;
};

}  // namespace

bool MatchesContextPattern(const std::string& pattern, const std::string& path) {
  const std::string clean = CleanPattern(pattern);
  if (clean.empty()) return true;
  // The path itself or any directory above it: a directory brings everything below it.
  for (std::string prefix = path;;) {
    if (Glob(clean, prefix).Match()) return true;
    size_t slash = prefix.rfind('/');
    if (slash == std::string::npos) return false;
    prefix.resize(slash);
  }
}

std::string PinFromFlags(const std::string& text,
                         const std::function<std::string(const std::string&)>& pin) {
  std::istringstream in(text);
  std::string out, line;
  bool continued = false;
  std::string keyword;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (continued && (first.empty() || first.front() == '#')) {  // inside a continued one
      out += line + "\n";
      continue;
    }
    if (!continued) keyword = Upper(first);
    continued = !line.empty() && line.back() == '\\';
    if (keyword == "COPY" || keyword == "ADD" || keyword == "RUN") {
      // Each word of the line; a flag's value is replaced where it stands.
      for (size_t at = 0; at < line.size();) {
        size_t begin = line.find_first_not_of(" \t", at);
        if (begin == std::string::npos) break;
        size_t end = line.find_first_of(" \t", begin);
        if (end == std::string::npos) end = line.size();
        std::string word = line.substr(begin, end - begin);
        std::string replaced = word;
        if (keyword != "RUN" && word.rfind("--from=", 0) == 0) {
          std::string pinned = pin(word.substr(7));
          if (!pinned.empty()) replaced = "--from=" + pinned;
        } else if (keyword == "RUN" && word.rfind("--mount=", 0) == 0) {
          std::string options = word.substr(8), rebuilt;
          std::istringstream parts(options);
          for (std::string part; std::getline(parts, part, ',');) {
            if (part.rfind("from=", 0) == 0) {
              std::string pinned = pin(part.substr(5));
              if (!pinned.empty()) part = "from=" + pinned;
            }
            rebuilt += (rebuilt.empty() ? "" : ",") + part;
          }
          replaced = "--mount=" + rebuilt;
        }
        line.replace(begin, end - begin, replaced);
        at = begin + replaced.size();
      }
    }
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> DeclaredArgs(const std::string& text) {
  std::vector<std::string> names;
  (void)ForEachInstruction(text, [&](const std::string& full, int, int) -> Status {
    std::istringstream words(full);
    std::string keyword;
    words >> keyword;
    if (Upper(keyword) != "ARG") return Ok();
    for (std::string definition; words >> definition;) {
      names.push_back(definition.substr(0, definition.find('=')));
    }
    return Ok();
  });
  return names;
}

}  // namespace hoist

namespace hoist {

std::vector<std::string> DockerignoreLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    size_t last = line.find_last_not_of(" \t\r");
    line = line.substr(first, last - first + 1);
    // docker cleans each pattern: a leading "/" (the context's root) means nothing.
    const bool exception = line.front() == '!';
    std::string pattern = exception ? line.substr(1) : line;
    while (pattern.size() > 1 && pattern.front() == '/') pattern.erase(0, 1);
    lines.push_back((exception ? "!" : "") + pattern);
  }
  return lines;
}

bool IsDockerignored(const std::vector<std::string>& lines, const std::string& path) {
  bool ignored = false;
  for (const auto& line : lines) {
    const bool exception = line.front() == '!';
    if (MatchesContextPattern(exception ? line.substr(1) : line, path)) ignored = !exception;
  }
  return ignored;
}

}  // namespace hoist

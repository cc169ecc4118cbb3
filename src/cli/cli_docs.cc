// Completions for bash, zsh and fish and the man page, walked from the CLI11 definitions.
#include "cli/cli_docs.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace hoist {
namespace {

struct OptionDoc {
  std::vector<std::string> names;  ///< -j, --jobs
  std::string value;               ///< what it takes ("" for a flag)
  std::string description;
  std::string env;  ///< the environment variable that sets it, if any
};

/// One command: its path below hoist ("" for hoist itself, "image exists"), what it offers.
struct CommandDoc {
  std::string path;
  std::string description;
  std::vector<std::pair<std::string, std::string>> subcommands;  ///< name, description
  std::vector<OptionDoc> options;
  std::vector<std::string> positionals;
};

bool Visible(const CLI::App* app) {
  return !app->get_group().empty();
}

/// Every visible command, parents before their subcommands.
void Walk(const CLI::App& app, const std::string& path, std::vector<CommandDoc>& out) {
  CommandDoc doc{path, app.get_description(), {}, {}, {}};
  const auto subcommands = app.get_subcommands([](const CLI::App* sub) { return Visible(sub); });
  for (const CLI::App* sub : subcommands) {
    doc.subcommands.emplace_back(sub->get_name(), sub->get_description());
  }
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    if (option->get_positional() && !option->nonpositional()) {
      doc.positionals.push_back(option->get_name());
      continue;
    }
    OptionDoc entry;
    for (const auto& name : option->get_snames()) entry.names.push_back("-" + name);
    for (const auto& name : option->get_lnames()) entry.names.push_back("--" + name);
    if (option->get_expected_max() > 0) {  // a flag expects no value
      entry.value = option->get_option_text();
      if (entry.value.empty() || entry.value.find(' ') != std::string::npos) {
        entry.value = option->get_lnames().empty() ? "VALUE" : option->get_lnames().front();
        for (char& c : entry.value) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
      }
    }
    entry.description = option->get_description();
    entry.env = option->get_envname();
    doc.options.push_back(std::move(entry));
  }
  out.push_back(std::move(doc));
  for (const CLI::App* sub : subcommands) {
    Walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::vector<CommandDoc> Commands(const CLI::App& app) {
  std::vector<CommandDoc> commands;
  Walk(app, "", commands);
  return commands;
}

bool TakesProjects(const CommandDoc& command) {
  for (const auto& positional : command.positionals) {
    if (positional == "PROJECT") return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

/// Single-quoted for sh, zsh and fish (fish also reads \\ and \' inside single quotes).
std::string Quoted(const std::string& text, bool fish = false) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += fish ? "\\'" : "'\\''";
    } else if (c == '\\' && fish) {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// The options of a command that take a value (the completer skips and file-completes them).
std::vector<std::string> Valued(const CommandDoc& command) {
  std::vector<std::string> names;
  for (const auto& option : command.options) {
    if (option.value.empty()) continue;
    names.insert(names.end(), option.names.begin(), option.names.end());
  }
  return names;
}

std::vector<std::string> OptionNames(const CommandDoc& command) {
  std::vector<std::string> names;
  for (const auto& option : command.options) {
    names.insert(names.end(), option.names.begin(), option.names.end());
  }
  return names;
}

/// roff text: backslashes, hyphens (minus signs in options) and a leading dot or quote
/// escaped; characters beyond ASCII as \[uXXXX], which every troff reads without preconv.
std::string Roff(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c >= 0x80) {
      const int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      unsigned code = length == 1 ? c : c & (0xFF >> (length + 1));
      for (int k = 1; k < length && i + 1 < text.size(); ++k) {
        code = (code << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F);
      }
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\[u%04X]", code);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

/// The program's description without its leading "hoist: ".
std::string Summary(const std::string& description) {
  const std::string prefix = "hoist: ";
  return description.rfind(prefix, 0) == 0 ? description.substr(prefix.size()) : description;
}

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  const auto commands = Commands(app);
  std::ostringstream out;
  out << "# bash completion for hoist, generated by `hoist completion bash` from hoist's own\n"
         "# command line. Load it with: source <(hoist completion bash)\n"
         "__hoist_spec() {\n"
         "  case \"$1\" in\n";
  for (const auto& command : commands) {
    std::vector<std::string> subcommands;
    for (const auto& [name, description] : command.subcommands) subcommands.push_back(name);
    out << "    " << Quoted(command.path) << ")\n"
        << "      subs=" << Quoted(Join(subcommands)) << "\n"
        << "      opts=" << Quoted(Join(OptionNames(command))) << "\n"
        << "      valued=" << Quoted(Join(Valued(command))) << "\n"
        << "      projects=" << (TakesProjects(command) ? 1 : 0) << " ;;\n";
  }
  out << "  esac\n"
         "}\n"
         "_hoist() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
         "  local path=\"\" subs opts valued projects i w\n"
         "  __hoist_spec \"\"\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    w=\"${COMP_WORDS[i]}\"\n"
         "    if [[ \" $subs \" == *\" $w \"* ]]; then\n"
         "      path=\"${path:+$path }$w\"\n"
         "      __hoist_spec \"$path\"\n"
         "    elif [[ \" $valued \" == *\" $w \"* ]]; then\n"
         "      ((i++))\n"
         "    fi\n"
         "  done\n"
         "  if [[ \" $valued \" == *\" $prev \"* ]]; then\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  elif [[ \"$cur\" == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  elif [[ -n \"$subs\" ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
         "  elif [[ \"$projects\" == 1 ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" projects 2>/dev/null)\" -- "
         "\"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -o filenames -F _hoist hoist\n";
  return out.str();
}

std::string ZshCompletion(const CLI::App& app) {
  const auto commands = Commands(app);
  std::ostringstream out;
  out << "#compdef hoist\n"
         "# zsh completion for hoist, generated by `hoist completion zsh` from hoist's own "
         "command\n"
         "# line. Install it as _hoist in a directory of $fpath.\n"
         "__hoist_spec() {\n"
         "  case \"$1\" in\n";
  for (const auto& command : commands) {
    out << "    " << Quoted(command.path) << ")\n      subs=(";
    for (const auto& [name, description] : command.subcommands) {
      out << " " << Quoted(name + ":" + description);
    }
    out << " )\n      opts=(";
    for (const auto& option : command.options) {
      for (const auto& name : option.names) out << " " << Quoted(name + ":" + option.description);
    }
    out << " )\n      valued=(";
    for (const auto& name : Valued(command)) out << " " << Quoted(name);
    out << " )\n      projects=" << (TakesProjects(command) ? 1 : 0) << " ;;\n";
  }
  out << "  esac\n"
         "}\n"
         "_hoist() {\n"
         // Not `path`: in zsh that is the array tied to $PATH.
         "  local cmdpath=\"\" projects w i\n"
         "  local -a subs opts valued names\n"
         "  __hoist_spec \"\"\n"
         "  for ((i = 2; i < CURRENT; i++)); do\n"
         "    w=${words[i]}\n"
         "    if (( ${subs[(I)${(b)w}:*]} )); then\n"
         "      cmdpath=\"${cmdpath:+$cmdpath }$w\"\n"
         "      __hoist_spec \"$cmdpath\"\n"
         "    elif (( ${valued[(Ie)$w]} )); then\n"
         "      ((i++))\n"
         "    fi\n"
         "  done\n"
         "  if (( CURRENT > 2 && ${valued[(Ie)${words[CURRENT-1]}]} )); then\n"
         "    _files\n"
         "  elif [[ ${words[CURRENT]} == -* ]]; then\n"
         "    _describe -t options option opts\n"
         "  elif (( ${#subs} )); then\n"
         "    _describe -t commands command subs\n"
         "  elif [[ $projects == 1 ]]; then\n"
         "    names=(${(f)\"$(${words[1]} projects 2>/dev/null)\"})\n"
         "    _describe -t projects project names\n"
         "  else\n"
         "    _files\n"
         "  fi\n"
         "}\n"
         "if [[ $funcstack[1] == _hoist ]]; then\n"
         "  _hoist \"$@\"\n"
         "else\n"
         "  compdef _hoist hoist\n"
         "fi\n";
  return out.str();
}

std::string FishCompletion(const CLI::App& app) {
  const auto commands = Commands(app);
  std::ostringstream out;
  out << "# fish completion for hoist, generated by `hoist completion fish` from hoist's own\n"
         "# command line.\n"
         "complete -c hoist -f\n"
         "# The subcommand path of the command line so far (\"image exists\"), skipping options\n"
         "# and the values of options that take one.\n"
         "function __hoist_path\n"
         "    set -l words (commandline -opc)\n"
         "    set -e words[1]\n"
         "    set -l path ''\n"
         "    set -l skip 0\n"
         "    for w in $words\n"
         "        if test $skip = 1\n"
         "            set skip 0\n"
         "            continue\n"
         "        end\n"
         "        switch \"$path\"\n";
  for (const auto& command : commands) {
    std::vector<std::string> subcommands;
    for (const auto& [name, description] : command.subcommands) subcommands.push_back(name);
    out << "            case " << Quoted(command.path, true) << "\n"
        << "                if contains -- $w " << Join(subcommands) << "\n"
        << "                    set path (string trim -- \"$path $w\")\n";
    const auto valued = Valued(command);
    if (!valued.empty()) {
      out << "                else if contains -- $w " << Join(valued) << "\n"
          << "                    set skip 1\n";
    }
    out << "                end\n";
  }
  out << "        end\n"
         "    end\n"
         "    echo $path\n"
         "end\n";
  for (const auto& command : commands) {
    const std::string when =
        "-n " + Quoted("test \"$(__hoist_path)\" = " + Quoted(command.path, true), true);
    for (const auto& [name, description] : command.subcommands) {
      out << "complete -c hoist " << when << " -a " << name << " -d " << Quoted(description, true)
          << "\n";
    }
    for (const auto& option : command.options) {
      out << "complete -c hoist " << when;
      for (const auto& name : option.names) {
        out << (name.rfind("--", 0) == 0 ? " -l " + name.substr(2) : " -s " + name.substr(1));
      }
      if (!option.value.empty()) out << " -r -F";
      out << " -d " << Quoted(option.description, true) << "\n";
    }
    if (TakesProjects(command)) {
      out << "complete -c hoist " << when << " -a '(hoist projects 2>/dev/null)'\n";
    }
  }
  return out.str();
}

std::string ManPage(const CLI::App& app, const std::string& version) {
  const auto commands = Commands(app);
  std::ostringstream out;
  auto options = [&](const std::vector<OptionDoc>& list) {
    for (const auto& option : list) {
      out << ".TP\n";
      std::string names;
      for (const auto& name : option.names) {
        names += (names.empty() ? "" : ", ") + std::string("\\fB") + Roff(name) + "\\fR";
      }
      out << names;
      if (!option.value.empty()) out << " \\fI" << Roff(option.value) << "\\fR";
      out << "\n" << Roff(option.description);
      if (!option.env.empty()) out << " (environment: \\fB" << Roff(option.env) << "\\fR)";
      out << "\n";
    }
  };
  out << ".\\\" Generated by `hoist man` from hoist's own command line; do not edit.\n"
      << ".TH HOIST 1 \"\" \"hoist " << Roff(version) << "\" \"User Commands\"\n"
      << ".SH NAME\nhoist \\- " << Roff(Summary(app.get_description())) << "\n"
      << ".SH SYNOPSIS\n.B hoist\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
         "[\\fIARGUMENTS\\fR]\n"
      << ".SH DESCRIPTION\n"
         "hoist reads the build manifest of the Aztec build system (build_manifest.yml or "
         "build_manifest.json) at the top of a git repository, works out which projects' inputs "
         "changed and builds, tests and deploys their container images in dependency order, "
         "keeping what it built in a container registry: its only state.\n"
      << ".SH GLOBAL OPTIONS\nThese come before the command.\n";
  options(commands.front().options);
  out << ".SH COMMANDS\n";
  for (size_t i = 1; i < commands.size(); ++i) {
    const CommandDoc& command = commands[i];
    out << ".SS \"hoist " << Roff(command.path);
    if (!command.subcommands.empty()) out << " \\fICOMMAND\\fR";
    if (command.options.size() > 1) out << " [\\fIOPTIONS\\fR]";
    for (const auto& positional : command.positionals)
      out << " [\\fI" << Roff(positional) << "\\fR]";
    out << "\"\n" << Roff(command.description) << "\n";
    if (!command.subcommands.empty()) {
      out << ".PP\nCommands:";
      for (const auto& [name, description] : command.subcommands) {
        out << " \\fB" << Roff(name) << "\\fR";
      }
      out << ".\n";
    }
    options(command.options);
  }
  out << ".SH ENVIRONMENT\n";
  for (const auto& command : commands) {
    for (const auto& option : command.options) {
      if (option.env.empty()) continue;
      out << ".TP\n.B " << Roff(option.env) << "\nAs \\fB" << Roff(option.names.back()) << "\\fR"
          << (command.path.empty() ? "" : " of \\fBhoist " + Roff(command.path) + "\\fR") << ".\n";
    }
  }
  out << ".TP\n.B DOCKER_CONFIG\nWhere registry credentials are read (default ~/.docker), as "
         "the docker CLI does.\n"
         ".TP\n.B CI\nSet by CI services: hoist then reads the vendor's variables for commit, "
         "branch, tag and whether the run builds a pull request, and refuses to run without a "
         "cache registry unless \\fB\\-\\-local\\fR is given.\n"
         ".SH EXIT STATUS\n"
         ".TP\n.B 0\nSuccess.\n.TP\n.B 1\nFailure (a build, test or deploy failed, or an error "
         "was found).\n.TP\n.B 2\nUsage error; for \\fBhoist image exists\\fR, could not tell.\n"
         ".SH FILES\n.TP\n.I build_manifest.yml, build_manifest.json\nThe projects, in the Aztec "
         "build system's format.\n.TP\n.I hoist.yml\nhoist's own settings (build, ci, remotes, "
         "ssh, spot, trust).\n"
         ".SH SEE ALSO\n.BR docker (1),\n.BR git (1)\n";
  return out.str();
}

}  // namespace hoist

// Walks CLI11's tree of subcommands and options to write the man page and the completion.
#include "app/cli_docs.hpp"

#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace cucm::app {
namespace {

std::vector<const CLI::App*> subcommands(const CLI::App& app) {
  // Hidden commands (an empty group: manpage) stay out of the manual and the completion.
  return app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
}

std::vector<const CLI::Option*> options(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); });
}

// The man page lists --help once, in DESCRIPTION, not under each of the ~80 commands.
std::vector<const CLI::Option*> options_but_help(const CLI::App& app) {
  auto all = options(app);
  std::erase(all, app.get_help_ptr());
  return all;
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return !o->nonpositional(); });
}

// roff: a backslash is an escape and a line that starts with . or ' is a request.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string option_names(const CLI::Option& o) {
  std::string names;
  for (const auto& s : o.get_snames()) names += (names.empty() ? "-" : ", -") + s;
  for (const auto& l : o.get_lnames()) names += (names.empty() ? "--" : ", --") + l;
  return names;
}

void man_options(std::string& out, const CLI::App& app) {
  for (const CLI::Option* o : options_but_help(app)) {
    out += ".TP\n\\fB" + roff(option_names(*o)) + "\\fR";
    if (o->get_expected_min() != 0 && !o->get_type_name().empty()) out += " \\fI" + roff(o->get_type_name()) + "\\fR";
    out += "\n" + roff(o->get_description());
    // --data-dir's default is this machine's home folder: ENVIRONMENT says how it is chosen.
    if (!o->get_default_str().empty() && o->get_name() != "--data-dir") out += " (default: " + roff(o->get_default_str()) + ")";
    out += "\n";
  }
}

void man_commands(std::string& out, const CLI::App& app, const std::string& path) {
  for (const CLI::App* sub : subcommands(app)) {
    std::string name = path.empty() ? sub->get_name() : path + " " + sub->get_name();
    std::string usage = "cucm-emu " + name;
    for (const CLI::Option* p : positionals(*sub)) usage += " " + p->get_name(true);
    if (!options_but_help(*sub).empty()) usage += " [OPTIONS]";
    if (!subcommands(*sub).empty()) usage += " COMMAND";
    out += ".SS \"" + roff(name) + "\"\n.B " + roff(usage) + "\n.PP\n" + roff(sub->get_description()) + "\n";
    man_options(out, *sub);
    man_commands(out, *sub, name);
  }
}

// One case arm per level of the tree: its subcommand names and its options.
void bash_levels(std::string& out, const CLI::App& app, const std::string& path) {
  std::string words;
  for (const CLI::App* sub : subcommands(app)) words += sub->get_name() + " ";
  std::string opts;
  std::string valued;
  for (const CLI::Option* o : options(app)) {
    for (const auto& l : o->get_lnames()) {
      opts += "--" + l + " ";
      if (o->get_expected_min() != 0) valued += "--" + l + " ";
    }
  }
  out += fmt::format("    '{}') subs='{}'; opts='{}'; valued='{}' ;;\n", path, words, opts, valued);
  for (const CLI::App* sub : subcommands(app)) {
    bash_levels(out, *sub, path.empty() ? sub->get_name() : path + " " + sub->get_name());
  }
}

}  // namespace

std::string man_page(const CLI::App& root, const std::string& version) {
  std::string out = fmt::format(".TH CUCM\\-EMU 1 \"\" \"cucm-emu {}\" \"User Commands\"\n", roff(version));
  out += ".SH NAME\ncucm\\-emu \\- " + roff(root.get_description().substr(root.get_description().find(':') + 2)) + "\n";
  out += ".SH SYNOPSIS\n.B cucm\\-emu\n[\\fB\\-\\-data\\-dir\\fR \\fIDIR\\fR] [\\fB\\-\\-log\\-level\\fR \\fILEVEL\\fR] "
         "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n";
  out += ".SH DESCRIPTION\nIt plays the server side of a Cisco phone's secure boot: ITL and CTL trust lists, signed and "
         "encrypted configuration files over TFTP, HTTP and HTTPS, CAPF on TLS 3804 and TVS on TLS 2445; a phone "
         "simulator plays the other side. Every command below reads and writes the cluster in the data directory, and "
         "every command takes \\fB\\-h\\fR, \\fB\\-\\-help\\fR.\n";
  out += ".SH GLOBAL OPTIONS\n";
  man_options(out, root);
  out += ".SH COMMANDS\n";
  man_commands(out, root, "");
  out += ".SH ENVIRONMENT\n.TP\n.B CUCM_EMU_DATA_DIR\nThe data directory when \\fB\\-\\-data\\-dir\\fR is not given "
         "(else $XDG_DATA_HOME/cucm\\-emu, else ~/.local/share/cucm\\-emu).\n.TP\n.B SSLKEYLOGFILE\nAs "
         "\\fB\\-\\-tls\\-keylog\\fR: TLS secrets for Wireshark.\n";
  out += ".SH FILES\n.TP\n.I /etc/cucm\\-emu/cucm\\-emu.ini\nThe options of \\fBserve\\fR when it runs as the systemd "
         "service (\\fIoption = value\\fR lines, read again on SIGHUP).\n.TP\n.I /var/lib/cucm\\-emu\nThe service's data "
         "directory: pki/ (keys), cucm.db (SQLite), static/ (firmware loads).\n";
  out += ".SH SIGNALS\n\\fBserve\\fR stops on SIGTERM and SIGINT. On SIGHUP it reads its options and configuration file "
         "again, applies the log level, reopens the static files and names the changes that wait for a restart; no "
         "transfer or session is dropped.\n";
  out += ".SH EXIT STATUS\n0 on success, 1 when a command fails (one line on stderr says why), 2 for a usage error.\n";
  out += ".SH SEE ALSO\n.BR systemctl (1),\n.BR journalctl (1),\n.BR wireshark (1)\n";
  return out;
}

std::string bash_completion(const CLI::App& root) {
  std::string out =
      "# bash completion for cucm-emu, written by `cucm-emu completion bash`\n"
      "_cucm_emu() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path='' subs opts valued w i\n"
      "  _cucm_emu_level() {\n"
      "    case \"$1\" in\n";
  bash_levels(out, root, "");
  out +=
      "    *) subs=''; opts=''; valued='' ;;\n"
      "    esac\n"
      "  }\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=${COMP_WORDS[i]}\n"
      "    _cucm_emu_level \"$path\"\n"
      "    if [[ \" $valued \" == *\" $w \"* ]]; then ((i++)); continue; fi  # its value is no command\n"
      "    if [[ \" $subs \" == *\" $w \"* ]]; then path=${path:+$path }$w; fi\n"
      "  done\n"
      "  _cucm_emu_level \"$path\"\n"
      "  if [[ \" $valued \" == *\" $prev \"* ]]; then return 0; fi  # a value: -o default offers file names\n"
      "  if [[ $cur == -* ]]; then\n"
      "    mapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
      "  else\n"
      "    mapfile -t COMPREPLY < <(compgen -W \"$subs\" -- \"$cur\")\n"
      "  fi\n"
      "}\n"
      "complete -o default -F _cucm_emu cucm-emu\n";
  return out;
}

std::string zsh_completion(const CLI::App& root) {
  return "#compdef cucm-emu\n# zsh completion for cucm-emu: the bash completion through zsh's bashcompinit\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash_completion(root);
}

void add_doc_commands(CLI::App& root, int& rc, const std::string& version) {
  auto shell = std::make_shared<std::string>();
  auto* c = root.add_subcommand("completion", "Print a shell completion script: source <(cucm-emu completion bash)");
  c->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  c->callback([&root, &rc, shell] {
    std::cout << (*shell == "zsh" ? zsh_completion(root) : bash_completion(root));
    rc = 0;
  });
  auto* m = root.add_subcommand("manpage", "Print the manual page cucm-emu(1) in roff");
  m->group("");  // hidden: the build runs it; `man cucm-emu` is how people read it
  m->callback([&root, &rc, version] {
    std::cout << man_page(root, version);
    rc = 0;
  });
}

}  // namespace cucm::app

// The manual page and the shell completion, written from the command tree itself, so neither can
// fall behind a flag: the build runs `cucm-emu manpage` to make cucm-emu(1).
#pragma once

#include <string>

namespace CLI { class App; }

namespace cucm::app {

// cucm-emu(1) in man(7) roff: every subcommand, its options with their defaults.
std::string man_page(const CLI::App& root, const std::string& version);
// A bash completion script: subcommands at each level, then that level's options; file names
// where an option takes a value.
std::string bash_completion(const CLI::App& root);
// zsh: the bash script through bashcompinit, which zsh ships for this.
std::string zsh_completion(const CLI::App& root);

// `completion bash|zsh` and the hidden `manpage`, which read the tree `root` holds once parsed.
void add_doc_commands(CLI::App& root, int& rc, const std::string& version);

}  // namespace cucm::app

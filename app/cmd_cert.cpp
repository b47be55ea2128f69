// cucm-emu cert: certificates around the cluster (seeds 000-003).
#include <CLI/CLI.hpp>

#include "app/common.hpp"

namespace cucm::app {

void add_cert_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cert = app.add_subcommand("cert", "Certificates: CSRs and imports for the cluster identities");
  cert->require_subcommand(1);
  add_cert_identity_commands(*cert, g, rc);
}

}  // namespace cucm::app

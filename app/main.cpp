// cucm-emu: one command line that builds, inspects and (in later releases) serves everything a
// Cisco phone's secure boot asks a CUCM for.
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/cli_docs.hpp"
#include "app/common.hpp"
#include "core/log.hpp"
#include "core/version.hpp"

int main(int argc, char** argv) {
  // A peer that resets a connection mid-write must cost that connection, not the process: HTTP
  // streams files with sendfile, which has no MSG_NOSIGNAL, so SIGPIPE is ignored process-wide
  // (here, in the executable, since a library must not change a process's signal dispositions).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"cucm-emu: emulator of the phone-security services of a Cisco CUCM cluster"};
  app.require_subcommand(1);
  // CLI11 handles --version before it asks for a subcommand, so it works alone.
  app.set_version_flag("--version",
                       std::string("cucm-emu ") + std::string(cucm::version()) + " (git " +
                           std::string(cucm::git_revision()) + ")",
                       "Print the version and the git revision it was built from, then exit");
  cucm::app::GlobalOptions g;
  g.data_dir = cucm::app::default_data_dir();
  g.argv.assign(argv, argv + argc);
  app.add_option("--data-dir", g.data_dir, "Cluster data directory (keys, database)")
      ->capture_default_str();
  app.add_option("--log-level", g.log_level, "trace, debug, info, warn, error or off")->capture_default_str();

  int rc = 0;
  cucm::app::add_pki_commands(app, g, rc);
  cucm::app::add_sgn_commands(app, g, rc);
  cucm::app::add_enc_commands(app, g, rc);
  cucm::app::add_tlv_commands(app, g, rc);
  cucm::app::add_certhash_command(app, g, rc);
  cucm::app::add_cert_commands(app, g, rc);
  cucm::app::add_demo_command(app, g, rc);
  cucm::app::add_device_commands(app, g, rc);
  cucm::app::add_sip_commands(app, g, rc);
  cucm::app::add_profile_commands(app, g, rc);
  cucm::app::add_admin_commands(app, g, rc);
  cucm::app::add_account_commands(app, g, rc);
  cucm::app::add_vpn_commands(app, g, rc);
  cucm::app::add_trunk_commands(app, g, rc);
  cucm::app::add_cnf_commands(app, g, rc);
  cucm::app::add_serve_command(app, g, rc);
  cucm::app::add_phone_commands(app, g, rc);
  cucm::app::add_trust_commands(app, g, rc);
  cucm::app::add_wireshark_command(app, g, rc);
  cucm::app::add_doctor_command(app, g, rc);
  cucm::app::add_scenario_commands(app, g, rc);
  cucm::app::add_doc_commands(app, rc, std::string(cucm::version()));

  app.parse_complete_callback([&] {
    if (auto st = cucm::log::set_level(g.log_level); !st) {
      throw CLI::ValidationError("--log-level", st.error().message);
    }
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {  // a bug: every command returns its errors, but never abort
    std::cerr << "cucm-emu: internal error: " << e.what() << "\n";
    return 1;
  }
  return rc;
}

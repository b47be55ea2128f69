// What every subcommand shares: global options, error reporting, file output, PKI access.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/cluster.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "phone/boot.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/ossl.hpp"
#include "signer/tls_keylog.hpp"
#include "signer/tlv_header.hpp"

namespace CLI { class App; }

namespace cucm::app {

struct GlobalOptions {
  std::filesystem::path data_dir;
  std::string log_level = "info";
  std::vector<std::string> argv;  // the whole command line, for serve's reload
};

// $CUCM_EMU_DATA_DIR, else $XDG_DATA_HOME/cucm-emu, else ~/.local/share/cucm-emu.
std::filesystem::path default_data_dir();

// Prints "cucm-emu: <message>" to stderr and returns exit code 1.
int fail(const Error& e);

// A change to apply only when its option was given: `out` takes `value` when `flag` was on the
// command line of `cmd` (a CLI::App), and stays unset otherwise.
template <class Cmd, class T>
void if_given(const Cmd& cmd, const char* flag, const T& value, std::optional<T>& out) {
  if (cmd.count(flag)) out = value;
}

// Writes `data` to `path`, or to stdout when path is "-".
Status write_output(const std::string& path, ByteView data);
void print_json(const nlohmann::json& j);

// The cluster PKI of the data directory, created on the first use of the folder with the default
// options; refused when pki/ cannot be read or is missing beside a database with devices.
Result<signer::ClusterPki> cluster_pki(const GlobalOptions& g);

// A signing identity from explicit files, or the PKI role when both paths are empty.
struct SigningIdentity {
  signer::X509Ptr cert;
  signer::PkeyPtr key;
};
Result<SigningIdentity> signing_identity(const GlobalOptions& g, const std::string& cert_path,
                                         const std::string& key_path, signer::PkiRole fallback);

// The public key to verify a signed file with: from --cert, from the trust list --itl (the
// record whose serial and issuer match the header, as a phone picks it), or else the existing
// PKI's CallManager certificate. `source` describes which was used.
Result<signer::PkeyPtr> verification_key(const GlobalOptions& g, const std::string& cert_path,
                                         const std::string& itl_path, const signer::Header& header,
                                         std::string& source);

std::uint32_t now_timestamp();

// A port given on the command line: InvalidArgument naming the flag unless it is 1..65535.
Result<std::uint16_t> port_flag(const char* flag, int value);

// Subcommand registration; each stores a callback that returns the exit code in `rc`.
void add_pki_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_sgn_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_enc_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_tlv_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_certhash_command(CLI::App& app, GlobalOptions& g, int& rc);
void add_cert_commands(CLI::App& app, GlobalOptions& g, int& rc);  // cert check|csr|import
void add_demo_command(CLI::App& app, GlobalOptions& g, int& rc);
void add_device_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_sip_commands(CLI::App& app, GlobalOptions& g, int& rc);     // sip registrations
void add_profile_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_admin_commands(CLI::App& app, GlobalOptions& g, int& rc);  // capf, cluster, sql, events
void add_account_commands(CLI::App& app, GlobalOptions& g, int& rc);  // admin passwd|token|users
void add_vpn_commands(CLI::App& app, GlobalOptions& g, int& rc);    // vpn add|list|delete|check
void add_trunk_commands(CLI::App& app, GlobalOptions& g, int& rc);  // trunk add|list|show|remove|ping
void add_cnf_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_serve_command(CLI::App& app, GlobalOptions& g, int& rc);
void add_phone_commands(CLI::App& app, GlobalOptions& g, int& rc);
void add_trust_commands(CLI::App& app, GlobalOptions& g, int& rc);  // trust stores and TVS's
void add_wireshark_command(CLI::App& app, GlobalOptions& g, int& rc);
void add_doctor_command(CLI::App& app, GlobalOptions& g, int& rc);  // read-only health check
void add_scenario_commands(CLI::App& app, GlobalOptions& g, int& rc);  // armed faults (issue 18)
void add_cert_identity_commands(CLI::App& cert, GlobalOptions& g, int& rc);  // cert csr|import

// The cluster of the data directory (PKI, database, event log, catalog), as serve runs it; says
// on stderr when it created the identities.
Result<std::unique_ptr<cluster::Cluster>> open_cluster(const GlobalOptions& g, cluster::Config cfg);
// The cluster database of the data directory, created and migrated on first use, with the
// identities (made on first use too, or refused when pki/ is lost; see cluster_pki).
Result<db::Database> cluster_db(const GlobalOptions& g);
// Records an administrative action in the event log (best effort: a failure is only logged).
void log_admin_event(const db::Database& db, const std::string& device, const std::string& what);

// The TLS key log asked for: `flag` (--tls-keylog FILE) when set, else the SSLKEYLOGFILE
// environment variable, else none (nullptr). When on, a warning names the file and `what` (the
// sessions whose secrets it receives), since anyone holding it can decrypt them.
Result<std::shared_ptr<signer::TlsKeyLog>> open_tls_keylog(const std::string& flag, const std::string& what);

// The phone simulator's ladder, as `phone boot` prints it (shared with `demo`).
// `explain`: the phone's reasons and every CAPF and TVS message element by element; `hex`: their bytes.
void print_ladder(const phone::BootResult& r, bool explain, bool hex = false);
// The SIP registration's outcome in one line ("registered: 2 of 2 line(s) over udp"); "" when none
// was tried. A registration failed when the phone reached its full config and then did not register.
std::string registration_line(const phone::BootResult& r);
bool registration_failed(const phone::BootResult& r);
// Only the steps of a ladder (the boot's, or the VPN connect's), as print_ladder lays them out.
void print_steps(const std::vector<phone::LadderStep>& steps, bool explain, bool hex = false);
// The boot as JSON, as `phone boot --json` prints it.
nlohmann::json ladder_json(const phone::BootResult& r);

// Runs `body`, turning an Error into "cucm-emu: message" and exit code 1.
int guarded(const std::function<Status()>& body);

}  // namespace cucm::app

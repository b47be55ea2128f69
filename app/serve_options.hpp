// The flags of `cucm-emu serve`, also read from its --config file: kept apart from the command so
// that whatever reads the same file (doctor, a reload on SIGHUP) parses it the same way.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "cluster/services.hpp"
#include "core/result.hpp"
#include "http/http_server.hpp"
#include "signer/tls_keylog.hpp"

namespace CLI { class App; }

namespace cucm::app {

struct ServeArgs {
  std::string tftp_address = "0.0.0.0", http_address = "0.0.0.0", capf_address = "0.0.0.0", static_dir, digest = "sha1";
  int tftp_port = 69, http_port = 6970, capf_port = 3804;
  bool no_tftp = false, no_http = false, no_capf = false, no_lab_manufacturer = false;
  std::string capf_tls_min = "1.2";
  int capf_timeout_ms = 10'000, lsc_days = 365;
  std::size_t capf_max_sessions = 256, capf_max_per_address = 32, http_max_per_address = 200;
  std::string tvs_address = "0.0.0.0", tvs_tls_min = "1.2";
  int tvs_port = 2445, tvs_timeout_ms = 10'000;
  bool no_tvs = false;
  std::size_t tvs_max_sessions = 256, tvs_max_per_address = 32;
  std::string sip_address = "0.0.0.0", sip_tls_min = "1.2";
  int sip_tls_port = 5061, sip_port = 5060, sip_timeout_ms = 10'000, sip_idle_timeout_s = 600;
  bool no_sip = false, no_sip_plain = false;
  std::size_t sip_max_sessions = 1024, sip_max_per_address = 32;
  int threads = 1, build_threads = 0;
  std::size_t cache_mb = 256, max_transfers = 1000, max_connections = 2000, max_blksize = 65464;
  std::size_t max_transfers_per_client = 32, transfer_memory_mb = 64;
  double client_rate = 200;
  // HTTPS 6971 (PROTOCOLS §8.1): the HTTP limits and deadline apply to it too.
  std::string https_address = "0.0.0.0", https_tls_min = "1.2";
  int https_port = http::kHttpsPort;
  bool no_https = false;
  int max_timeout_option = 10;
  int timeout_ms = 10'000, retries = 5, exit_after = 0;
  std::size_t events_max_mb = 64;
  int events_max_age_days = 30;
  std::string tls_keylog;  // --tls-keylog (else SSLKEYLOGFILE)
  std::string log_level;   // serve's own --log-level (a config file's log-level), over the global one
  std::string config_file;  // --config
  std::string ports_file;   // --ports-file: where each service listens, as JSON, for scripts
  // Prometheus metrics: off unless --metrics-port is given (-1), since port 0 means "any free
  // port" as for the other services; loopback unless --metrics-address says otherwise.
  int metrics_port = -1;
  std::string metrics_address = "127.0.0.1";
  // The admin site (HTTPS, issue 22): loopback 8443 unless told otherwise.
  int admin_port = 8443;
  std::string admin_address = "127.0.0.1";
  bool no_admin = false;
};

// Adds every serve flag to `s` (the serve subcommand, or a scratch App that reads a config file).
void add_serve_options(CLI::App& s, ServeArgs& a);

// After `s` parsed a command line: the values of its --config file (`a.config_file`) for the options
// the command line did not give. InvalidArgument naming the file and the line's option.
Status apply_config_file(CLI::App& s, const std::string& path);

// The services a ServeArgs asks for.
cluster::ServicesConfig services_config(const ServeArgs& a, const std::shared_ptr<signer::TlsKeyLog>& keylog);

}  // namespace cucm::app

// The flags of `cucm-emu serve` and the services they configure.
#include "app/serve_options.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace cucm::app {

// CLI11 2.1 reads a config file for the top-level App only (its set_config on a subcommand is
// silently ignored), so serve's file is applied here: each `name = value` given to the option of
// that name, unless the command line gave it. A name serve does not have is an error, not a
// default silently kept.
Status apply_config_file(CLI::App& s, const std::string& path) {
  if (path.empty()) return Ok{};
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_file(path);
  } catch (const CLI::Error& e) {
    return make_error(Errc::InvalidArgument, fmt::format("--config {}: {}", path, e.what()));
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11's marks of a [section]'s start and end
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    bool in_serve = item.parents.empty() || (item.parents.size() == 1 && item.parents[0] == "serve");
    CLI::Option* o = in_serve && name != "config" && name != "help" ? s.get_option_no_throw("--" + name) : nullptr;
    if (o == nullptr) {
      return make_error(Errc::InvalidArgument, fmt::format("--config {}: '{}' is not an option of serve (serve --help "
                                                           "lists them; write them without the dashes)",
                                                           path, item.fullname()));
    }
    if (o->count() > 0) continue;  // given on the command line
    try {
      o->add_result(item.inputs);
      o->run_callback();
    } catch (const CLI::Error& e) {
      return make_error(Errc::InvalidArgument, fmt::format("--config {}: {}: {}", path, name, e.what()));
    }
  }
  return Ok{};
}

cluster::ServicesConfig services_config(const ServeArgs& a, const std::shared_ptr<signer::TlsKeyLog>& keylog) {
  cluster::ServicesConfig sc;
  sc.threads = static_cast<std::size_t>(a.threads);
  if (!a.no_tftp) {
    auto& tc = sc.tftp.emplace();
    tc.address = a.tftp_address;
    tc.port = static_cast<std::uint16_t>(a.tftp_port);
    tc.max_transfers = a.max_transfers;
    tc.max_per_client = a.max_transfers_per_client;
    tc.transfer_memory = a.transfer_memory_mb << 20;
    tc.client_rate = a.client_rate;
    tc.limits.max_timeout = std::chrono::seconds(a.max_timeout_option);
    tc.limits.max_blksize = a.max_blksize;
    tc.limits.max_retries = a.retries;
  }
  if (!a.no_http) {
    auto& hc = sc.http.emplace();
    hc.address = a.http_address;
    hc.port = static_cast<std::uint16_t>(a.http_port);
    hc.io_timeout = std::chrono::milliseconds(a.timeout_ms);
    hc.max_connections = a.max_connections;
    hc.max_per_address = a.http_max_per_address;
  }
  if (!a.no_https) {
    auto& hc = sc.https.emplace();
    hc.address = a.https_address;
    hc.port = static_cast<std::uint16_t>(a.https_port);
    hc.io_timeout = std::chrono::milliseconds(a.timeout_ms);
    hc.max_connections = a.max_connections;
    hc.max_per_address = a.http_max_per_address;
    hc.tls_min = a.https_tls_min;
    hc.tls_keylog = keylog;
  }
  if (!a.no_capf) {
    auto& cc = sc.capf.emplace();
    cc.address = a.capf_address;
    cc.port = static_cast<std::uint16_t>(a.capf_port);
    cc.io_timeout = std::chrono::milliseconds(a.capf_timeout_ms);
    cc.max_sessions = a.capf_max_sessions;
    cc.max_per_address = a.capf_max_per_address;
    cc.tls_min = a.capf_tls_min;
    cc.trust_lab_manufacturer = !a.no_lab_manufacturer;
    cc.lsc_days = a.lsc_days;
    cc.tls_keylog = keylog;
  }
  if (!a.no_tvs) {
    auto& vc = sc.tvs.emplace();
    vc.address = a.tvs_address;
    vc.port = static_cast<std::uint16_t>(a.tvs_port);
    vc.io_timeout = std::chrono::milliseconds(a.tvs_timeout_ms);
    vc.max_sessions = a.tvs_max_sessions;
    vc.max_per_address = a.tvs_max_per_address;
    vc.tls_min = a.tvs_tls_min;
    vc.tls_keylog = keylog;
  }
  if (!a.no_sip) {
    auto& pc = sc.sip.emplace();
    pc.address = a.sip_address;
    pc.tls_port = static_cast<std::uint16_t>(a.sip_tls_port);
    pc.port = static_cast<std::uint16_t>(a.sip_port);
    pc.plain = !a.no_sip_plain;
    pc.io_timeout = std::chrono::milliseconds(a.sip_timeout_ms);
    pc.idle_timeout = std::chrono::seconds(a.sip_idle_timeout_s);
    pc.max_sessions = a.sip_max_sessions;
    pc.max_per_address = a.sip_max_per_address;
    pc.tls_min = a.sip_tls_min;
    pc.tls_keylog = keylog;
  }
  if (a.metrics_port >= 0) {
    auto& mc = sc.metrics.emplace();
    mc.address = a.metrics_address;
    mc.port = static_cast<std::uint16_t>(a.metrics_port);
  }
  return sc;
}

void add_serve_options(CLI::App& s, ServeArgs& a) {
  s.add_option("--config", a.config_file,
               "Read options from FILE: `name = value` lines, the flags' names without dashes (tftp-port = 6969); "
               "the command line wins; read again on SIGHUP")
      ->type_name("FILE");
  s.add_option("--tftp-address", a.tftp_address, "TFTP listen address (:: for IPv6 and IPv4)")->capture_default_str();
  s.add_option("--tftp-port", a.tftp_port, "TFTP port (0: any free port)")->capture_default_str();
  s.add_option("--http-address", a.http_address, "HTTP listen address")->capture_default_str();
  s.add_option("--http-port", a.http_port, "HTTP port (0: any free port)")->capture_default_str();
  s.add_flag("--no-tftp", a.no_tftp, "Do not serve TFTP");
  s.add_flag("--no-http", a.no_http, "Do not serve HTTP");
  s.add_option("--https-address", a.https_address, "HTTPS listen address")->capture_default_str();
  s.add_option("--https-port", a.https_port, "HTTPS port (0: any free port); ITL 1.1 phones fetch their config here")
      ->capture_default_str();
  s.add_flag("--no-https", a.no_https, "Do not serve HTTPS");
  s.add_option("--https-tls-min", a.https_tls_min, "Lowest TLS version on HTTPS: 1.0, 1.1, 1.2 or 1.3")
      ->capture_default_str();
  s.add_option("--capf-address", a.capf_address, "CAPF listen address")->capture_default_str();
  s.add_option("--capf-port", a.capf_port, "CAPF port (0: any free port)")->capture_default_str();
  s.add_flag("--no-capf", a.no_capf, "Do not serve CAPF");
  s.add_option("--capf-tls-min", a.capf_tls_min, "Lowest TLS version: 1.0 for 79xx firmware, 1.2 by default")->capture_default_str();
  s.add_option("--capf-timeout-ms", a.capf_timeout_ms, "CAPF per-read deadline")->capture_default_str();
  s.add_option("--capf-max-sessions", a.capf_max_sessions, "Concurrent CAPF sessions")->capture_default_str();
  s.add_option("--capf-max-per-address", a.capf_max_per_address,
                "Concurrent CAPF sessions from one client address (0: no cap)")->capture_default_str();
  s.add_flag("--no-lab-manufacturer", a.no_lab_manufacturer,
              "Do not make or re-trust the lab manufacturing CA that signs simulated MICs (CAPF-trust is used as it is)");
  s.add_option("--tls-keylog", a.tls_keylog,
                "Append the secrets of every CAPF, TVS, HTTPS and SIP-TLS session to FILE (NSS key log, for Wireshark); "
                "SSLKEYLOGFILE does the same. Lab use only")
      ->type_name("FILE");
  s.add_option("--tvs-address", a.tvs_address, "TVS listen address")->capture_default_str();
  s.add_option("--tvs-port", a.tvs_port, "TVS port (0: any free port)")->capture_default_str();
  s.add_flag("--no-tvs", a.no_tvs, "Do not serve TVS");
  s.add_option("--tvs-tls-min", a.tvs_tls_min, "Lowest TLS version for TVS: 1.0 for 79xx firmware")->capture_default_str();
  s.add_option("--tvs-timeout-ms", a.tvs_timeout_ms, "TVS per-read deadline")->capture_default_str();
  s.add_option("--tvs-max-sessions", a.tvs_max_sessions, "Concurrent TVS connections")->capture_default_str();
  s.add_option("--tvs-max-per-address", a.tvs_max_per_address,
                "Concurrent TVS connections from one client address (0: no cap)")->capture_default_str();
  s.add_option("--sip-address", a.sip_address, "SIP listen address (TLS, UDP and TCP)")->capture_default_str();
  s.add_option("--sip-tls-port", a.sip_tls_port, "SIP over TLS port: secure phones and trunks (0: any free port)")
      ->capture_default_str();
  s.add_option("--sip-port", a.sip_port, "SIP over UDP and TCP port, for non-secure profiles (0: any free port)")
      ->capture_default_str();
  s.add_flag("--no-sip", a.no_sip, "Do not serve SIP");
  s.add_flag("--no-sip-plain", a.no_sip_plain, "Serve SIP over TLS only, not over UDP and TCP");
  s.add_option("--sip-tls-min", a.sip_tls_min, "Lowest TLS version for SIP")->capture_default_str();
  s.add_option("--sip-timeout-ms", a.sip_timeout_ms, "SIP deadline for a handshake, a first request and a message begun")
      ->capture_default_str();
  s.add_option("--sip-idle-timeout", a.sip_idle_timeout_s, "Seconds a SIP connection may stay quiet between requests")
      ->capture_default_str();
  s.add_option("--sip-max-sessions", a.sip_max_sessions, "Concurrent SIP TCP and TLS connections")->capture_default_str();
  s.add_option("--sip-max-per-address", a.sip_max_per_address,
                "Concurrent SIP connections from one client address (0: no cap)")->capture_default_str();
  s.add_option("--lsc-days", a.lsc_days, "Validity of issued LSCs")->capture_default_str();
  s.add_option("--static-dir", a.static_dir, "Firmware loads and other static files (default DATA/static)");
  s.add_option("--digest", a.digest, "Digest of built .sgn/.enc.sgn/.tlv: sha1 or sha512")->capture_default_str();
  s.add_option("--threads", a.threads, "I/O threads, one event loop each")->capture_default_str();
  s.add_option("--build-threads", a.build_threads, "Threads that build and sign files (0: one per core)")->capture_default_str();
  s.add_option("--cache-mb", a.cache_mb, "Memory for built files (MiB)")->capture_default_str();
  s.add_option("--max-transfers", a.max_transfers, "Concurrent TFTP transfers; more are refused")->capture_default_str();
  s.add_option("--max-transfers-per-client", a.max_transfers_per_client,
                "Concurrent TFTP transfers of one client address (at most half of --max-transfers)")
      ->capture_default_str();
  s.add_option("--transfer-memory-mb", a.transfer_memory_mb,
                "Buffers of all TFTP transfers (MiB; one address may use half); more are refused")
      ->capture_default_str();
  s.add_option("--max-timeout-option", a.max_timeout_option,
                "Longest TFTP timeout option accepted (s); a longer one is ignored")
      ->capture_default_str();
  s.add_option("--client-rate", a.client_rate, "New TFTP transfers per second per client")->capture_default_str();
  s.add_option("--max-blksize", a.max_blksize, "Largest TFTP blksize granted")->capture_default_str();
  s.add_option("--retries", a.retries, "TFTP retransmissions before a transfer is dropped")->capture_default_str();
  s.add_option("--max-connections", a.max_connections, "Concurrent HTTP connections")->capture_default_str();
  s.add_option("--http-max-per-address", a.http_max_per_address,
                "Concurrent HTTP connections from one client address (0: no cap)")->capture_default_str();
  s.add_option("--http-timeout-ms", a.timeout_ms, "HTTP read/write deadline")->capture_default_str();
  s.add_option("--events-max-mb", a.events_max_mb,
                "Size of the event log (MiB) past which its oldest events are deleted (0: no bound)")
      ->capture_default_str();
  s.add_option("--events-max-age-days", a.events_max_age_days, "Events older than this are deleted (0: kept)")
      ->capture_default_str();
  s.add_option("--log-level", a.log_level,
               "trace, debug, info, warn, error or off, over the global --log-level; read again on SIGHUP");
  s.add_option("--metrics-port", a.metrics_port,
                "Serve Prometheus metrics at http://ADDRESS:PORT/metrics (off unless given; 0: any free port; "
                "9464 is customary)")
      ->type_name("PORT");
  s.add_option("--metrics-address", a.metrics_address, "Metrics listen address (loopback unless set)")
      ->capture_default_str();
  s.add_option("--admin-port", a.admin_port, "The admin site and JSON API over HTTPS (0: any free port)")
      ->capture_default_str();
  s.add_option("--admin-address", a.admin_address, "Admin site listen address (loopback unless set)")
      ->capture_default_str();
  s.add_flag("--no-admin", a.no_admin, "Do not serve the admin site");
  s.add_option("--ports-file", a.ports_file,
               "Once every service listens, write where to FILE as JSON (scripts that give port 0 read the "
               "ports the kernel chose there); removed when serve stops")
      ->type_name("FILE");
  s.add_option("--exit-after", a.exit_after, "Stop by itself after this many seconds (tests, benchmarks)");
}

}  // namespace cucm::app

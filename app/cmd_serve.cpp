// cucm-emu serve: every phone-facing service in one process: TFTP, HTTP, HTTPS, CAPF and TVS.
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "core/log.hpp"
#include "cluster/services.hpp"

namespace cucm::app {
namespace {

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
};

// Every HTTP connection, TFTP transfer and CAPF session holds a file descriptor (HTTP also keeps up
// to 256 static files open). Debian's default soft limit, 1024, is below the default
// --max-connections alone, so the soft limit is raised as far as the hard limit allows.
void raise_open_file_limit(const ServeArgs& a, spdlog::logger& log) {
  std::size_t https = a.no_https ? 0 : a.max_connections;  // HTTPS has its own --max-connections
  rlim_t wanted = static_cast<rlim_t>(a.max_connections + https + a.max_transfers + a.capf_max_sessions +
                                      a.tvs_max_sessions + 512);
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= wanted) return;
  rlimit raised = lim;
  raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, lim.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  if (lim.rlim_cur < wanted) {
    log.warn("open-file limit {} is below the {} that --max-connections, --max-transfers, --capf-max-sessions and "
             "--tvs-max-sessions "
             "can use: raise the hard limit (ulimit -Hn) or lower them; past it, new connections wait",
             static_cast<unsigned long long>(lim.rlim_cur), static_cast<unsigned long long>(wanted));
  }
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
  return sc;
}

void print_listening(const cluster::Services& s, const ServeArgs& a) {
  if (auto ep = s.tftp_endpoint()) std::cout << fmt::format("tftp: listening on {}:{}/udp\n", ep->address().to_string(), ep->port());
  if (auto ep = s.http_endpoint()) std::cout << fmt::format("http: listening on {}:{}/tcp\n", ep->address().to_string(), ep->port());
  if (auto ep = s.https_endpoint()) {
    std::cout << fmt::format("https: listening on {}:{}/tcp (TLS {}+, the EC certificate DATA/pki/https.pem; .sgn "
                             "answered unsigned)\n", ep->address().to_string(), ep->port(), a.https_tls_min);
  }
  if (auto ep = s.capf_endpoint()) {
    std::cout << fmt::format("capf: listening on {}:{}/tcp (TLS {}+, {} trusted CA(s) for existing certificates)\n",
                             ep->address().to_string(), ep->port(), a.capf_tls_min, s.capf_trusted_cas());
  }
  if (auto ep = s.tvs_endpoint()) {
    std::cout << fmt::format("tvs: listening on {}:{}/tcp (TLS {}+)\n", ep->address().to_string(), ep->port(), a.tvs_tls_min);
  }
}

void print_stats(const cluster::Services& services, const catalog::CacheStats& c, const db::EventWriter* events) {
  if (const auto* t = services.tftp()) {
    const auto& s = t->stats();
    std::cout << fmt::format("tftp: {} transfers completed, {} failed, {} not found, {} refused ({} at a client's cap, "
                             "{} for memory), {} bytes\n",
                             s.completed.load(), s.failed.load(), s.not_found.load(), s.refused.load(),
                             s.refused_client_cap.load(), s.refused_memory.load(), s.bytes.load());
  }
  if (const auto* h = services.http()) {
    const auto& s = h->stats();
    std::cout << fmt::format("http: {} requests, {} ok, {} not found, {} bad, {} bytes\n", s.requests.load(), s.ok.load(),
                             s.not_found.load(), s.bad.load(), s.bytes.load());
  }
  if (const auto* h = services.https()) {
    const auto& s = h->stats();
    std::cout << fmt::format("https: {} requests, {} ok, {} not found, {} bad, {} failed handshakes, {} bytes\n",
                             s.requests.load(), s.ok.load(), s.not_found.load(), s.bad.load(), s.handshake_failed.load(),
                             s.bytes.load());
  }
  if (const auto* k = services.capf()) {
    const auto& s = k->stats();
    std::cout << fmt::format("capf: {} sessions, {} refused, {} failed handshakes ({} below --capf-tls-min)\n",
                             s.sessions.load(), s.refused.load(), s.handshake_failed.load(), s.tls_too_old.load());
  }
  if (const auto* v = services.tvs()) {
    const auto& s = v->stats();
    std::cout << fmt::format("tvs: {} sessions, {} valid and {} invalid answers, {} malformed and {} silent requests "
                             "closed, {} refused, {} failed handshakes ({} below --tvs-tls-min)\n",
                             s.sessions.load(), s.valid.load(), s.invalid.load(), s.malformed.load(), s.silent.load(),
                             s.refused.load(), s.handshake_failed.load(), s.tls_too_old.load());
  }
  std::cout << fmt::format("cache: {} hits, {} builds ({} requests joined a build under way), {} entries, {} bytes\n",
                           c.hits, c.builds, c.joined, c.entries, c.bytes);
  if (events) {
    std::cout << fmt::format("events: {} written, {} repeated refusals counted in summaries, {} dropped (queue full), "
                             "{} removed by retention\n",
                             events->written(), events->suppressed(), events->dropped(), events->removed());
  }
}

Status serve(const GlobalOptions& g, const ServeArgs& a) {
  if (a.threads < 1 || a.threads > 64) return make_error(Errc::InvalidArgument, "--threads must be 1..64");
  if (a.build_threads < 0 || a.build_threads > 64) return make_error(Errc::InvalidArgument, "--build-threads must be 0..64");
  if (a.max_transfers_per_client < 1) return make_error(Errc::InvalidArgument, "--max-transfers-per-client must be 1 or more");
  if (a.transfer_memory_mb < 1) return make_error(Errc::InvalidArgument, "--transfer-memory-mb must be 1 or more");
  if (a.max_timeout_option < 1 || a.max_timeout_option > 255) {
    return make_error(Errc::InvalidArgument, "--max-timeout-option must be 1..255 (seconds, as the option itself)");
  }
  for (int p : {a.tftp_port, a.http_port, a.https_port, a.capf_port, a.tvs_port}) {
    if (p < 0 || p > 65535) return make_error(Errc::InvalidArgument, fmt::format("invalid port {}: 0..65535", p));
  }
  auto log = log::get("serve");
  raise_open_file_limit(a, *log);
  cluster::Config cfg;
  CUCM_TRY(cfg.digest, signer::parse_hash_name(a.digest));
  if (!a.static_dir.empty()) cfg.static_dir = a.static_dir;
  cfg.cache_bytes = a.cache_mb << 20;
  cfg.build_workers = static_cast<std::size_t>(a.build_threads);
  if (a.events_max_age_days < 0 || a.events_max_age_days > 36500) {
    return make_error(Errc::InvalidArgument, "--events-max-age-days must be 0..36500");
  }
  if (a.events_max_mb > (std::size_t{1} << 30)) return make_error(Errc::InvalidArgument, "--events-max-mb is too large");
  cfg.event_options.max_bytes = static_cast<std::uint64_t>(a.events_max_mb) << 20;
  cfg.event_options.max_age = std::chrono::hours(24) * a.events_max_age_days;
  CUCM_TRY(auto keylog, open_tls_keylog(a.tls_keylog, "CAPF, TVS and HTTPS"));
  CUCM_TRY(auto cluster, open_cluster(g, cfg));
  cluster::Services services(*cluster, services_config(a, keylog));
  boost::asio::io_context& io = services.loop(0);  // signals and the exit timer
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (!ec) log->info("signal {}: stopping", sig);
    services.stop();
  });
  boost::asio::steady_timer deadline(io);
  if (a.exit_after > 0) {
    deadline.expires_after(std::chrono::seconds(a.exit_after));
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) services.stop();
    });
  }
  CUCM_CHECK(services.start());
  print_listening(services, a);
  std::cout << fmt::format("serving {} (static files from {}, {} build thread(s)); Ctrl-C stops\n", g.data_dir.string(),
                           cluster->config().static_dir.string(), cluster->catalog().workers())
            << std::flush;
  services.wait();
  print_stats(services, cluster->catalog().stats(), cluster->events());
  return Ok{};
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<ServeArgs>();
  auto* s = app.add_subcommand("serve", "Serve phones: TFTP (UDP 69), HTTP (TCP 6970), HTTPS (TLS 6971), CAPF (TLS 3804) "
                                        "and TVS (TLS 2445)");
  s->set_config("--config", "", "Read options from a file (INI/TOML: tftp-port = 6969)");
  s->add_option("--tftp-address", a->tftp_address, "TFTP listen address (:: for IPv6 and IPv4)")->capture_default_str();
  s->add_option("--tftp-port", a->tftp_port, "TFTP port (0: any free port)")->capture_default_str();
  s->add_option("--http-address", a->http_address, "HTTP listen address")->capture_default_str();
  s->add_option("--http-port", a->http_port, "HTTP port (0: any free port)")->capture_default_str();
  s->add_flag("--no-tftp", a->no_tftp, "Do not serve TFTP");
  s->add_flag("--no-http", a->no_http, "Do not serve HTTP");
  s->add_option("--https-address", a->https_address, "HTTPS listen address")->capture_default_str();
  s->add_option("--https-port", a->https_port, "HTTPS port (0: any free port); ITL 1.1 phones fetch their config here")
      ->capture_default_str();
  s->add_flag("--no-https", a->no_https, "Do not serve HTTPS");
  s->add_option("--https-tls-min", a->https_tls_min, "Lowest TLS version on HTTPS: 1.0, 1.1, 1.2 or 1.3")
      ->capture_default_str();
  s->add_option("--capf-address", a->capf_address, "CAPF listen address")->capture_default_str();
  s->add_option("--capf-port", a->capf_port, "CAPF port (0: any free port)")->capture_default_str();
  s->add_flag("--no-capf", a->no_capf, "Do not serve CAPF");
  s->add_option("--capf-tls-min", a->capf_tls_min, "Lowest TLS version: 1.0 for 79xx firmware, 1.2 by default")->capture_default_str();
  s->add_option("--capf-timeout-ms", a->capf_timeout_ms, "CAPF per-read deadline")->capture_default_str();
  s->add_option("--capf-max-sessions", a->capf_max_sessions, "Concurrent CAPF sessions")->capture_default_str();
  s->add_option("--capf-max-per-address", a->capf_max_per_address,
                "Concurrent CAPF sessions from one client address (0: no cap)")->capture_default_str();
  s->add_flag("--no-lab-manufacturer", a->no_lab_manufacturer,
              "Do not make or re-trust the lab manufacturing CA that signs simulated MICs (CAPF-trust is used as it is)");
  s->add_option("--tls-keylog", a->tls_keylog,
                "Append the secrets of every CAPF, TVS and HTTPS session to FILE (NSS key log, for Wireshark); "
                "SSLKEYLOGFILE does the same. Lab use only")
      ->type_name("FILE");
  s->add_option("--tvs-address", a->tvs_address, "TVS listen address")->capture_default_str();
  s->add_option("--tvs-port", a->tvs_port, "TVS port (0: any free port)")->capture_default_str();
  s->add_flag("--no-tvs", a->no_tvs, "Do not serve TVS");
  s->add_option("--tvs-tls-min", a->tvs_tls_min, "Lowest TLS version for TVS: 1.0 for 79xx firmware")->capture_default_str();
  s->add_option("--tvs-timeout-ms", a->tvs_timeout_ms, "TVS per-read deadline")->capture_default_str();
  s->add_option("--tvs-max-sessions", a->tvs_max_sessions, "Concurrent TVS connections")->capture_default_str();
  s->add_option("--tvs-max-per-address", a->tvs_max_per_address,
                "Concurrent TVS connections from one client address (0: no cap)")->capture_default_str();
  s->add_option("--lsc-days", a->lsc_days, "Validity of issued LSCs")->capture_default_str();
  s->add_option("--static-dir", a->static_dir, "Firmware loads and other static files (default DATA/static)");
  s->add_option("--digest", a->digest, "Digest of built .sgn/.enc.sgn/.tlv: sha1 or sha512")->capture_default_str();
  s->add_option("--threads", a->threads, "I/O threads, one event loop each")->capture_default_str();
  s->add_option("--build-threads", a->build_threads, "Threads that build and sign files (0: one per core)")->capture_default_str();
  s->add_option("--cache-mb", a->cache_mb, "Memory for built files (MiB)")->capture_default_str();
  s->add_option("--max-transfers", a->max_transfers, "Concurrent TFTP transfers; more are refused")->capture_default_str();
  s->add_option("--max-transfers-per-client", a->max_transfers_per_client,
                "Concurrent TFTP transfers of one client address (at most half of --max-transfers)")
      ->capture_default_str();
  s->add_option("--transfer-memory-mb", a->transfer_memory_mb,
                "Buffers of all TFTP transfers (MiB; one address may use half); more are refused")
      ->capture_default_str();
  s->add_option("--max-timeout-option", a->max_timeout_option,
                "Longest TFTP timeout option accepted (s); a longer one is ignored")
      ->capture_default_str();
  s->add_option("--client-rate", a->client_rate, "New TFTP transfers per second per client")->capture_default_str();
  s->add_option("--max-blksize", a->max_blksize, "Largest TFTP blksize granted")->capture_default_str();
  s->add_option("--retries", a->retries, "TFTP retransmissions before a transfer is dropped")->capture_default_str();
  s->add_option("--max-connections", a->max_connections, "Concurrent HTTP connections")->capture_default_str();
  s->add_option("--http-max-per-address", a->http_max_per_address,
                "Concurrent HTTP connections from one client address (0: no cap)")->capture_default_str();
  s->add_option("--http-timeout-ms", a->timeout_ms, "HTTP read/write deadline")->capture_default_str();
  s->add_option("--events-max-mb", a->events_max_mb,
                "Size of the event log (MiB) past which its oldest events are deleted (0: no bound)")
      ->capture_default_str();
  s->add_option("--events-max-age-days", a->events_max_age_days, "Events older than this are deleted (0: kept)")
      ->capture_default_str();
  s->add_option("--exit-after", a->exit_after, "Stop by itself after this many seconds (tests, benchmarks)");
  s->callback([&g, &rc, a] { rc = guarded([&] { return serve(g, *a); }); });
}

}  // namespace cucm::app

// cucm-emu serve: every phone-facing service in one process: TFTP, HTTP, HTTPS, CAPF and TVS.
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/common.hpp"
#include "app/serve_options.hpp"
#include "app/serve_reload.hpp"
#include "core/file_io.hpp"
#include "core/host_port.hpp"
#include "core/log.hpp"
#include "core/service_manager.hpp"
#include "auth/account_store.hpp"
#include "cluster/services.hpp"
#include "web/server.hpp"

namespace cucm::app {
namespace {

// "address:port" of a listening endpoint, "[v6]:port" for IPv6: a URL's authority.
template <class Endpoint>
std::string authority(const Endpoint& ep) {
  return core::to_string(core::HostPort{ep.address().to_string(), ep.port()});
}

// Every HTTP connection, TFTP transfer and CAPF session holds a file descriptor (HTTP also keeps up
// to 256 static files open). Debian's default soft limit, 1024, is below the default
// --max-connections alone, so the soft limit is raised as far as the hard limit allows.
void raise_open_file_limit(const ServeArgs& a, spdlog::logger& log) {
  std::size_t https = a.no_https ? 0 : a.max_connections;  // HTTPS has its own --max-connections
  rlim_t wanted = static_cast<rlim_t>(a.max_connections + https + a.max_transfers + a.capf_max_sessions +
                                      a.tvs_max_sessions + (a.no_sip ? 0 : a.sip_max_sessions) + 512);
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
  if (const auto* sip = s.sip()) {
    auto tls = sip->tls_endpoint();
    std::cout << fmt::format("sip: listening on {}:{}/tcp (TLS {}+, the CallManager certificate)", tls.address().to_string(),
                             tls.port(), a.sip_tls_min);
    if (auto udp = sip->udp_endpoint(); udp.port() != 0) std::cout << fmt::format(", {}:{}/udp+tcp", udp.address().to_string(), udp.port());
    std::cout << "\n";
  }
  if (auto ep = s.metrics_endpoint()) {
    std::cout << fmt::format("metrics: listening on http://{}/metrics (Prometheus text)\n", authority(*ep));
  }
}

// --ports-file: what print_listening says, for a script: {"tftp": {"address", "port",
// "transport"}, ...}, with a "url" for the metrics and the admin site.
std::string ports_json(const cluster::Services& s, const web::WebServer* site) {
  nlohmann::json out = nlohmann::json::object();
  auto put = [&](const char* name, const auto& ep, const char* transport) {
    out[name] = {{"address", ep.address().to_string()}, {"port", ep.port()}, {"transport", transport}};
  };
  if (auto ep = s.tftp_endpoint()) put("tftp", *ep, "udp");
  if (auto ep = s.http_endpoint()) put("http", *ep, "tcp");
  if (auto ep = s.https_endpoint()) put("https", *ep, "tls");
  if (auto ep = s.capf_endpoint()) put("capf", *ep, "tls");
  if (auto ep = s.tvs_endpoint()) put("tvs", *ep, "tls");
  if (const auto* sip = s.sip()) {
    put("sip_tls", sip->tls_endpoint(), "tls");
    if (auto udp = sip->udp_endpoint(); udp.port() != 0) put("sip", udp, "udp+tcp");
  }
  if (auto ep = s.metrics_endpoint()) {
    put("metrics", *ep, "tcp");
    out["metrics"]["url"] = fmt::format("http://{}/metrics", authority(*ep));
  }
  if (site) {
    auto ep = site->local_endpoint();
    put("admin", ep, "tls");
    out["admin"]["url"] = fmt::format("https://{}/", authority(ep));
  }
  return out.dump(2) + "\n";
}

// The admin site's address, and how to get in: a password must be set first.
void print_admin_site(const web::WebServer& site, cluster::Cluster& cluster) {
  std::cout << fmt::format("admin: listening on https://{}/ (the tomcat certificate DATA/pki/tomcat.pem{})\n",
                           authority(site.local_endpoint()), site.identity().created ? ", made now" : "");
  auto any = auth::AccountStore(cluster.db()).any_password();
  if (any && !*any) std::cout << "admin: no password is set yet: run `cucm-emu admin passwd` to log in\n";
}

void print_stats(const cluster::Services& services, const catalog::CacheStats& c, const db::EventWriter* events) {
  if (const auto* t = services.tftp()) {
    const auto& s = t->stats();
    std::cout << fmt::format("tftp: {} transfers completed, {} failed, {} not found, {} refused ({} at a client's cap, "
                             "{} for memory), {} bytes\n",
                             s.completed.load(), s.failed.load(), s.not_found.load(), s.refused.load(),
                             s.refused_client_cap.load(), s.refused_memory.load(), s.bytes_ok.load() + s.bytes_error.load());
  }
  if (const auto* h = services.http()) {
    const auto& s = h->stats();
    std::cout << fmt::format("http: {} requests, {} ok, {} not found, {} bad, {} bytes\n", s.requests.load(), s.ok.load(),
                             s.not_found.load(), s.bad.load(), s.bytes_ok.load() + s.bytes_error.load());
  }
  if (const auto* h = services.https()) {
    const auto& s = h->stats();
    std::cout << fmt::format("https: {} requests, {} ok, {} not found, {} bad, {} failed handshakes, {} bytes\n",
                             s.requests.load(), s.ok.load(), s.not_found.load(), s.bad.load(), s.handshake_failed.load(),
                             s.bytes_ok.load() + s.bytes_error.load());
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
  if (const auto* p = services.sip()) {
    const auto& s = p->stats();
    std::cout << fmt::format("sip: {} connections, {} datagrams, {} registered, {} unregistered, {} challenged, {} refused "
                             "registrations, {} OPTIONS, {} malformed, {} failed handshakes\n",
                             s.sessions.load(), s.datagrams.load(), s.registered.load(), s.unregistered.load(),
                             s.challenged.load(), s.forbidden.load(), s.options.load(), s.malformed.load(),
                             s.handshake_failed.load());
  }
  std::cout << fmt::format("cache: {} hits, {} builds ({} requests joined a build under way), {} entries, {} bytes\n",
                           c.hits, c.builds, c.joined, c.entries, c.bytes);
  if (events) {
    std::cout << fmt::format("events: {} written, {} repeated refusals counted in summaries, {} dropped (queue full), "
                             "{} removed by retention\n",
                             events->written(), events->suppressed(), events->dropped(), events->removed());
  }
}

// SIGHUP: serve's options read again (the --config file too); the log level applied and the static
// files reopened; what else changed is named as waiting for a restart. A file that no longer
// parses leaves everything as it was.
void reload(const GlobalOptions& g, const GivenOptions& running, cluster::Cluster& cluster, spdlog::logger& log) {
  core::notify_reloading("reloading the configuration");
  auto refuse = [&](const std::string& why) {
    log.error("SIGHUP: reload refused, the running settings stay: {}", why);
    core::notify_ready("serving; the last reload was refused: " + why);
  };
  auto reread = reread_serve_options(args_after(g.argv, "serve"));
  if (!reread) return refuse(reread.error().message);
  const std::string& level = reread->args.log_level.empty() ? g.log_level : reread->args.log_level;
  if (auto st = log::set_level(level); !st) return refuse(st.error().message);
  cluster.catalog().forget_static_files();
  auto waiting = changed_options(running, reread->given, {"--log-level"});
  if (waiting.empty()) {
    log.info("SIGHUP: reloaded (log level {}, static files reopened)", level);
  } else {
    log.warn("SIGHUP: reloaded (log level {}, static files reopened); changed but applied only by a restart: {}", level,
             fmt::join(waiting, ", "));
  }
  core::notify_ready(fmt::format("serving; reloaded{}", waiting.empty() ? "" : ", " + std::to_string(waiting.size()) +
                                                                                   " change(s) wait for a restart"));
}

Status serve(const GlobalOptions& g, const ServeArgs& a, const GivenOptions& given) {
  if (a.threads < 1 || a.threads > 64) return make_error(Errc::InvalidArgument, "--threads must be 1..64");
  if (a.build_threads < 0 || a.build_threads > 64) return make_error(Errc::InvalidArgument, "--build-threads must be 0..64");
  if (a.max_transfers_per_client < 1) return make_error(Errc::InvalidArgument, "--max-transfers-per-client must be 1 or more");
  if (a.transfer_memory_mb < 1) return make_error(Errc::InvalidArgument, "--transfer-memory-mb must be 1 or more");
  if (a.max_timeout_option < 1 || a.max_timeout_option > 255) {
    return make_error(Errc::InvalidArgument, "--max-timeout-option must be 1..255 (seconds, as the option itself)");
  }
  for (int p : {a.tftp_port, a.http_port, a.https_port, a.capf_port, a.tvs_port, a.sip_tls_port, a.sip_port, a.admin_port}) {
    if (p < 0 || p > 65535) return make_error(Errc::InvalidArgument, fmt::format("invalid port {}: 0..65535", p));
  }
  if (!a.log_level.empty()) {
    CUCM_CHECK(log::set_level(a.log_level));
  }
  if (a.metrics_port < -1 || a.metrics_port > 65535) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("invalid --metrics-port {}: 0..65535 (0: any free port; leave it out for no metrics)",
                                  a.metrics_port));
  }
  auto log = log::get("serve");
  raise_open_file_limit(a, *log);
  cluster::Config cfg;
  CUCM_TRY(cfg.digest, signer::parse_hash_name(a.digest));
  if (!a.static_dir.empty()) cfg.static_dir = a.static_dir;
  cfg.cache_bytes = a.cache_mb << 20;
  cfg.build_workers = static_cast<std::size_t>(a.build_threads);
  cfg.faults = true;  // `cucm-emu scenario set` arms them while serve runs
  if (a.events_max_age_days < 0 || a.events_max_age_days > 36500) {
    return make_error(Errc::InvalidArgument, "--events-max-age-days must be 0..36500");
  }
  if (a.events_max_mb > (std::size_t{1} << 30)) return make_error(Errc::InvalidArgument, "--events-max-mb is too large");
  cfg.event_options.max_bytes = static_cast<std::uint64_t>(a.events_max_mb) << 20;
  cfg.event_options.max_age = std::chrono::hours(24) * a.events_max_age_days;
  CUCM_TRY(auto keylog, open_tls_keylog(a.tls_keylog, "CAPF, TVS and HTTPS"));
  CUCM_TRY(auto cluster, open_cluster(g, cfg));
  // Made before the services, started after them: a scrape reads its numbers, and it outlives
  // the metrics endpoint, which the services stop first.
  std::unique_ptr<web::WebServer> admin_site;
  if (!a.no_admin) {
    web::WebConfig wc;
    wc.address = a.admin_address;
    wc.port = static_cast<std::uint16_t>(a.admin_port);
    admin_site = std::make_unique<web::WebServer>(*cluster, wc);
  }
  auto sc = services_config(a, keylog);
  if (admin_site) sc.more_metrics = [site = admin_site.get()](metrics::TextWriter& w) { site->write_metrics(w); };
  cluster::Services services(*cluster, std::move(sc));
  boost::asio::io_context& io = services.loop(0);  // signals and the exit timer
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (!ec) log->info("signal {}: stopping", sig);
    core::notify_stopping();
    services.stop();
  });
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_hangup = [&](boost::system::error_code ec, int) {
    if (ec) return;
    reload(g, given, *cluster, *log);
    hangup.async_wait(on_hangup);
  };
  hangup.async_wait(on_hangup);
  boost::asio::steady_timer deadline(io);
  if (a.exit_after > 0) {
    deadline.expires_after(std::chrono::seconds(a.exit_after));
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) services.stop();
    });
  }
  CUCM_CHECK(services.start());
  if (admin_site) {
    if (auto st = admin_site->start(); !st) {
      services.stop();
      services.wait();
      return st;
    }
  }
  print_listening(services, a);
  if (admin_site) print_admin_site(*admin_site, *cluster);
  if (!a.ports_file.empty()) {
    auto text = ports_json(services, admin_site.get());
    if (auto st = write_file_atomic(a.ports_file, as_bytes(text)); !st) {
      if (admin_site) admin_site->stop();
      services.stop();
      services.wait();
      return make_error(st.error().code, fmt::format("--ports-file: {}", st.error().message));
    }
  }
  std::cout << fmt::format("serving {} (static files from {}, {} build thread(s)); Ctrl-C stops\n", g.data_dir.string(),
                           cluster->config().static_dir.string(), cluster->catalog().workers())
            << std::flush;
  core::notify_ready(fmt::format("serving {}", g.data_dir.string()));
  services.wait();
  if (admin_site) admin_site->stop();
  if (!a.ports_file.empty()) {
    std::error_code ignored;  // nothing listens there any more; a file already gone is fine
    std::filesystem::remove(a.ports_file, ignored);
  }
  print_stats(services, cluster->catalog().stats(), cluster->events());
  return Ok{};
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<ServeArgs>();
  auto* s = app.add_subcommand("serve", "Serve phones: TFTP (UDP 69), HTTP (TCP 6970), HTTPS (TLS 6971), CAPF (TLS 3804), "
                                        "TVS (TLS 2445) and SIP (TLS 5061, UDP/TCP 5060)");
  add_serve_options(*s, *a);
  s->callback([&g, &rc, a, s] {
    rc = guarded([&]() -> Status {
      CUCM_CHECK(apply_config_file(*s, a->config_file));
      return serve(g, *a, given_options(*s));
    });
  });
}

}  // namespace cucm::app

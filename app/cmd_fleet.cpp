// cucm-emu phone fleet: many simulated phones booting at once, for load and boot storms.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "core/file_io.hpp"
#include "core/resolve.hpp"
#include "phone/boot.hpp"
#include "phone/phone_state.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::app {
namespace {

struct FleetArgs {
  std::string server = "127.0.0.1", prefix = "SEPF1", profile = "88xx", state_dir;
  int tftp_port = 69, http_port = 6970, https_port = 6971, count = 100, concurrency = 10, timeout_ms = 10'000;
  int sip_port = 0, sip_tls_port = 0;  // 0: the config's
  bool fresh = false, one_address = false, ask_tvs = false, no_register = false, json = false;
};

// What the boots came to, shared by the worker threads under one mutex.
struct Tally {
  std::vector<double> ok_times;              // boots that reached a full config, in seconds
  std::map<std::string, int> failures;       // boots that did not, by reason
  int sip_attempted = 0, sip_registered = 0;  // phones that tried to register, and those whose every line did
  int lines_registered = 0;
  std::map<std::string, int> sip_failures;   // registrations that failed, by reason

  void add(const Result<phone::BootResult>& r, double secs) {
    if (!r || !r->full_config) {
      std::string why = r ? r->failure : r.error().message;
      ++failures[why.substr(0, why.find(':'))];
      return;
    }
    ok_times.push_back(secs);
    if (r->sip_transport.empty() && r->sip_failure.empty()) return;  // SCCP, no lines, or --no-register
    ++sip_attempted;
    lines_registered += r->registered;
    if (r->sip_failure.empty()) {
      ++sip_registered;
    } else {
      ++sip_failures[sip_reason(r->sip_failure)];
    }
  }
  // A registration failure without the line's number ("sip: line 2001: 403 …" -> "sip: 403 …"),
  // so that every phone refused for one reason counts as one.
  static std::string sip_reason(std::string why) {
    static const std::regex line(R"(line [^:]*: )");
    return std::regex_replace(why, line, "", std::regex_constants::format_first_only);
  }
};

// Whether the phones get addresses of their own: against a server on IPv4 loopback, unless
// --one-address. Asked once per fleet, not per boot.
bool own_addresses(const FleetArgs& a) {
  if (a.one_address) return false;
  auto server = core::resolve_host(a.server);
  return server && server->is_v4() && server->is_loopback();
}

// Phone i's own address: 127.10.0.1, 127.10.0.2, … (250 per third octet), as each real phone has
// its own, so per-address limits see a fleet as many clients.
boost::asio::ip::address phone_address(int i) {
  auto octet = [](int v) { return static_cast<unsigned char>(v); };
  return boost::asio::ip::address_v4({127, octet(10 + i / 62'500), octet(i / 250 % 250), octet(i % 250 + 1)});
}

std::string device_name(const std::string& prefix, int i) {
  std::string hex = fmt::format("{:X}", i);
  return prefix + std::string(15 - prefix.size() - hex.size(), '0') + hex;
}

// Every phone gets its own MIC, issued by the lab manufacturing CA (which CAPF trusts), all over
// one pre-generated key: a boot storm then measures the servers, not RSA key generation on the
// client. A self-signed MIC left by an earlier version is replaced.
Status prepare(const FleetArgs& a, const std::filesystem::path& root, const signer::LabManufacturer& manufacturer) {
  CUCM_TRY(auto key, signer::generate_key({}));
  CUCM_TRY(Bytes key_pem, signer::private_key_pem(*key));
  for (int i = 0; i < a.count; ++i) {
    std::string dev = device_name(a.prefix, i);
    auto dir = root / dev;
    std::error_code ec;
    if (a.fresh) std::filesystem::remove_all(dir, ec);
    if (auto pem = read_file(dir / "mic.pem"); pem) {
      if (auto mic = signer::load_cert(*pem); mic && !signer::is_self_signed(**mic)) continue;
    }
    CUCM_TRY(auto cert, manufacturer.issue_mic(*key, dev, std::time(nullptr)));
    std::filesystem::create_directories(dir, ec);
    phone::PhoneState s;
    s.dir = dir;
    CUCM_CHECK(phone::import_mic(s, signer::cert_pem(*cert), key_pem));
  }
  return Ok{};
}

// The fleet's outcome: the text (its first line as before, which bench/ scripts read) or --json.
// Fails when a boot or a registration failed.
Status report(const FleetArgs& a, Tally& t, double wall) {
  auto& ok = t.ok_times;
  std::sort(ok.begin(), ok.end());
  auto pct = [&](double p) {
    return ok.empty() ? 0.0 : ok[std::min(ok.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ok.size())))];
  };
  int failed = a.count - static_cast<int>(ok.size());
  if (a.json) {
    print_json({{"phones", a.count}, {"concurrency", a.concurrency}, {"full_config", ok.size()}, {"failed", failed},
                {"seconds", wall}, {"boots_per_second", static_cast<double>(ok.size()) / wall},
                {"p50_ms", pct(0.5) * 1000}, {"p99_ms", pct(0.99) * 1000}, {"failures", t.failures},
                {"registration", {{"attempted", t.sip_attempted}, {"registered", t.sip_registered},
                                  {"lines_registered", t.lines_registered}, {"failures", t.sip_failures}}}});
  } else {
    std::cout << fmt::format("fleet: {} phones, concurrency {}: {} reached a full config, {} failed in {:.2f} s "
                             "({:.1f} boots/s); boot time p50 {:.1f} ms, p99 {:.1f} ms\n",
                             a.count, a.concurrency, ok.size(), failed, wall, static_cast<double>(ok.size()) / wall,
                             pct(0.5) * 1000, pct(0.99) * 1000);
    for (const auto& [why, n] : t.failures) std::cout << fmt::format("  failed: {} x {}\n", n, why);
    if (t.sip_attempted) {
      std::cout << fmt::format("registration: {} of {} phones registered every line ({} lines)\n", t.sip_registered,
                               t.sip_attempted, t.lines_registered);
    }
    for (const auto& [why, n] : t.sip_failures) std::cout << fmt::format("  not registered: {} x {}\n", n, why);
  }
  if (failed) return make_error(Errc::Unavailable, fmt::format("{} phones failed", failed));
  int unregistered = t.sip_attempted - t.sip_registered;
  if (unregistered) return make_error(Errc::Unavailable, fmt::format("{} phones did not register", unregistered));
  return Ok{};
}

// The worker threads share the options and the tally declared here, each phone booting with a
// copy of `base` and its own name, folder and address.
Status fleet(const GlobalOptions& g, const FleetArgs& a) {
  if (a.count < 1 || a.count > 1'000'000 || a.concurrency < 1 || a.concurrency > 1024) {
    return make_error(Errc::InvalidArgument, "--count must be 1..1000000 and --concurrency 1..1024");
  }
  if (a.prefix.size() < 3 || a.prefix.size() > 8 || !a.prefix.starts_with("SEP")) {
    return make_error(Errc::InvalidArgument, "--prefix must be SEP plus up to 5 hex digits");
  }
  phone::BootOptions base;
  base.server = a.server;
  CUCM_TRY(base.tftp_port, port_flag("--tftp-port", a.tftp_port));
  CUCM_TRY(base.http_port, port_flag("--http-port", a.http_port));
  CUCM_TRY(base.https_port, port_flag("--https-port", a.https_port));
  if (a.sip_port != 0) {
    CUCM_TRY(base.sip_port, port_flag("--sip-port", a.sip_port));
  }
  if (a.sip_tls_port != 0) {
    CUCM_TRY(base.sip_tls_port, port_flag("--sip-tls-port", a.sip_tls_port));
  }
  base.register_lines = !a.no_register;
  std::filesystem::path root = a.state_dir.empty() ? g.data_dir / "fleet" : std::filesystem::path(a.state_dir);
  CUCM_TRY(auto manufacturer, signer::LabManufacturer::open(g.data_dir));
  CUCM_CHECK(prepare(a, root, manufacturer));
  const bool spread = own_addresses(a);
  CUCM_TRY(base.profile, phone::firmware_profile(a.profile));
  base.timeout = std::chrono::milliseconds(a.timeout_ms);
  base.ask_tvs = a.ask_tvs;
  base.manufacturer = &manufacturer;
  phone::ClientTlsContexts tls_contexts;  // one TLS context for the whole fleet
  base.tls_contexts = &tls_contexts;
  std::atomic<int> next{0}, done{0};
  std::mutex mutex;
  Tally tally;
  bool tty = ::isatty(STDERR_FILENO);
  auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    while (true) {
      int i = next++;
      if (i >= a.count) return;
      phone::BootOptions o = base;
      o.device = device_name(a.prefix, i);
      o.state_dir = root / o.device;
      if (spread) o.source = phone_address(i);
      auto start = std::chrono::steady_clock::now();
      auto r = phone::boot(o);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard lock(mutex);
      tally.add(r, secs);
      int n = ++done;
      if (tty && (n % 10 == 0 || n == a.count)) {
        std::cerr << fmt::format("\rbooted {}/{} ({} failed)", n, a.count, n - static_cast<int>(tally.ok_times.size()))
                  << (n == a.count ? "\n" : "") << std::flush;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < a.concurrency; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  return report(a, tally, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace

void add_fleet_command(CLI::App& phone, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<FleetArgs>();
  auto* f = phone.add_subcommand("fleet", "Boot many simulated phones at once (load, boot storms)");
  f->add_option("--count", a->count, "How many phones")->capture_default_str();
  f->add_option("--concurrency", a->concurrency, "How many boot at the same time")->capture_default_str();
  f->add_option("--prefix", a->prefix, "Device names: this prefix, then a counter in hex (SEPF1000000000A)")->capture_default_str();
  f->add_option("--server", a->server, "TFTP/HTTP server address")->capture_default_str();
  f->add_option("--tftp-port", a->tftp_port, "TFTP port")->capture_default_str();
  f->add_option("--http-port", a->http_port, "HTTP port")->capture_default_str();
  f->add_option("--https-port", a->https_port, "HTTPS port (88xx with an ITL 1.1)")->capture_default_str();
  f->add_option("--profile", a->profile, "79xx or 88xx")->capture_default_str();
  f->add_option("--state-dir", a->state_dir, "Where the phones keep their state (default DATA/fleet)");
  f->add_option("--timeout-ms", a->timeout_ms, "Per-request timeout")->capture_default_str();
  f->add_option("--sip-port", a->sip_port, "SIP UDP/TCP port the phones register to (default: the config's sipPort)");
  f->add_option("--sip-tls-port", a->sip_tls_port, "SIP TLS port the phones register to (default: the config's securedSipPort)");
  f->add_flag("--no-register", a->no_register, "Stop each boot at the full config: do not register SIP lines");
  f->add_flag("--json", a->json, "The outcome as JSON");
  f->add_flag("--fresh", a->fresh, "Forget every phone's LSC and trust lists first");
  f->add_flag("--ask-tvs", a->ask_tvs, "Each phone also asks TVS once, about the ITL's CallManager certificate");
  f->add_flag("--one-address", a->one_address,
              "Send every phone's requests from one address (by default, against a loopback server, "
              "each phone has its own 127.10.x.y)");
  f->callback([&g, &rc, a] { rc = guarded([&] { return fleet(g, *a); }); });
}

}  // namespace cucm::app

// capf_bench: CAPF install/upgrade sessions per second against an in-process capf::CapfServer on
// 127.0.0.1, driven by C client threads running phone::run_capf back to back with pre-generated
// RSA-2048 phone keys. Prints a human summary on stderr and one JSON line on stdout;
// run_capf_bench.sh drives it and bench/README.md explains the figures.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/cpu_time.hpp"
#include "bench/report.hpp"
#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "phone/boot.hpp"
#include "phone/capf_client.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/keys.hpp"

namespace cucm::bench {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kProfile = "Cisco 7942 - Standard SCCP Encrypted Config";  // null string, RSA-2048

struct Args {
  int concurrency = 1, server_threads = 1, sessions = 2000, warmup = 64, key_pool = 8, timeout_ms = 10'000;
  std::size_t max_sessions = 256;
  double max_seconds = 120;
  std::string data_dir;
  bool keep = false, no_events = false;
  std::string phone_tls = "1.3";  // 1.3 (the highest), 1.2, or 1.0 (a 79xx: AES128-SHA, RSA key transport)
};

// TcpExt ListenOverflows and ListenDrops from /proc/net/netstat (this network namespace).
std::pair<long long, long long> listen_counters() {
  std::ifstream f("/proc/net/netstat");
  std::string names, values;
  while (std::getline(f, names) && std::getline(f, values)) {
    if (!names.starts_with("TcpExt:")) continue;
    std::istringstream n(names), v(values);
    std::string key, val;
    long long overflows = -1, drops = -1;
    while (n >> key && v >> val) {
      if (key == "ListenOverflows") overflows = std::atoll(val.c_str());
      if (key == "ListenDrops") drops = std::atoll(val.c_str());
    }
    return {overflows, drops};
  }
  return {-1, -1};
}

std::string device_name(int i) { return fmt::format("SEP{:012X}", 0xB0B000000000ULL + static_cast<unsigned>(i)); }

struct Tally {
  std::vector<double> ok_ms;
  std::map<std::string, int> errors;
  int refused = 0;
  double client_cpu = 0;
  std::string tls;  // what the first completed session negotiated
};

// Runs sessions [begin, end) on `concurrency` threads; stops taking new sessions after `max_seconds`.
struct Phase {
  Tally tally;
  double wall = 0;
  bool cut_short = false;
};

Phase run_phase(const Args& a, int begin, int end, std::uint16_t port, const X509* capf_cert,
                const std::vector<signer::PkeyPtr>& pool) {
  Phase ph;
  std::atomic<int> next{begin};
  std::mutex mutex;
  phone::ClientTlsContexts tls_contexts;  // shared by every client thread
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.max_seconds));
  auto worker = [&] {
    pthread_setname_np(pthread_self(), "capf-client");  // for perf --comm
    Tally mine;
    phone::CapfClientOptions o;
    o.host = "127.0.0.1";
    o.port = port;
    o.timeout = std::chrono::milliseconds(a.timeout_ms);
    o.trusted_capf = capf_cert;
    o.tls_contexts = &tls_contexts;
    if (a.phone_tls == "1.2") o.tls_max = "1.2";
    if (a.phone_tls == "1.0") {  // what the simulator's 79xx offers
      auto old = *phone::firmware_profile("79xx");
      o.tls_min = old.tls_min;
      o.tls_max = old.tls_max;
      o.tls_ciphers = old.tls_ciphers;
    }
    while (true) {
      int i = next++;
      if (i >= end) break;
      if (Clock::now() > deadline) {
        std::lock_guard lock(mutex);
        ph.cut_short = true;
        break;
      }
      phone::CapfPhone p;
      p.device = device_name(i);
      p.pregenerated.reset(EVP_PKEY_dup(pool[static_cast<std::size_t>(i) % pool.size()].get()));
      auto start = Clock::now();
      auto r = phone::run_capf(p, o);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (r && r->lsc_installed && r->end_reason == static_cast<std::uint8_t>(capf::Reason::UpdateCertificate)) {
        mine.ok_ms.push_back(ms);
        if (mine.tls.empty()) mine.tls = r->tls;
        continue;
      }
      std::string why = r ? fmt::format("end reason {}, lsc_installed {}", r->end_reason, r->lsc_installed) : r.error().message;
      if (why.find("refused") != std::string::npos) ++mine.refused;
      ++mine.errors[why.substr(0, 100)];
    }
    mine.client_cpu = self_cpu();
    std::lock_guard lock(mutex);
    ph.tally.ok_ms.insert(ph.tally.ok_ms.end(), mine.ok_ms.begin(), mine.ok_ms.end());
    for (const auto& [k, n] : mine.errors) ph.tally.errors[k] += n;
    ph.tally.refused += mine.refused;
    ph.tally.client_cpu += mine.client_cpu;
    if (ph.tally.tls.empty()) ph.tally.tls = mine.tls;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < a.concurrency; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  ph.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(ph.tally.ok_ms.begin(), ph.tally.ok_ms.end());
  return ph;
}

int run(const Args& a) {
  fs::path dir;
  if (a.data_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "cucm-capf-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::cerr << "capf_bench: cannot create a temporary directory\n";
      return 2;
    }
    dir = tmpl;
  } else {
    dir = a.data_dir;
    fs::create_directories(dir);
  }
  struct Cleanup {
    fs::path d;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) fs::remove_all(d, ec);
    }
  } cleanup{dir, a.keep || !a.data_dir.empty()};

  auto fail = [](const std::string& what, const Error& e) {
    std::cerr << "capf_bench: " << what << ": " << e.message << "\n";
    return 2;
  };

  // Fixture: cluster PKI, database, one device per session with install scheduled.
  auto t_setup = Clock::now();
  // As `cucm-emu serve` opens it: sessions post their outcome to the event log (its own thread).
  cluster::Config ccfg;
  ccfg.events = !a.no_events;
  ccfg.build_workers = 1;  // CAPF builds no files
  auto cl = cluster::Cluster::open(dir, ccfg);
  if (!cl) return fail("cluster", cl.error());
  db::Database* db = &(*cl)->db();
  const signer::ClusterPki* pki = &(*cl)->pki();
  int total = a.warmup + a.sessions;
  {
    std::vector<db::Device> devices;
    devices.reserve(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
      db::Device d;
      d.name = device_name(i);
      d.product = "Cisco 7942";
      d.protocol = "SCCP";
      d.profile = kProfile;
      d.capf.operation = "install";
      devices.push_back(std::move(d));
    }
    std::vector<db::RowError> errors;
    auto added = db::DeviceStore(*db).add_all(devices, errors);
    if (!added) return fail("adding devices", added.error());
    if (!errors.empty()) {
      std::cerr << "capf_bench: device row " << errors.front().row << ": " << errors.front().message << "\n";
      return 2;
    }
  }
  // Phone keys are made before anything is timed, and reused: key generation is the phone's work.
  std::vector<signer::PkeyPtr> pool;
  auto t_keys = Clock::now();
  for (int i = 0; i < std::max(1, a.key_pool); ++i) {
    auto k = signer::generate_key({});
    if (!k) return fail("phone key", k.error());
    pool.push_back(std::move(*k));
  }
  double keygen_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_keys).count() / static_cast<double>(pool.size());

  cluster::ServicesConfig sc;
  sc.threads = static_cast<std::size_t>(a.server_threads);  // as `cucm-emu serve --threads N`
  sc.thread_name = "capf-server";
  auto& cfg = sc.capf.emplace();
  cfg.address = "127.0.0.1";
  cfg.port = 0;
  cfg.io_timeout = std::chrono::milliseconds(a.timeout_ms);
  cfg.max_sessions = a.max_sessions;
  cfg.tls_min = a.phone_tls == "1.0" ? "1.0" : "1.2";  // `serve --capf-tls-min 1.0` for 79xx phones
  cluster::Services services(**cl, sc);
  if (auto st = services.start(); !st) return fail("capf server", st.error());
  const capf::CapfServer& server = *services.capf();
  std::uint16_t port = services.capf_port();
  auto& io_threads = services.threads();
  double setup_s = std::chrono::duration<double>(Clock::now() - t_setup).count();
  const X509* capf_cert = pki->identity(signer::PkiRole::Capf).cert.get();

  Phase warm = run_phase(a, 0, a.warmup, port, capf_cert, pool);
  auto server_cpu = [&] {
    double s = 0;
    for (auto& t : io_threads) s += thread_cpu(t.native_handle());
    return s;
  };
  auto refused0 = server.stats().refused.load();
  auto hs0 = server.stats().handshake_failed.load();
  auto listen0 = listen_counters();
  double scpu0 = server_cpu(), pcpu0 = process_cpu();
  Phase ph = run_phase(a, a.warmup, total, port, capf_cert, pool);
  double scpu = server_cpu() - scpu0;
  // The whole process minus the client threads: the server's I/O threads and its event writer.
  double server_all = process_cpu() - pcpu0 - ph.tally.client_cpu;
  auto listen1 = listen_counters();
  auto refused = server.stats().refused.load() - refused0;
  auto hs_failed = server.stats().handshake_failed.load() - hs0;

  services.stop();
  services.wait();

  // Every confirmed install must have been recorded: count the devices CAPF finished.
  long long recorded = -1;
  {
    auto s = db->prepare("SELECT count(*) FROM device WHERE capf_status = 'Upgrade Success' AND certificate IS NOT NULL");
    if (s) {
      auto row = s->step();
      if (row && *row) recorded = s->int64(0);
    }
  }

  const auto& v = ph.tally.ok_ms;
  int ok = static_cast<int>(v.size());
  int errors = 0;
  for (const auto& [k, n] : ph.tally.errors) errors += n;
  double rate = ph.wall > 0 ? ok / ph.wall : 0;
  double mean = 0;
  for (double x : v) mean += x;
  mean = ok ? mean / ok : 0;
  long long overflows = listen0.first < 0 ? -1 : listen1.first - listen0.first;
  long long drops = listen0.second < 0 ? -1 : listen1.second - listen0.second;

  std::cerr << fmt::format(
      "capf_bench: concurrency {}, server threads {}: {} sessions ok, {} errors ({} refused) in {:.2f} s = {:.1f} sessions/s; "
      "session p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n"
      "  server CPU {:.1f} us/session ({:.0f}% of {} I/O thread(s); {:.1f} us with the event writer), client CPU {:.1f} "
      "us/session; listen overflows {}, drops {}; "
      "server refused {}, failed handshakes {}; recorded {}; warm-up {} sessions; setup {:.2f} s, keygen {:.0f} ms/key\n",
      a.concurrency, a.server_threads, ok, errors, ph.tally.refused, ph.wall, rate, pct(v, 0.5), pct(v, 0.99),
      v.empty() ? 0.0 : v.back(), ok ? scpu / ok * 1e6 : 0.0, ph.wall > 0 ? scpu / ph.wall * 100 : 0.0, a.server_threads,
      ok ? server_all / ok * 1e6 : 0.0, ok ? ph.tally.client_cpu / ok * 1e6 : 0.0, overflows, drops, refused, hs_failed, recorded, warm.tally.ok_ms.size(),
      setup_s, keygen_ms);
  for (const auto& [k, n] : ph.tally.errors) std::cerr << fmt::format("  error x{}: {}\n", n, k);
  if (ph.cut_short) std::cerr << fmt::format("  stopped taking sessions after --max-seconds {}\n", a.max_seconds);

  std::string errs;
  for (const auto& [k, n] : ph.tally.errors) errs += fmt::format("{}\"{}\":{}", errs.empty() ? "" : ",", json_escape(k), n);
  std::cout << fmt::format(
                   "{{\"concurrency\":{},\"server_threads\":{},\"sessions\":{},\"ok\":{},\"errors\":{},\"refused\":{},"
                   "\"wall_s\":{:.4f},\"sessions_per_s\":{:.2f},\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f},"
                   "\"mean_ms\":{:.3f},\"server_cpu_s\":{:.4f},\"server_all_cpu_s\":{:.4f},\"client_cpu_s\":{:.4f},"
                   "\"events\":{},\"listen_overflows\":{},"
                   "\"listen_drops\":{},\"server_refused\":{},\"handshake_failed\":{},\"recorded\":{},\"expected_recorded\":{},"
                   "\"cut_short\":{},\"tls\":\"{}\","
                   "\"error_kinds\":{{{}}}}}\n",
                   a.concurrency, a.server_threads, a.sessions, ok, errors, ph.tally.refused, ph.wall, rate, pct(v, 0.5),
                   pct(v, 0.99), v.empty() ? 0.0 : v.back(), mean, scpu, server_all, ph.tally.client_cpu,
                   a.no_events ? "false" : "true", overflows, drops, refused,
                   hs_failed, recorded, ok + warm.tally.ok_ms.size(), ph.cut_short ? "true" : "false",
                   json_escape(ph.tally.tls), errs)
            << std::flush;
  return 0;
}

}  // namespace
}  // namespace cucm::bench

int main(int argc, char** argv) {
  cucm::bench::Args a;
  CLI::App app{"CAPF install/upgrade sessions per second against an in-process CAPF server on 127.0.0.1"};
  app.add_option("-c,--concurrency", a.concurrency, "Client threads, each running sessions back to back")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--server-threads", a.server_threads, "Event loops (threads) of the CAPF server")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("-n,--sessions", a.sessions, "Measured sessions (one device each, install scheduled)")
      ->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--warmup", a.warmup, "Sessions run first and not counted")->check(CLI::Range(0, 100'000))->capture_default_str();
  app.add_option("--key-pool", a.key_pool, "Pre-generated RSA-2048 phone keys, reused round robin")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--timeout-ms", a.timeout_ms, "Per-operation deadline on both sides")->capture_default_str();
  app.add_option("--max-sessions", a.max_sessions, "The server's cap on concurrent sessions")->capture_default_str();
  app.add_option("--max-seconds", a.max_seconds, "Stop starting sessions after this long (safety bound)")->capture_default_str();
  app.add_option("--data-dir", a.data_dir, "Use (and keep) this data directory instead of a temporary one");
  app.add_flag("--keep", a.keep, "Keep the temporary data directory");
  app.add_flag("--no-events", a.no_events, "No event log (serve always has one)");
  app.add_option("--phone-tls", a.phone_tls,
                 "TLS the phones offer: 1.3 (the highest), 1.2, or 1.0 (a 79xx: AES128-SHA with RSA key transport, "
                 "as in seed 004; the server's floor drops to 1.0)")
      ->check(CLI::IsMember({"1.3", "1.2", "1.0"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return cucm::bench::run(a);
}

// sip_bench: SIP-over-TLS registrations per second against an in-process sip::SipServer on
// 127.0.0.1 (issue 21), as phones re-register after losing their connection: C client threads,
// each a phone of its own (a device on the encrypted SIP profile with one line and an LSC issued
// by the cluster's CAPF), each registration a new TCP connection, a full TLS handshake presenting
// the LSC, one REGISTER, its answer (only a 200 counts; anything else fails the run) and close.
// Prints a human summary on stderr and one JSON line on stdout; run_sip_bench.sh drives it next
// to `openssl s_time -new -cert` against `openssl s_server -Verify` with the same certificates,
// and bench/README.md explains the figures.
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/data_dir.hpp"
#include "bench/cpu_time.hpp"
#include "bench/report.hpp"
#include "bench/sip_bench_client.hpp"
#include "bench/sip_bench_split.hpp"
#include "cluster/services.hpp"

namespace cucm::bench {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  int concurrency = 1, server_threads = 1, requests = 1500, warmup = 64, timeout_ms = 10'000, devices = 64;
  std::size_t max_sessions = 1024, max_per_address = 0;
  std::string data_dir;
  bool keep = false, no_events = false, setup_only = false;
  int split = 0;  // --split N: time the parts of a registration instead
  std::string phone_tls = "1.3";  // 1.3 (the highest) or 1.2
};

struct Tally {
  std::vector<double> ok_ms;
  std::map<std::string, int> errors;  // no answer (connection, handshake, deadline)
  std::map<std::string, int> wrong;   // an answer other than 200
  double client_cpu = 0;
  std::string tls;  // what the first registration negotiated
};

struct Phase {
  Tally tally;
  double wall = 0;
};

// Runs `requests` registrations on `concurrency` threads, thread t registering phone t a fixed
// share of them back to back. `seq0` keeps the CSeqs of the measured phase past the warm-up's.
Phase run_phase(const Args& a, int requests, std::uint32_t seq0, std::uint16_t port, const std::vector<Phone>& phones,
                const X509& server_cert) {
  Phase ph;
  std::mutex mutex;
  auto worker = [&](int t, int begin, int end) {
    pthread_setname_np(pthread_self(), "sip-client");  // for perf --comm
    Tally mine;
    const Phone& phone = phones[static_cast<std::size_t>(t)];
    for (int i = begin; i < end; ++i) {
      auto start = Clock::now();
      auto r = register_once(phone, port, server_cert, seq0 + static_cast<std::uint32_t>(i) + 1,
                             std::chrono::milliseconds(a.timeout_ms));
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!r.error.empty()) {
        ++mine.errors[r.error.substr(0, 100)];
      } else if (r.status != 200) {
        ++mine.wrong[fmt::format("{} {}", r.status, r.reason).substr(0, 160)];
      } else {
        mine.ok_ms.push_back(ms);
        if (mine.tls.empty()) mine.tls = r.tls;
      }
    }
    mine.client_cpu = self_cpu();
    std::lock_guard lock(mutex);
    ph.tally.ok_ms.insert(ph.tally.ok_ms.end(), mine.ok_ms.begin(), mine.ok_ms.end());
    for (const auto& [k, n] : mine.errors) ph.tally.errors[k] += n;
    for (const auto& [k, n] : mine.wrong) ph.tally.wrong[k] += n;
    ph.tally.client_cpu += mine.client_cpu;
    if (ph.tally.tls.empty()) ph.tally.tls = mine.tls;
  };
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  int c = a.concurrency;
  for (int t = 0; t < c; ++t) threads.emplace_back(worker, t, requests * t / c, requests * (t + 1) / c);
  for (auto& t : threads) t.join();
  ph.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(ph.tally.ok_ms.begin(), ph.tally.ok_ms.end());
  return ph;
}

std::string json_counts(const std::map<std::string, int>& m) {
  std::string o;
  for (const auto& [k, n] : m) o += fmt::format("{}\"{}\":{}", o.empty() ? "" : ",", json_escape(k), n);
  return "{" + o + "}";
}

int total(const std::map<std::string, int>& m) {
  int n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

struct Measured {
  Phase warm, phase;
  double loops_cpu = 0, server_all_cpu = 0;
  std::uint64_t registered = 0, forbidden = 0, refused = 0, handshake_failed = 0, store_failed = 0;
};

void report(const Args& a, const Measured& m) {
  const auto& v = m.phase.tally.ok_ms;
  int ok = static_cast<int>(v.size()), errors = total(m.phase.tally.errors), wrong = total(m.phase.tally.wrong);
  double wall = m.phase.wall, rate = wall > 0 ? ok / wall : 0;
  auto per = [&](double s) { return ok ? s / ok * 1e6 : 0.0; };
  std::cerr << fmt::format(
      "sip_bench: concurrency {}, server threads {}, phones' TLS {}: {} registered (200), {} other answers, {} errors "
      "in {:.2f} s = {:.1f} registrations/s; p50 {:.2f} ms, p99 {:.2f} ms\n"
      "  server CPU {:.1f} us/registration ({:.0f}% of {} loop thread(s); {:.1f} us with the event writer), client "
      "CPU {:.1f} us; server counted {} registered, {} forbidden, refused {}, failed handshakes {}, store failed {}\n",
      a.concurrency, a.server_threads, m.phase.tally.tls, ok, wrong, errors, wall, rate, pct(v, 0.5), pct(v, 0.99),
      per(m.loops_cpu), wall > 0 ? m.loops_cpu / wall * 100 : 0.0, a.server_threads, per(m.server_all_cpu),
      per(m.phase.tally.client_cpu), m.registered, m.forbidden, m.refused, m.handshake_failed, m.store_failed);
  for (const auto& [k, n] : m.phase.tally.errors) std::cerr << fmt::format("  error x{}: {}\n", n, k);
  for (const auto& [k, n] : m.phase.tally.wrong) std::cerr << fmt::format("  NOT 200 x{}: {}\n", n, k);
  std::cout << fmt::format(
                   "{{\"concurrency\":{},\"server_threads\":{},\"phone_tls\":\"{}\",\"requests\":{},\"ok\":{},"
                   "\"wrong\":{},\"errors\":{},\"wall_s\":{:.4f},\"registrations_per_s\":{:.2f},\"p50_ms\":{:.3f},"
                   "\"p99_ms\":{:.3f},\"server_cpu_s\":{:.4f},\"server_all_cpu_s\":{:.4f},\"client_cpu_s\":{:.4f},"
                   "\"registered\":{},\"forbidden\":{},\"refused\":{},\"handshake_failed\":{},\"store_failed\":{},"
                   "\"tls\":\"{}\",\"error_kinds\":{},\"wrong_kinds\":{}}}\n",
                   a.concurrency, a.server_threads, a.phone_tls, a.requests, ok, wrong, errors, wall, rate,
                   pct(v, 0.5), pct(v, 0.99), m.loops_cpu, m.server_all_cpu, m.phase.tally.client_cpu, m.registered,
                   m.forbidden, m.refused, m.handshake_failed, m.store_failed, json_escape(m.phase.tally.tls),
                   json_counts(m.phase.tally.errors), json_counts(m.phase.tally.wrong))
            << std::flush;
}

// SIP alone (TLS only) on its loops, as `cucm-emu serve --threads N`; a warm-up, then the
// measured phase with the server's CPU around it. Unavailable when the server does not start.
Result<Measured> measure(const Args& a, cluster::Cluster& cl, const std::vector<Phone>& phones) {
  cluster::ServicesConfig sc;
  sc.threads = static_cast<std::size_t>(a.server_threads);
  sc.thread_name = "sip-server";
  auto& cfg = sc.sip.emplace();
  cfg.address = "127.0.0.1";
  cfg.tls_port = 0;
  cfg.plain = false;
  cfg.io_timeout = std::chrono::milliseconds(a.timeout_ms);
  cfg.max_sessions = a.max_sessions;
  cfg.max_per_address = a.max_per_address;  // every client is 127.0.0.1
  cluster::Services services(cl, sc);
  CUCM_CHECK(services.start());
  const auto& stats = services.sip()->stats();
  const X509& server_cert = *cl.pki().identity(signer::PkiRole::CallManager).cert;
  auto server_cpu = [&] {
    double s = 0;
    for (auto& t : services.threads()) s += thread_cpu(t.native_handle());
    return s;
  };

  Measured m;
  std::uint16_t port = services.sip_tls_port();
  // CSeqs grow from run to run of one data folder (a registrar may keep the last one per Call-ID).
  auto seq0 = static_cast<std::uint32_t>(std::time(nullptr) % 1'000'000) * 1000;
  m.warm = run_phase(a, a.warmup, seq0, port, phones, server_cert);
  auto reg0 = stats.registered.load(), forb0 = stats.forbidden.load(), refused0 = stats.refused.load();
  auto hs0 = stats.handshake_failed.load(), store0 = stats.store_failed.load();
  double scpu0 = server_cpu(), pcpu0 = process_cpu();
  m.phase = run_phase(a, a.requests, seq0 + static_cast<std::uint32_t>(a.warmup), port, phones, server_cert);
  m.loops_cpu = server_cpu() - scpu0;
  // The whole process minus the client threads: the server's loops and its event writer.
  m.server_all_cpu = process_cpu() - pcpu0 - m.phase.tally.client_cpu;
  m.registered = stats.registered.load() - reg0;
  m.forbidden = stats.forbidden.load() - forb0;
  m.refused = stats.refused.load() - refused0;
  m.handshake_failed = stats.handshake_failed.load() - hs0;
  m.store_failed = stats.store_failed.load() - store0;
  services.stop();
  services.wait();
  return m;
}

int run(const Args& a) {
  DataDir dir;
  // --data-dir is kept: run_sip_bench.sh shares it between runs so that its openssl peer uses the same keys.
  if (!open_data_dir(a.data_dir, a.keep, "cucm-sip-bench", dir)) {
    std::cerr << "sip_bench: cannot create the data directory\n";
    return 2;
  }
  auto fail = [](const std::string& what, const Error& e) {
    std::cerr << "sip_bench: " << what << ": " << e.message << "\n";
    return 2;
  };

  // As `cucm-emu serve` opens it: every registration is posted to the event log (its own thread).
  cluster::Config ccfg;
  ccfg.events = !a.no_events;
  ccfg.build_workers = 1;  // SIP builds no files
  auto cl = cluster::Cluster::open(dir.path, ccfg);
  if (!cl) return fail("cluster", cl.error());
  // A phone per client, so that the binding rows differ; --split needs only one.
  int count = a.split > 0 ? 1 : std::max(a.devices, a.concurrency);
  auto made = ensure_phones(**cl, dir.path, count);
  if (!made) return fail("devices and LSCs", made.error());
  if (a.setup_only) {  // run_sip_bench.sh wants pki/callmanager.*, pki/capf.pem and the LSCs
    std::cerr << fmt::format("sip_bench: cluster ready in {}, {} phones ({} LSCs made now)\n", dir.path.string(),
                             count, *made);
    return 0;
  }
  if (a.split > 0) return run_split(**cl, dir.path, a.split);
  auto phones = load_phones(dir.path, count, a.phone_tls);
  if (!phones) return fail("phones", phones.error());

  auto measured = measure(a, **cl, *phones);
  if (!measured) return fail("sip server", measured.error());
  const Measured& m = *measured;
  report(a, m);
  // A report of speed, but only of registrations: any request not answered 200 (the warm-up's
  // included) fails the run.
  bool all_right = m.phase.tally.ok_ms.size() == static_cast<std::size_t>(a.requests) &&
                   m.warm.tally.ok_ms.size() == static_cast<std::size_t>(a.warmup);
  if (!all_right) std::cerr << "sip_bench: FAILED: not every REGISTER was answered 200\n";
  return all_right ? 0 : 1;
}

}  // namespace
}  // namespace cucm::bench

int main(int argc, char** argv) {
  cucm::bench::Args a;
  CLI::App app{"SIP-over-TLS registrations per second against an in-process SIP server on 127.0.0.1"};
  app.add_option("-c,--concurrency", a.concurrency, "Client threads (phones), each running its share back to back")
      ->check(CLI::Range(1, 512))->capture_default_str();
  app.add_option("--server-threads", a.server_threads, "Event loops (threads) of the server")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("-n,--requests", a.requests, "Measured registrations")
      ->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--warmup", a.warmup, "Registrations run first and not counted")
      ->check(CLI::Range(0, 100'000))->capture_default_str();
  app.add_option("--devices", a.devices, "Phones made in the data folder (at least --concurrency are)")
      ->check(CLI::Range(1, 4096))->capture_default_str();
  app.add_option("--timeout-ms", a.timeout_ms, "Per-operation deadline on both sides")->capture_default_str();
  app.add_option("--max-sessions", a.max_sessions, "The server's cap on concurrent sessions")->capture_default_str();
  app.add_option("--max-per-address", a.max_per_address,
                 "The server's cap per client address (0: none; every client here is 127.0.0.1)")
      ->capture_default_str();
  app.add_option("--data-dir", a.data_dir, "Use (and keep) this data directory instead of a temporary one");
  app.add_flag("--keep", a.keep, "Keep the temporary data directory");
  app.add_flag("--no-events", a.no_events, "No event log (serve always has one)");
  app.add_flag("--setup-only", a.setup_only, "Make the cluster, devices and LSCs in --data-dir and exit");
  app.add_option("--split", a.split,
                 "Instead of the run: time each part of a registration beyond the handshake N times on one thread")
      ->check(CLI::Range(0, 100'000));
  app.add_option("--phone-tls", a.phone_tls, "TLS the phones offer: 1.3 (the highest) or 1.2")
      ->check(CLI::IsMember({"1.3", "1.2"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return cucm::bench::run(a);
}

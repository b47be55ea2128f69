// tvs_bench: TVS verifications per second against an in-process tvs::TvsServer on 127.0.0.1, one
// full TLS handshake per request as phones do: C client threads each run a fixed number of
// phone::ask_tvs calls back to back, alternately for a certificate the cluster knows (its
// CallManager certificate) and one it does not, and every answer is checked. Prints a human
// summary on stderr and one JSON line on stdout; run_tvs_bench.sh drives it next to `openssl
// s_time -new` against `openssl s_server` with the same certificate, and bench/README.md explains
// the figures.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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
#include "cluster/services.hpp"
#include "phone/boot.hpp"
#include "phone/tvs_client.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/trust_list.hpp"
#include "tvs/proto/engine.hpp"

namespace cucm::bench {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  int concurrency = 1, server_threads = 1, requests = 2000, warmup = 64, timeout_ms = 10'000;
  std::size_t max_sessions = 256, max_per_address = 0;
  std::string data_dir;
  bool keep = false, no_events = false, setup_only = false;
  std::string phone_tls = "1.3";  // 1.3 (the highest), 1.2, or 1.0 (a 79xx: AES128-SHA, RSA key transport)
};

// What the clients ask about and what the answers must be.
struct Fixture {
  Bytes known;    // the cluster's CallManager certificate: valid, CCM+TFTP, the default TTL
  Bytes unknown;  // a certificate made here: invalid
  const X509* tvs_cert = nullptr;
  phone::TlsSettings tls;
};

struct Tally {
  std::vector<double> ok_ms;
  std::map<std::string, int> errors;  // no answer (connection, handshake, deadline)
  std::map<std::string, int> wrong;   // an answer, but not the right one
  double client_cpu = 0;
  std::string tls;  // what the first answered request negotiated
};

// Empty when `a` is the right answer for the known (or unknown) certificate, else what is wrong.
std::string check(const phone::TvsAnswer& a, bool known) {
  const auto& r = a.response;
  if (!known) return r.status == tvs::TrustStatus::Invalid && r.roles.empty() ? "" : "unknown certificate not answered invalid";
  if (r.status != tvs::TrustStatus::Valid) return "known certificate answered invalid";
  if (r.roles != std::vector<std::uint8_t>{static_cast<std::uint8_t>(signer::Role::CcmTftp)}) {
    return fmt::format("known certificate: roles {} vs CCM+TFTP", tvs::role_list(r.roles));
  }
  if (r.ttl != tvs::kDefaultTtl) return fmt::format("known certificate: ttl {} vs {}", r.ttl, tvs::kDefaultTtl);
  return "";
}

struct Phase {
  Tally tally;
  double wall = 0;
};

// Runs `requests` verifications on `concurrency` threads, each thread a fixed share of them back
// to back: even-numbered requests ask about the known certificate, odd-numbered the unknown one.
Phase run_phase(const Args& a, int requests, std::uint16_t port, const Fixture& fx) {
  Phase ph;
  std::mutex mutex;
  phone::ClientTlsContexts tls_contexts;  // shared by every client thread, as a fleet's phones
  auto worker = [&](int begin, int end) {
    pthread_setname_np(pthread_self(), "tvs-client");  // for perf --comm
    Tally mine;
    phone::TvsClientOptions o;
    o.port = port;
    o.timeout = std::chrono::milliseconds(a.timeout_ms);
    o.tls = fx.tls;
    o.trusted_tvs = {fx.tvs_cert};  // the phone checks the server is a TVS of its ITL
    o.tls_contexts = &tls_contexts;
    for (int i = begin; i < end; ++i) {
      bool known = i % 2 == 0;
      auto device = fmt::format("CP-8845-SEP{:012X}", 0xB0B000000000ULL + static_cast<unsigned>(i));
      o.sid = static_cast<std::uint32_t>(i) + 1;
      auto start = Clock::now();
      auto r = phone::ask_tvs(device, known ? fx.known : fx.unknown, o);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!r) {
        ++mine.errors[r.error().message.substr(0, 100)];
        continue;
      }
      if (auto why = check(*r, known); !why.empty()) {
        ++mine.wrong[why];
        continue;
      }
      mine.ok_ms.push_back(ms);
      if (mine.tls.empty()) mine.tls = r->tls;
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
  for (int t = 0; t < c; ++t) threads.emplace_back(worker, requests * t / c, requests * (t + 1) / c);
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

Result<Fixture> make_fixture(const cluster::Cluster& cl, const Args& a) {
  Fixture fx;
  fx.known = signer::cert_der(*cl.pki().identity(signer::PkiRole::CallManager).cert);
  CUCM_TRY(auto key, signer::generate_key({}));
  signer::CertRequest req;
  req.subject = {{"CN", "tvs-bench-unknown"}};
  CUCM_TRY(auto cert, signer::make_self_signed(*key, req));
  fx.unknown = signer::cert_der(*cert);
  fx.tvs_cert = cl.pki().identity(signer::PkiRole::Tvs).cert.get();
  if (a.phone_tls == "1.2") fx.tls.tls_max = "1.2";
  if (a.phone_tls == "1.0") {  // what the simulator's 79xx offers
    CUCM_TRY(auto old, phone::firmware_profile("79xx"));
    fx.tls = {old.tls_min, old.tls_max, old.tls_ciphers};
  }
  return fx;
}

struct Measured {
  Phase warm, phase;
  double loops_cpu = 0, server_all_cpu = 0;
  std::uint64_t valid = 0, invalid = 0, refused = 0, handshake_failed = 0;
};

void report(const Args& a, const Measured& m) {
  const auto& v = m.phase.tally.ok_ms;
  int ok = static_cast<int>(v.size()), errors = total(m.phase.tally.errors), wrong = total(m.phase.tally.wrong);
  double wall = m.phase.wall, rate = wall > 0 ? ok / wall : 0;
  auto per = [&](double s) { return ok ? s / ok * 1e6 : 0.0; };
  std::cerr << fmt::format(
      "tvs_bench: concurrency {}, server threads {}, phones' TLS {}: {} verifications right, {} wrong, {} errors in "
      "{:.2f} s = {:.1f} verifications/s; p50 {:.2f} ms, p99 {:.2f} ms\n"
      "  server CPU {:.1f} us/verification ({:.0f}% of {} loop thread(s); {:.1f} us with the event writer), client "
      "CPU {:.1f} us; server answered {} valid, {} invalid, refused {}, failed handshakes {}\n",
      a.concurrency, a.server_threads, m.phase.tally.tls, ok, wrong, errors, wall, rate, pct(v, 0.5), pct(v, 0.99),
      per(m.loops_cpu), wall > 0 ? m.loops_cpu / wall * 100 : 0.0, a.server_threads, per(m.server_all_cpu),
      per(m.phase.tally.client_cpu), m.valid, m.invalid, m.refused, m.handshake_failed);
  for (const auto& [k, n] : m.phase.tally.errors) std::cerr << fmt::format("  error x{}: {}\n", n, k);
  for (const auto& [k, n] : m.phase.tally.wrong) std::cerr << fmt::format("  WRONG ANSWER x{}: {}\n", n, k);
  std::cout << fmt::format(
                   "{{\"concurrency\":{},\"server_threads\":{},\"phone_tls\":\"{}\",\"requests\":{},\"ok\":{},"
                   "\"wrong\":{},\"errors\":{},\"wall_s\":{:.4f},\"verifications_per_s\":{:.2f},\"p50_ms\":{:.3f},"
                   "\"p99_ms\":{:.3f},\"server_cpu_s\":{:.4f},\"server_all_cpu_s\":{:.4f},\"client_cpu_s\":{:.4f},"
                   "\"valid\":{},\"invalid\":{},\"refused\":{},\"handshake_failed\":{},\"tls\":\"{}\","
                   "\"error_kinds\":{},\"wrong_kinds\":{}}}\n",
                   a.concurrency, a.server_threads, a.phone_tls, a.requests, ok, wrong, errors, wall, rate,
                   pct(v, 0.5), pct(v, 0.99), m.loops_cpu, m.server_all_cpu, m.phase.tally.client_cpu, m.valid,
                   m.invalid, m.refused, m.handshake_failed, json_escape(m.phase.tally.tls),
                   json_counts(m.phase.tally.errors), json_counts(m.phase.tally.wrong))
            << std::flush;
}

// TVS alone on its loops, as `cucm-emu serve --threads N`; a warm-up, then the measured phase
// with the server's CPU around it. Unavailable when the server does not start.
Result<Measured> measure(const Args& a, cluster::Cluster& cl, const Fixture& fx) {
  cluster::ServicesConfig sc;
  sc.threads = static_cast<std::size_t>(a.server_threads);
  sc.thread_name = "tvs-server";
  auto& cfg = sc.tvs.emplace();
  cfg.address = "127.0.0.1";
  cfg.port = 0;
  cfg.io_timeout = std::chrono::milliseconds(a.timeout_ms);
  cfg.max_sessions = a.max_sessions;
  cfg.max_per_address = a.max_per_address;  // every client is 127.0.0.1
  cfg.tls_min = a.phone_tls == "1.0" ? "1.0" : "1.2";  // `serve --tvs-tls-min 1.0` for 79xx phones
  cluster::Services services(cl, sc);
  CUCM_CHECK(services.start());
  const auto& stats = services.tvs()->stats();
  auto server_cpu = [&] {
    double s = 0;
    for (auto& t : services.threads()) s += thread_cpu(t.native_handle());
    return s;
  };

  Measured m;
  m.warm = run_phase(a, a.warmup, services.tvs_port(), fx);
  auto valid0 = stats.valid.load(), invalid0 = stats.invalid.load(), refused0 = stats.refused.load();
  auto hs0 = stats.handshake_failed.load();
  double scpu0 = server_cpu(), pcpu0 = process_cpu();
  m.phase = run_phase(a, a.requests, services.tvs_port(), fx);
  m.loops_cpu = server_cpu() - scpu0;
  // The whole process minus the client threads: the server's loops and its event writer.
  m.server_all_cpu = process_cpu() - pcpu0 - m.phase.tally.client_cpu;
  m.valid = stats.valid.load() - valid0;
  m.invalid = stats.invalid.load() - invalid0;
  m.refused = stats.refused.load() - refused0;
  m.handshake_failed = stats.handshake_failed.load() - hs0;
  services.stop();
  services.wait();
  return m;
}

int run(const Args& a) {
  DataDir dir;
  // --data-dir is kept: run_tvs_bench.sh shares it between runs so that its openssl peer uses the same keys.
  if (!open_data_dir(a.data_dir, a.keep, "cucm-tvs-bench", dir)) {
    std::cerr << "tvs_bench: cannot create the data directory\n";
    return 2;
  }
  auto fail = [](const std::string& what, const Error& e) {
    std::cerr << "tvs_bench: " << what << ": " << e.message << "\n";
    return 2;
  };

  // As `cucm-emu serve` opens it: every answer is posted to the event log (its own thread).
  cluster::Config ccfg;
  ccfg.events = !a.no_events;
  ccfg.build_workers = 1;  // TVS builds no files
  auto cl = cluster::Cluster::open(dir.path, ccfg);
  if (!cl) return fail("cluster", cl.error());
  if (a.setup_only) {  // run_tvs_bench.sh wants the TVS identity (pki/tvs.pem, tvs.key) for s_server
    std::cerr << fmt::format("tvs_bench: cluster ready in {}\n", dir.path.string());
    return 0;
  }
  auto fx = make_fixture(**cl, a);
  if (!fx) return fail("fixture", fx.error());

  auto measured = measure(a, **cl, *fx);
  if (!measured) return fail("tvs server", measured.error());
  const Measured& m = *measured;
  report(a, m);
  // A report of speed, but only of right answers: any request unanswered or answered wrong (the
  // warm-up's included) fails the run.
  bool all_right = m.phase.tally.ok_ms.size() == static_cast<std::size_t>(a.requests) &&
                   m.warm.tally.ok_ms.size() == static_cast<std::size_t>(a.warmup);
  if (!all_right) std::cerr << "tvs_bench: FAILED: not every request got the right answer\n";
  return all_right ? 0 : 1;
}

}  // namespace
}  // namespace cucm::bench

int main(int argc, char** argv) {
  cucm::bench::Args a;
  CLI::App app{"TVS verifications per second against an in-process TVS server on 127.0.0.1"};
  app.add_option("-c,--concurrency", a.concurrency, "Client threads, each running its share of requests back to back")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--server-threads", a.server_threads, "Event loops (threads) of the server")
      ->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("-n,--requests", a.requests, "Measured verifications (half known, half unknown)")
      ->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--warmup", a.warmup, "Verifications run first and not counted")
      ->check(CLI::Range(0, 100'000))->capture_default_str();
  app.add_option("--timeout-ms", a.timeout_ms, "Per-operation deadline on both sides")->capture_default_str();
  app.add_option("--max-sessions", a.max_sessions, "The server's cap on concurrent sessions")->capture_default_str();
  app.add_option("--max-per-address", a.max_per_address,
                 "The server's cap per client address (0: none; every client here is 127.0.0.1)")
      ->capture_default_str();
  app.add_option("--data-dir", a.data_dir, "Use (and keep) this data directory instead of a temporary one");
  app.add_flag("--keep", a.keep, "Keep the temporary data directory");
  app.add_flag("--no-events", a.no_events, "No event log (serve always has one)");
  app.add_flag("--setup-only", a.setup_only, "Open (create) the cluster in --data-dir and exit");
  app.add_option("--phone-tls", a.phone_tls,
                 "TLS the phones offer: 1.3 (the highest), 1.2, or 1.0 (a 79xx: AES128-SHA with RSA key transport; "
                 "the server's floor drops to 1.0)")
      ->check(CLI::IsMember({"1.3", "1.2", "1.0"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return cucm::bench::run(a);
}

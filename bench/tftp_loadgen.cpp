// tftp_loadgen: keeps C read transfers going at once against one TFTP server on loopback and
// prints one JSON line (files/s, MB/s, errors). Works against tftpd-hpa, atftpd and cucm-emu;
// run_tftp_bench.sh drives it, bench/README.md explains the figures.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>
#include <vector>

#include "bench/tftp_load_worker.hpp"

namespace cucm::bench {
namespace {
namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string server = "127.0.0.1:6969", file, expect, verify = "first";
  std::size_t size = 0, blksize = 512;
  int clients = 1, windowsize = 0, timeout_ms = 1000, retries = 5, threads = 1;
  double duration = 0, max_seconds = 120;
  std::uint64_t files = 0;
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// HOST:PORT with an IPv4 loopback address: this tool never sends anywhere else.
bool parse_server(const std::string& s, udp::endpoint& out, std::string& err) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return err = "expected HOST:PORT", false;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(s.substr(0, colon), ec);
  unsigned port = 0;
  auto ps = s.substr(colon + 1);
  auto [end, pec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec || pec != std::errc{} || end != ps.data() + ps.size() || port == 0 || port > 65535) {
    return err = fmt::format("bad server '{}'", s), false;
  }
  if (!addr.is_v4() || !addr.is_loopback()) {
    return err = fmt::format("{} is not an IPv4 loopback address", addr.to_string()), false;
  }
  out = udp::endpoint(addr, static_cast<std::uint16_t>(port));
  return true;
}

void add_options(CLI::App& app, Args& a) {
  app.add_option("--server", a.server, "HOST:PORT, an IPv4 loopback address")
      ->capture_default_str();
  app.add_option("--file", a.file, "File name to read")->required();
  app.add_option("--expect", a.expect, "Reference file: size checked always, bytes per --verify");
  app.add_option("--size", a.size, "Expected size, without a reference file");
  app.add_option("--clients", a.clients, "Concurrent transfers")->check(CLI::Range(1, 4096));
  app.add_option("--duration", a.duration, "Seconds to run")->check(CLI::Range(0.0, 600.0));
  app.add_option("--files", a.files, "Transfers to run instead")->check(CLI::Range(0, 100000000));
  app.add_option("--max-seconds", a.max_seconds, "Hard bound on a --files run")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  app.add_option("--blksize", a.blksize, "blksize to ask (0: none)")
      ->check(CLI::Range(0, 65464))
      ->capture_default_str();
  app.add_option("--windowsize", a.windowsize, "windowsize to ask (0: none)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--timeout-ms", a.timeout_ms, "Resend after this long without progress")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  app.add_option("--retries", a.retries, "Resends before a transfer counts as a timeout")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--verify", a.verify, "Compare bytes with --expect: first (per client), all, none")
      ->check(CLI::IsMember({"first", "all", "none"}))
      ->capture_default_str();
  app.add_option("--threads", a.threads, "Worker threads; the clients are split among them")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
}

// The run's configuration from the arguments; an empty string, or what is wrong.
std::string configure(const Args& a, LoadConfig& cfg) {
  if ((a.duration > 0) == (a.files > 0)) return "give exactly one of --duration and --files";
  std::string err;
  if (!parse_server(a.server, cfg.server, err)) return "--server: " + err;
  cfg.file = a.file;
  cfg.expected_size = a.size;
  if (!a.expect.empty()) {
    std::ifstream in(a.expect, std::ios::binary);
    if (!in) return "--expect: cannot read " + a.expect;
    if (a.verify != "none") cfg.reference.assign(std::istreambuf_iterator<char>(in), {});
    in.clear();
    in.seekg(0, std::ios::end);
    cfg.expected_size = static_cast<std::size_t>(in.tellg());
  }
  cfg.files = a.files;
  cfg.blksize = a.blksize;
  cfg.windowsize = a.windowsize;
  cfg.timeout = std::chrono::milliseconds(a.timeout_ms);
  cfg.retries = a.retries;
  cfg.verify_all = a.verify == "all";
  return {};
}

double percentile(std::vector<float>& xs, double q) {
  if (xs.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
  return xs[k];
}

void print_json(const Args& a, int threads, double elapsed, double cpu, LoadStats& t) {
  double secs = elapsed > 0 ? elapsed : 1e-9;
  auto files_s = static_cast<double>(t.files) / secs;
  auto mb_s = static_cast<double>(t.bytes) / secs / 1e6;
  std::string out = fmt::format(
      "{{\"server\":\"{}\",\"file\":\"{}\",\"clients\":{},\"threads\":{},\"blksize\":{},"
      "\"windowsize\":{},\"elapsed_s\":{:.3f},\"files\":{},\"files_per_s\":{:.1f},\"bytes\":{},"
      "\"mb_per_s\":{:.2f},\"errors\":{},\"error_packets\":{},\"busy\":{},\"timeouts\":{},"
      "\"retransmits\":{},\"size_mismatch\":{},\"verify_failures\":{},\"bad_packets\":{},"
      "\"foreign_tid\":{},\"started\":{},\"latency_ms_p50\":{:.3f},\"latency_ms_p99\":{:.3f},"
      "\"loadgen_cpu_s\":{:.3f}}}",
      a.server, a.file, a.clients, threads, a.blksize, a.windowsize, elapsed, t.files, files_s,
      t.bytes, mb_s, t.errors(), t.error_packets, t.busy, t.timeouts, t.retransmits,
      t.size_mismatch, t.verify_failures, t.bad_packets, t.foreign_tid, t.started,
      percentile(t.latency_ms, 0.5), percentile(t.latency_ms, 0.99), cpu);
  std::printf("%s\n", out.c_str());
}

int run(const Args& a) {
  auto run = std::make_unique<LoadRun>();
  if (auto err = configure(a, run->cfg); !err.empty()) {
    std::fprintf(stderr, "tftp_loadgen: %s\n", err.c_str());
    return 2;
  }
  run->to_start = static_cast<std::int64_t>(a.files);
  run->to_finish = static_cast<std::int64_t>(a.files);
  int threads = std::min(a.threads, a.clients);
  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (int t = 0; t < threads; ++t) {
    int share = a.clients / threads + (t < a.clients % threads ? 1 : 0);
    workers.push_back(std::make_unique<LoadWorker>(*run, share));
  }

  double cpu0 = cpu_seconds();
  run->start = Clock::now();
  double limit = a.duration > 0 ? a.duration : a.max_seconds;
  run->deadline = run->start +
                  std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&w = *workers[t]] { w.run(); });
  workers[0]->run();
  for (auto& t : pool) t.join();
  bool all_done = a.files > 0 && run->to_finish <= 0;
  double elapsed =
      all_done ? static_cast<double>(run->last_finish_ns) / 1e9
               : std::chrono::duration<double>(std::min(Clock::now(), run->deadline) - run->start)
                     .count();
  double cpu = cpu_seconds() - cpu0;

  LoadStats total;
  for (auto& w : workers) total.add(w->stats());
  print_json(a, threads, elapsed, cpu, total);
  return total.files == 0 || total.size_mismatch + total.verify_failures > 0 ? 1 : 0;
}

}  // namespace
}  // namespace cucm::bench

// Exit status: 0 when files came back intact, 1 when none did or one came back wrong, 2 for bad
// arguments.
int main(int argc, char** argv) {
  cucm::bench::Args a;
  CLI::App app{"TFTP load generator: C concurrent read transfers against one loopback server"};
  cucm::bench::add_options(app, a);
  CLI11_PARSE(app, argc, argv);
  return cucm::bench::run(a);
}

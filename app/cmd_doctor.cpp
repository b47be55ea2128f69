// cucm-emu doctor: whether the data folder and this host are ready for serve (cluster/doctor.hpp
// checks; this prints them). Read-only: it makes nothing it checks.
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/serve_options.hpp"
#include "cluster/doctor.hpp"

namespace cucm::app {
namespace {

struct DoctorArgs {
  std::string config;
  bool json = false;
};

// serve's options as its --config file sets them, applied by serve's own code: a file serve
// refuses is refused here in the same words.
Result<ServeArgs> serve_args(const std::string& config) {
  ServeArgs a;
  if (config.empty()) return a;
  CLI::App scratch{"serve"};
  add_serve_options(scratch, a);
  CUCM_CHECK(apply_config_file(scratch, config));
  return a;
}

Result<std::vector<cluster::Listener>> listeners(const ServeArgs& a) {
  struct Service {
    const char* name;
    bool off;
    core::Transport transport;
    const std::string& address;
    int port;
    const char* family = nullptr;  // the --<family>-address and --no-<family> flags; null: the name
  };
  // Metrics are off unless a port is given (-1), and have no --no- flag.
  const Service services[] = {{"tftp", a.no_tftp, core::Transport::Udp, a.tftp_address, a.tftp_port},
                              {"http", a.no_http, core::Transport::Tcp, a.http_address, a.http_port},
                              {"https", a.no_https, core::Transport::Tcp, a.https_address, a.https_port},
                              {"capf", a.no_capf, core::Transport::Tcp, a.capf_address, a.capf_port},
                              {"tvs", a.no_tvs, core::Transport::Tcp, a.tvs_address, a.tvs_port},
                              {"sip-tls", a.no_sip, core::Transport::Tcp, a.sip_address, a.sip_tls_port, "sip"},
                              {"sip", a.no_sip || a.no_sip_plain, core::Transport::Udp, a.sip_address, a.sip_port},
                              {"sip", a.no_sip || a.no_sip_plain, core::Transport::Tcp, a.sip_address, a.sip_port},
                              {"admin", a.no_admin, core::Transport::Tcp, a.admin_address, a.admin_port},
                              {"metrics", a.metrics_port < 0, core::Transport::Tcp, a.metrics_address, a.metrics_port}};
  std::vector<cluster::Listener> out;
  for (const auto& s : services) {
    if (s.off) continue;
    std::string flag = fmt::format("--{}-port", s.name);
    if (s.port < 0 || s.port > 65535) {
      return make_error(Errc::InvalidArgument, fmt::format("doctor: {} {}: a port is 0..65535", flag, s.port));
    }
    bool metrics = std::string_view(s.name) == "metrics";
    const char* family = s.family ? s.family : s.name;
    out.push_back({s.name, s.transport, s.address, static_cast<std::uint16_t>(s.port), flag,
                   fmt::format("--{}-address", family), metrics ? "" : fmt::format("--no-{}", family)});
  }
  return out;
}

void print_text(const std::vector<cluster::Finding>& findings) {
  std::size_t problems = 0, warnings = 0;
  for (const auto& f : findings) {
    const char* label = f.verdict == cluster::Verdict::Problem ? "PROBLEM" : cluster::verdict_name(f.verdict);
    std::cout << fmt::format("{:<8} {}: {}{}\n", label, f.check, f.detail, f.fix.empty() ? "" : "; fix: " + f.fix);
    problems += f.verdict == cluster::Verdict::Problem;
    warnings += f.verdict == cluster::Verdict::Warning;
  }
  if (problems > 0) {
    std::cout << fmt::format("doctor: {} problem(s), {} warning(s) in {} checks: fix the PROBLEM lines, then run doctor "
                             "again\n", problems, warnings, findings.size());
  } else {
    std::cout << fmt::format("doctor: ready to serve ({} checks, {} warning(s))\n", findings.size(), warnings);
  }
}

Status run(const GlobalOptions& g, const DoctorArgs& args, int& rc) {
  cluster::DoctorInput in;
  in.data_dir = g.data_dir;
  in.now = std::time(nullptr);
  in.config_file = args.config;
  // A file serve would refuse is a line of the report (the folder is still worth checking).
  auto serve = serve_args(args.config);
  auto ports = serve ? listeners(*serve) : Result<std::vector<cluster::Listener>>(serve.error());
  if (ports) {
    in.listeners = std::move(*ports);
  } else {
    in.config_error = ports.error().message;
  }
  auto findings = cluster::run_doctor(in);
  if (args.json) {
    auto arr = nlohmann::json::array();
    for (const auto& f : findings) {
      arr.push_back({{"check", f.check}, {"verdict", cluster::verdict_name(f.verdict)}, {"detail", f.detail}, {"fix", f.fix}});
    }
    print_json(arr);
  } else {
    print_text(findings);
  }
  rc = cluster::any_problem(findings) ? 1 : 0;
  return Ok{};
}

}  // namespace

void add_doctor_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto args = std::make_shared<DoctorArgs>();
  auto* d = app.add_subcommand("doctor", "Check the data folder (permissions, keys, database) and the ports serve needs, "
                                         "and say what to fix; exit 1 on any problem. Changes nothing");
  d->add_option("--config", args->config, "serve's config file: check the ports and addresses it sets")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  d->add_flag("--json", args->json, "Print the checks as a JSON array");
  d->callback([&g, &rc, args] {
    int code = 0;
    rc = guarded([&] { return run(g, *args, code); });
    if (rc == 0) rc = code;
  });
}

}  // namespace cucm::app

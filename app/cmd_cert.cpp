// cucm-emu cert: `check` judges a chain against a trusted CA list as seeds 002 and 003 judge
// one, every problem reported with its certificate; `csr` and `import` are cmd_cert_identity.cpp.
#include <ctime>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_check.hpp"

namespace cucm::app {
namespace {

// A chain or trusted-list file: 64 certificates of a few kilobytes each fit many times over.
constexpr std::size_t kMaxBundleFile = 1u << 20;

struct CheckArgs {
  std::string chain;
  std::string trusted;  // --trusted FILE
  std::string store;    // --store NAME: a trust store of the cluster database
  std::string purpose = "both";
  std::string host;
  std::string at;  // "YYYY-MM-DD HH:MM:SS", UTC; now when empty
  bool json = false;
};

Result<std::vector<signer::X509Ptr>> read_bundle(const std::string& path) {
  CUCM_TRY(auto bytes, read_file(path, kMaxBundleFile));
  return signer::load_cert_bundle(bytes, path);
}

// The trusted CA list for the options given: --trusted FILE, a trust store of the cluster
// (--store NAME), or both together.
Result<std::vector<signer::X509Ptr>> trusted_certs(const GlobalOptions& g, const CheckArgs& a) {
  std::vector<signer::X509Ptr> out;
  if (!a.trusted.empty()) {
    CUCM_TRY(out, read_bundle(a.trusted));
  }
  if (!a.store.empty()) {
    CUCM_TRY(auto store, cluster::parse_trust_store(a.store));
    CUCM_TRY(auto db, cluster_db(g));
    CUCM_TRY(auto stored, cluster::trusted_certificates(db, store));
    for (auto& c : stored) out.push_back(std::move(c));
  }
  return out;
}

// "2026-01-01 00:00:00" (and " UTC" after it, as the problems print dates), in UTC.
Result<std::time_t> parse_at(std::string text) {
  auto bad = [&] {
    return make_error(Errc::InvalidArgument, fmt::format("--at '{}': expected \"YYYY-MM-DD HH:MM:SS\" (UTC)", text));
  };
  std::string_view v = text;
  if (v.ends_with(" UTC")) v.remove_suffix(4);
  std::tm tm{};
  std::istringstream in{std::string(v)};
  in >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return bad();
  std::tm asked = tm;
  std::time_t t = timegm(&tm);
  // timegm moves 2026-02-30 to March: a date that does not exist comes back changed.
  if (tm.tm_mday != asked.tm_mday || tm.tm_mon != asked.tm_mon || tm.tm_hour != asked.tm_hour ||
      tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec) {
    return bad();
  }
  return t;
}

std::vector<const X509*> borrow(const std::vector<signer::X509Ptr>& certs) {
  std::vector<const X509*> out;
  for (const auto& c : certs) out.push_back(c.get());
  return out;
}

std::string plural(std::size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string verdict_line(const signer::CertCheckReport& r, const signer::CertCheckInput& in) {
  std::string warnings = r.warnings() ? fmt::format(" ({})", plural(r.warnings(), "warning")) : "";
  if (!r.valid()) {
    return fmt::format("invalid: {}{}", plural(r.errors(), "problem"),
                       r.warnings() ? ", " + plural(r.warnings(), "warning") : "");
  }
  std::string host = in.host ? fmt::format(", host {}", *in.host) : "";
  return fmt::format("valid: {} chains to {} for {}{}{}", r.chain.front(), r.anchor,
                     signer::describe_purpose(in.purpose), host, warnings);
}

nlohmann::json report_json(const signer::CertCheckReport& r, const signer::CertCheckInput& in) {
  auto problems = nlohmann::json::array();
  for (const auto& p : r.problems) {
    problems.push_back({{"code", p.code},
                        {"severity", signer::severity_name(p.severity)},
                        {"subject", p.subject},
                        {"message", p.message}});
  }
  nlohmann::json j = {{"verdict", r.valid() ? "valid" : "invalid"},
                      {"chain", r.chain},
                      {"anchor", r.anchor.empty() ? nlohmann::json() : nlohmann::json(r.anchor)},
                      {"purpose", in.purpose == signer::CertPurpose::Both     ? "both"
                                  : in.purpose == signer::CertPurpose::Server ? "server"
                                                                              : "client"},
                      {"at", signer::format_utc(in.at)},
                      {"problems", problems}};
  if (in.host) j["host"] = *in.host;
  return j;
}

Status check(const GlobalOptions& g, const CheckArgs& a, bool& valid) {
  auto purpose = signer::parse_cert_purpose(a.purpose);
  if (!purpose) return make_error(Errc::InvalidArgument, "--" + purpose.error().message);
  std::time_t at = std::time(nullptr);
  if (!a.at.empty()) {
    CUCM_TRY(at, parse_at(a.at));
  }
  CUCM_TRY(auto chain, read_bundle(a.chain));
  CUCM_TRY(auto trusted, trusted_certs(g, a));
  std::optional<std::string> host;
  if (!a.host.empty()) host = a.host;
  signer::CertCheckInput in{borrow(chain), borrow(trusted), *purpose, host, at};
  CUCM_TRY(auto report, signer::check_cert_chain(in));
  valid = report.valid();
  if (a.json) {
    print_json(report_json(report, in));
    return Ok{};
  }
  std::cout << verdict_line(report, in) << "\n";
  for (const auto& p : report.problems) {
    std::cout << fmt::format("  {} [{}] {}: {}\n", signer::severity_name(p.severity), p.code, p.subject, p.message);
  }
  return Ok{};
}

void add_check_command(CLI::App& cert, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<CheckArgs>();
  auto* c = cert.add_subcommand(
      "check", "Judge a chain (leaf first, then any intermediates) against a trusted CA list, as seeds 002 and 003 do");
  c->add_option("chain", a->chain, "The chain as presented: PEM (one or more certificates) or DER")->required();
  c->add_option("--trusted", a->trusted, "The trusted CA list: PEM (the intermediates and the roots) or DER");
  c->add_option("--store", a->store, "Or a trust store of the cluster: CallManager-trust, CAPF-trust, Phone-VPN-trust, "
                                     "tomcat-trust");
  c->add_option("--purpose", a->purpose, "EKU required: server, client or both (a traversal zone needs both)")
      ->capture_default_str();
  c->add_option("--host", a->host, "A DNS name or IP address the leaf must carry in its SAN");
  c->add_option("--at", a->at, "Judge validity at \"YYYY-MM-DD HH:MM:SS\" (UTC) instead of now");
  c->add_flag("--json", a->json, "Machine-readable output");
  c->callback([&g, &rc, a] {
    bool valid = false;
    rc = guarded([&] { return check(g, *a, valid); });
    if (rc == 0 && !valid) rc = 1;
  });
}

}  // namespace

void add_cert_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cert = app.add_subcommand("cert", "Certificates: chain checks; CSRs and imports for the cluster identities");
  cert->require_subcommand(1);
  add_check_command(*cert, g, rc);
  add_cert_identity_commands(*cert, g, rc);  // csr, import (cmd_cert_identity.cpp)
}

}  // namespace cucm::app

// cucm-emu cnf show|fetch: what the TFTP service would serve a phone now, and why.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "db/model.hpp"
#include "signer/digest.hpp"
#include "signer/sgn_file.hpp"
#include "catalog/catalog.hpp"

namespace cucm::app {
namespace {

struct CnfArgs {
  std::string name, variant = "auto", out;
  std::string digest = "sha1", static_dir;  // as serve's flags of the same names
  bool json = false;
};

// The catalog as `serve` builds it with the same --digest and --static-dir.
Result<catalog::CatalogOptions> serve_options(const GlobalOptions& g, const CnfArgs& a) {
  catalog::CatalogOptions o;
  CUCM_TRY(o.hash, signer::parse_hash_name(a.digest));
  o.static_dir = a.static_dir.empty() ? g.data_dir / "static" : std::filesystem::path(a.static_dir);
  return o;
}

// The XML inside a served file, or a note for encrypted bytes.
std::string readable(const catalog::Served& s) {
  switch (s.variant) {
    case catalog::Variant::FullConfig:
    case catalog::Variant::XmlDefault:
      return std::string(as_chars(s.bytes));
    case catalog::Variant::FullConfigSigned:
    case catalog::Variant::PartialConfigSigned:
    case catalog::Variant::XmlDefaultSigned: {
      auto p = signer::parse_sgn(s.bytes);
      return p ? std::string(as_chars(signer::sgn_payload(s.bytes, *p))) : "(unparseable .sgn)\n";
    }
    default:
      return fmt::format("({} bytes of {}; use --out FILE to write them)\n", s.bytes.size(), catalog::variant_name(s.variant));
  }
}

Status show(const GlobalOptions& g, const CnfArgs& a) {
  CUCM_TRY(std::string dev, db::normalise_device_name(a.name));
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto opts, serve_options(g, a));
  catalog::Catalog cat(db, pki, opts);
  const std::string names[] = {dev + ".cnf.xml", dev + ".cnf.xml.sgn", dev + ".cnf.xml.enc.sgn"};
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& n : names) {
    CUCM_TRY(auto d, cat.decide_for(n));
    decisions.push_back({{"file", n}, {"variant", catalog::variant_name(d.variant)}, {"rule", d.rule}});
    if (!a.json) std::cerr << fmt::format("{:<32} {:<12} {}\n", n, catalog::variant_name(d.variant), d.rule);
  }
  if (a.json && a.out.empty()) {
    print_json({{"device", dev}, {"decisions", decisions}});
    return Ok{};
  }
  if (a.variant == "full") {
    CUCM_TRY(auto xml, cat.full_config(dev));
    if (!a.out.empty()) return write_output(a.out, as_bytes(xml));
    std::cout << xml;
    return Ok{};
  }
  std::string name = a.variant == "enc" ? names[2] : names[1];
  if (a.variant != "auto" && a.variant != "partial" && a.variant != "enc") {
    return make_error(Errc::InvalidArgument, fmt::format("--variant '{}': auto, full, partial or enc", a.variant));
  }
  CUCM_TRY(auto served, cat.fetch(name));
  if (a.variant == "partial" && served.variant != catalog::Variant::PartialConfigSigned) {
    return make_error(Errc::NotFound, fmt::format("{} carries no partial config: {}", name, served.rule));
  }
  if (!a.out.empty()) {
    CUCM_CHECK(write_output(a.out, served.bytes));
    std::cerr << fmt::format("wrote {} ({} bytes, {})\n", a.out, served.bytes.size(), catalog::variant_name(served.variant));
    return Ok{};
  }
  std::cout << readable(served);
  return Ok{};
}

Status fetch(const GlobalOptions& g, const CnfArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto opts, serve_options(g, a));
  catalog::Catalog cat(db, pki, opts);
  CUCM_TRY(auto served, cat.fetch(a.name));
  std::cerr << fmt::format("{}: {} ({} bytes): {}; built as `serve --digest {}` serves it\n", a.name,
                           catalog::variant_name(served.variant), served.bytes.size(), served.rule, a.digest);
  return write_output(a.out.empty() ? a.name : a.out, served.bytes);
}

}  // namespace

void add_cnf_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cnf = app.add_subcommand("cnf", "What the TFTP service would serve a phone now, and why");
  cnf->require_subcommand(1);
  auto a = std::make_shared<CnfArgs>();
  auto* show_cmd = cnf->add_subcommand("show", "The decision for a device's config files and the config itself");
  show_cmd->add_option("name", a->name, "Device name")->required();
  show_cmd->add_option("--variant", a->variant, "auto (what .cnf.xml.sgn carries), full, partial or enc")->capture_default_str();
  show_cmd->add_option("-o,--out", a->out, "Write the exact served bytes (signed/encrypted) to this file");
  show_cmd->add_flag("--json", a->json, "Only the decisions, as JSON");
  show_cmd->add_option("--digest", a->digest, "As serve --digest: sha1 or sha512")->capture_default_str();
  show_cmd->callback([&g, &rc, a] { rc = guarded([&] { return show(g, *a); }); });

  auto* fetch_cmd = cnf->add_subcommand("fetch", "Any file name a phone may request, built as the server would");
  fetch_cmd->add_option("name", a->name, "e.g. ITLSEP001122334455.tlv, SEP001122334455.cnf.xml.sgn")->required();
  fetch_cmd->add_option("-o,--out", a->out, "Output file (default: the name; - for stdout)");
  fetch_cmd->add_option("--digest", a->digest, "As serve --digest: sha1 or sha512")->capture_default_str();
  fetch_cmd->add_option("--static-dir", a->static_dir, "As serve --static-dir (default DATA/static)");
  fetch_cmd->callback([&g, &rc, a] { rc = guarded([&] { return fetch(g, *a); }); });
}

}  // namespace cucm::app

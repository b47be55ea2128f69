// cucm-emu tlv build|parse|verify: ITL and CTL trust lists.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/dissect.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "db/settings_store.hpp"
#include "signer/cert.hpp"
#include "signer/trust_list.hpp"

namespace cucm::app {
namespace {

struct TlvArgs {
  std::string type = "itl", out, filename, digest = "sha1", input;
  std::vector<std::string> add;
  bool json = false, verify = false;
};

int build(const GlobalOptions& g, const TlvArgs& a) {
  if (a.type != "itl" && a.type != "ctl") return fail(make_error(Errc::InvalidArgument, "--type must be itl or ctl"));
  auto hash = signer::parse_hash_name(a.digest);
  if (!hash) return fail(hash.error());
  auto pki = cluster_pki(g);
  if (!pki) return fail(pki.error());
  // An ITL as the cluster's settings make it (itl_signer, rollback_prep), as the catalog does.
  signer::ItlLayout layout;
  if (a.type == "itl") {
    auto db = cluster_db(g);
    if (!db) return fail(db.error());
    auto settings = db::SettingsStore(*db).settings();
    if (!settings) return fail(settings.error());
    if (settings->itl_signed_by_callmanager) layout.signer = signer::PkiRole::CallManager;
    layout.rollback = settings->rollback_prep;
  }
  auto entries = a.type == "itl" ? pki->itl_entries(layout) : pki->ctl_entries();
  std::vector<signer::X509Ptr> extra;  // keeps added certificates alive while entries point at them
  for (const auto& spec : a.add) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) {
      return fail(make_error(Errc::InvalidArgument, fmt::format("--add '{}': expected ROLE=CERTFILE", spec)));
    }
    auto role = signer::parse_role(spec.substr(0, eq));
    if (!role) return fail(role.error());
    auto bytes = read_file(spec.substr(eq + 1));
    if (!bytes) return fail(bytes.error());
    auto cert = signer::load_cert(*bytes);
    if (!cert) return fail(cert.error());
    extra.push_back(std::move(*cert));
    entries.push_back({extra.back().get(), *role});
  }
  signer::TrustListOptions o;
  o.filename = !a.filename.empty() ? a.filename : a.type == "itl" ? "ITLFile.tlv" : "CTLFile.tlv";
  o.hash = *hash;
  o.timestamp = now_timestamp();
  auto& sast = pki->identity(layout.signer);
  auto file = signer::build_trust_list(entries, o, *sast.key, *sast.cert);
  if (!file) return fail(file.error());
  std::string out = a.out.empty() ? o.filename : a.out;
  if (auto st = write_output(out, *file); !st) return fail(st.error());
  if (out != "-") {
    std::cerr << fmt::format("wrote {} ({} bytes, {} records, signed by {})\n", out, file->size(), entries.size(),
                             signer::subject_name(*sast.cert));
  }
  return 0;
}

int parse(const TlvArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto list = signer::parse_trust_list(*file);
  if (!list) return fail(list.error());
  Status verdict = Ok{};
  std::string signer_desc;
  if (a.verify) {
    verdict = signer::verify_trust_list(*file, *list);
    if (auto s = signer::find_signer(*list)) signer_desc = fmt::format("record at offset {}", (*s)->offset);
  }
  if (a.json) {
    nlohmann::json j = {{"file", a.input}, {"size", file->size()}, {"header", header_json(list->parsed)},
                        {"fields", trace_json(list->parsed.trace)}, {"records", records_json(list->records)},
                        {"record_fields", trace_json(list->record_trace)}};
    if (a.verify) {
      j["signature_valid"] = verdict.has_value();
      if (!verdict) j["signature_error"] = verdict.error().message;
    }
    print_json(j);
  } else {
    std::cout << fmt::format("{}: {} bytes, trust list version {}.{}, {} records\n", a.input, file->size(),
                             list->parsed.header.version[0], list->parsed.header.version[1], list->records.size());
    print_trace(list->parsed.trace);
    print_trace(list->record_trace);
    std::cout << "\nrecords:\n";
    for (const auto& r : list->records) {
      std::cout << fmt::format("  {:#07x}  {:<10}  {}  serial {}\n", r.offset,
                               r.role ? signer::role_name(*r.role) : "-", r.subject, to_hex(r.serial));
    }
    if (a.verify) {
      std::cout << (verdict ? fmt::format("signature: OK (signer {})\n", signer_desc)
                            : fmt::format("signature: BAD: {}\n", verdict.error().message));
    }
  }
  return verdict ? 0 : 1;
}

}  // namespace

void add_tlv_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* tlv = app.add_subcommand("tlv", "Trust lists: ITLFile.tlv, ITLSEP<MAC>.tlv, CTLFile.tlv");
  tlv->require_subcommand(1);
  auto a = std::make_shared<TlvArgs>();

  auto* b = tlv->add_subcommand("build", "Build and sign a trust list from the cluster identities");
  b->add_option("--type", a->type, "itl or ctl")->capture_default_str();
  b->add_option("-o,--out", a->out, "Output file (default: the file name; - for stdout)");
  b->add_option("--filename", a->filename, "Name in the header (default ITLFile.tlv / CTLFile.tlv)");
  b->add_option("--digest", a->digest, "sha1 or sha512")->capture_default_str();
  b->add_option("--add", a->add, "Extra record ROLE=CERTFILE (e.g. APP-SERVER=root.pem); repeatable");
  b->callback([&g, &rc, a] { rc = build(g, *a); });

  auto* p = tlv->add_subcommand("parse", "Show the header and every record field");
  p->add_option("input", a->input, "A .tlv file")->required();
  p->add_flag("--json", a->json, "Machine-readable output");
  p->add_flag("--verify", a->verify, "Also check the signature with the SAST record (exit 1 if bad)");
  p->callback([&rc, a] { rc = parse(*a); });

  auto* v = tlv->add_subcommand("verify", "Check the signature with the file's own SAST record");
  v->add_option("input", a->input, "A .tlv file")->required();
  v->callback([&rc, a] {
    auto file = read_file(a->input);
    if (!file) { rc = fail(file.error()); return; }
    auto list = signer::parse_trust_list(*file);
    if (!list) { rc = fail(list.error()); return; }
    if (auto st = signer::verify_trust_list(*file, *list); !st) {
      rc = fail(make_error(st.error().code, fmt::format("{}: BAD signature: {}", a->input, st.error().message)));
      return;
    }
    std::cout << fmt::format("{}: signature OK (signer {})\n", a->input, list->parsed.header.signer_name);
    rc = 0;
  });
}

}  // namespace cucm::app

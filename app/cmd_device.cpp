// cucm-emu device add|list|show|set|delete|import|export|cert: phones, as the CUCM Phone
// Configuration page and the Bulk Administration Tool manage them.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "capf/recorded_cert.hpp"
#include "admin/devices.hpp"
#include "admin/views.hpp"
#include "app/record_print.hpp"
#include "app/sip_registrations.hpp"
#include "db/sip_store.hpp"
#include "app/table.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "db/csv.hpp"
#include "db/device_store.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::app {
namespace {

struct DeviceArgs {
  std::string name, description, product, protocol, profile, load, vpn_group, file, cert, type = "LSC";
  std::vector<std::string> lines;
  bool json = false, clear_lines = false, clear = false;
};

// The options given on the command line, as the changes admin/ applies.
Result<admin::DeviceChanges> changes(const DeviceArgs& a, const CLI::App& cmd) {
  admin::DeviceChanges c;
  if_given(cmd, "--description", a.description, c.description);
  if_given(cmd, "--product", a.product, c.product);
  if_given(cmd, "--protocol", a.protocol, c.protocol);
  if_given(cmd, "--profile", a.profile, c.profile);
  if_given(cmd, "--load", a.load, c.load_information);
  if_given(cmd, "--vpn-group", a.vpn_group, c.vpn_group);
  if (a.clear_lines) c.lines.emplace();
  if (!a.lines.empty()) {
    CUCM_TRY(c.lines, admin::parse_line_specs(a.lines));
  }
  return c;
}

Status add(const GlobalOptions& g, const DeviceArgs& a, const CLI::App& cmd) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto c, changes(a, cmd));
  CUCM_TRY(auto d, admin::add_device(db, a.name, c, admin::cli_actor()));
  std::cout << "added " << d.name << "\n";
  return Ok{};
}

Status list(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto devices, db::DeviceStore(db).list());
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& d : devices) arr.push_back(admin::device_json(d));
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : devices) {
    rows.push_back({d.name, d.product, d.protocol, d.profile, d.md5hash.empty() ? "-" : d.md5hash, d.capf.operation});
  }
  std::cout << format_table({"name", "product", "protocol", "profile", "md5hash", "capf"}, rows);
  return Ok{};
}

Status show(const GlobalOptions& g, const DeviceArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto d, db::DeviceStore(db).get(a.name));
  std::time_t now = std::time(nullptr);
  CUCM_TRY(auto regs, db::SipStore(db).registrations(now, d.name));
  if (a.json) {
    auto j = admin::device_json(d);
    j["sip_registrations"] = admin::registrations_json(regs, now);
    print_json(j);
    return Ok{};
  }
  print_device(d);
  std::cout << "SIP registrations:" << (regs.empty() ? " none\n" : "\n");
  if (!regs.empty()) std::cout << registrations_table(regs, now);
  return Ok{};
}

Status set(const GlobalOptions& g, const DeviceArgs& a, const CLI::App& cmd) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto c, changes(a, cmd));
  CUCM_TRY(auto after, admin::change_device(db, a.name, c, admin::cli_actor()));
  print_device(after);
  return Ok{};
}

Status remove(const GlobalOptions& g, const std::string& name) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto n, admin::delete_device(db, name, admin::cli_actor()));
  std::cout << "deleted " << n << "\n";
  return Ok{};
}

Status import_csv(const GlobalOptions& g, const std::string& file) {
  CUCM_TRY(Bytes bytes, read_file(file));
  CUCM_TRY(auto db, cluster_db(g));
  bool tty = ::isatty(STDERR_FILENO);
  std::size_t expected = 0;  // data rows, for the progress bar
  for (auto b : bytes) expected += b == '\n';
  auto progress = [&](std::size_t done) {
    if (!tty) return;
    int width = 30;
    auto filled = static_cast<int>(width * std::min(done, expected) / std::max<std::size_t>(expected, 1));
    std::cerr << fmt::format("\rimporting [{}{}] {}", std::string(static_cast<std::size_t>(filled), '#'),
                             std::string(static_cast<std::size_t>(width - filled), ' '), done)
              << std::flush;
  };
  std::vector<db::RowError> errors;
  auto added = admin::import_devices_csv(db, as_chars(bytes), file, admin::cli_actor(), errors, progress);
  if (tty) std::cerr << "\n";
  for (const auto& e : errors) {
    std::cerr << (e.row ? fmt::format("{}: line {}: {}\n", file, e.row + 1, e.message) : fmt::format("{}: {}\n", file, e.message));
  }
  if (!added) return added.error();
  std::cout << fmt::format("imported {} devices\n", *added);
  return Ok{};
}

Status export_csv(const GlobalOptions& g, const std::string& file) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto csv, admin::export_devices_csv(db));
  return write_output(file.empty() ? "-" : file, as_bytes(csv));
}

// Records a certificate by hand, as CAPF would: for labs that take keys from elsewhere.
Status record_cert(const GlobalOptions& g, const DeviceArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  db::DeviceStore store(db);
  if (a.clear) {
    CUCM_CHECK(store.clear_certificate(a.name));
    admin::audit(db, admin::cli_actor(), a.name, "certificate cleared by hand");
    std::cout << "cleared the certificate of " << a.name << "\n";
    return Ok{};
  }
  if (a.cert.empty()) return make_error(Errc::InvalidArgument, "give --cert FILE or --clear");
  CUCM_TRY(Bytes bytes, read_file(a.cert));
  CUCM_TRY(auto cert, signer::load_cert(bytes));
  CUCM_TRY(auto key, signer::cert_public_key(*cert));
  CUCM_TRY(auto rc, capf::recorded_cert(*cert, a.type));
  CUCM_CHECK(store.record_certificate(a.name, rc));
  admin::audit(db, admin::cli_actor(), a.name, fmt::format("{} recorded by hand, md5 {}", rc.type, rc.md5hash));
  std::cout << fmt::format("recorded {} for {}: md5hash {} ({})\n", rc.type, a.name, rc.md5hash, signer::describe_key(*key));
  return Ok{};
}

}  // namespace

void add_device_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* dev = app.add_subcommand("device", "Phones: add, list, show, set, delete, bulk import/export");
  dev->require_subcommand(1);
  auto a = std::make_shared<DeviceArgs>();
  auto name_opt = [&](CLI::App* c) { c->add_option("name", a->name, "Device name, SEP + 12 hex digits")->required(); };
  auto fields = [&](CLI::App* c) {
    c->add_option("--description", a->description, "Free text (shown on the admin pages)");
    c->add_option("--product", a->product, "Model, e.g. \"Cisco 7942\", \"Cisco 8845\"");
    c->add_option("--protocol", a->protocol, "SCCP or SIP (default SIP)");
    c->add_option("--profile", a->profile, "Phone security profile (default: the Universal Device Template)");
    c->add_option("--load", a->load, "Load information (default: the cluster default for the product)");
    c->add_option("--vpn-group", a->vpn_group, "VPN group (see 'cucm-emu vpn')");
    c->add_option("--line", a->lines, "A line: DN[,display[,auth name[,password]]]; repeat in button order");
  };

  auto* add_cmd = dev->add_subcommand("add", "Add a phone");
  name_opt(add_cmd);
  fields(add_cmd);
  add_cmd->get_option("--product")->required();
  add_cmd->callback([&g, &rc, a, add_cmd] { rc = guarded([&] { return add(g, *a, *add_cmd); }); });

  auto* ls = dev->add_subcommand("list", "List phones");
  ls->add_flag("--json", a->json, "Machine-readable output");
  ls->callback([&g, &rc, a] { rc = guarded([&] { return list(g, a->json); }); });

  auto* sh = dev->add_subcommand("show", "Show one phone");
  name_opt(sh);
  sh->add_flag("--json", a->json, "Machine-readable output");
  sh->callback([&g, &rc, a] { rc = guarded([&] { return show(g, *a); }); });

  auto* st = dev->add_subcommand("set", "Change a phone (only the options given)");
  name_opt(st);
  fields(st);
  st->add_flag("--clear-lines", a->clear_lines, "Remove every line");
  st->callback([&g, &rc, a, st] { rc = guarded([&] { return set(g, *a, *st); }); });

  auto* del = dev->add_subcommand("delete", "Delete a phone and its lines");
  name_opt(del);
  del->callback([&g, &rc, a] { rc = guarded([&] { return remove(g, a->name); }); });

  auto* imp = dev->add_subcommand("import", "Bulk import from CSV; a bad row changes nothing");
  imp->add_option("file", a->file, fmt::format("CSV with the header {}", db::kCsvColumns))->required();
  imp->callback([&g, &rc, a] { rc = guarded([&] { return import_csv(g, a->file); }); });

  auto* exp = dev->add_subcommand("export", "Bulk export to CSV (stdout by default)");
  exp->add_option("-o,--out", a->file, "Output file");
  exp->callback([&g, &rc, a] { rc = guarded([&] { return export_csv(g, a->file); }); });

  auto* cert = dev->add_subcommand("cert", "Record a phone certificate by hand, as CAPF would (or --clear it)");
  name_opt(cert);
  cert->add_option("--cert", a->cert, "The phone's LSC or MIC (PEM or DER)");
  cert->add_option("--type", a->type, "LSC or MIC")->capture_default_str();
  cert->add_flag("--clear", a->clear, "Forget the certificate on record");
  cert->callback([&g, &rc, a] { rc = guarded([&] { return record_cert(g, *a); }); });
}

}  // namespace cucm::app

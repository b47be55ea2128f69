// cucm-emu capf|cluster|sql|events: CAPF scheduling, cluster settings, SQL queries as `run sql`
// shows them, and the event log (VPN groups are in cmd_vpn.cpp).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "admin/capf_ops.hpp"
#include "app/common.hpp"
#include "capf/issued_log.hpp"
#include "app/table.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/ossl.hpp"

namespace cucm::app {
namespace {

struct CapfArgs {
  std::string name, operation, auth_string, deadline;
  int days = 0;
  bool pem = false;
};

// Every certificate in the CAPF's append-only bundle, optionally one device's: a table, or PEM.
Status capf_issued(const GlobalOptions& g, const std::string& name_in, bool pem) {
  std::string name;
  if (!name_in.empty()) {
    CUCM_TRY(name, db::normalise_device_name(name_in));
  }
  CUCM_TRY(auto issued, capf::read_issued(g.data_dir, name));
  std::vector<std::vector<std::string>> rows;
  for (const auto& [device, cert] : issued) {
    if (pem) {
      std::cout << as_chars(signer::cert_pem(*cert));
      continue;
    }
    CUCM_TRY(auto key, signer::cert_public_key(*cert));
    rows.push_back({device, to_hex(signer::serial_bytes(*cert)), signer::format_utc(signer::not_before(*cert)),
                    signer::format_utc(signer::not_after(*cert)), signer::describe_key(*key), signer::cert_md5_hex(*cert)});
  }
  if (!pem) std::cout << format_table({"device", "serial", "not_before", "not_after", "key", "md5"}, rows);
  return Ok{};
}

Status capf_schedule(const GlobalOptions& g, const CapfArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  admin::CapfRequest r{a.operation, a.auth_string, a.deadline, a.days};
  CUCM_TRY(auto d, admin::schedule_capf(db, a.name, r, admin::cli_actor()));
  std::cout << fmt::format("{}: {} scheduled{}\n", d.name, d.capf.operation,
                           d.capf.deadline.empty() ? "" : ", completes by " + d.capf.deadline + " UTC");
  return Ok{};
}

Status capf_cancel(const GlobalOptions& g, const std::string& name) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto d, admin::cancel_capf(db, name, admin::cli_actor()));
  std::cout << d.name << ": no pending operation\n";
  return Ok{};
}

Status capf_status(const GlobalOptions& g, const std::string& name) {
  CUCM_TRY(auto db, cluster_db(g));
  std::vector<db::Device> devices;
  if (!name.empty()) {
    CUCM_TRY(auto d, db::DeviceStore(db).get(name));
    devices.push_back(std::move(d));
  } else {
    CUCM_TRY(devices, admin::capf_operations(db));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : devices) {
    rows.push_back({d.name, d.capf.operation, d.capf.status.empty() ? "-" : d.capf.status,
                    d.capf.deadline.empty() ? "-" : d.capf.deadline, d.cert ? d.cert->type : "-"});
  }
  std::cout << format_table({"device", "operation", "status", "completes_by", "certificate"}, rows);
  return Ok{};
}

Status run_sql(const GlobalOptions& g, const std::string& query, bool write, bool json) {
  CUCM_TRY(auto db, db::open_cluster_db(g.data_dir, !write));
  CUCM_TRY(auto stmt, db.prepare(query));
  if (!write && !stmt.read_only()) {
    return make_error(Errc::PermissionDenied, "sql: this statement writes; add --write if you mean it");
  }
  std::vector<std::string> header;
  for (int c = 0; c < stmt.columns(); ++c) header.push_back(stmt.column_name(c));
  std::vector<std::vector<std::string>> rows;
  while (true) {
    CUCM_TRY(bool row, stmt.step());
    if (!row) break;
    std::vector<std::string> r;
    for (int c = 0; c < stmt.columns(); ++c) r.push_back(stmt.display(c));
    rows.push_back(std::move(r));
  }
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json o;
      for (std::size_t c = 0; c < header.size(); ++c) o[header[c]] = r[c];
      arr.push_back(o);
    }
    print_json(arr);
  } else if (!header.empty()) {
    std::cout << format_table(header, rows);
  } else {
    std::cout << fmt::format("{} row(s) changed\n", db.changes());
  }
  return Ok{};
}

volatile std::sig_atomic_t g_stop = 0;

Status events(const GlobalOptions& g, const std::string& device_in, bool follow, int limit) {
  CUCM_TRY(auto db, cluster_db(g));
  std::string device;
  if (!device_in.empty()) {
    CUCM_TRY(device, db::normalise_device_name(device_in));
  }
  db::EventLog log(db);
  auto print = [](const db::Event& e) {
    std::cout << fmt::format("{} {:<6} {:<21} {:<15} {} {}\n", e.time, e.service, e.source.empty() ? "-" : e.source,
                             e.device.empty() ? "-" : e.device, e.what, e.result.empty() ? "" : "[" + e.result + "]")
              << std::flush;
  };
  CUCM_TRY(auto recent, log.tail(device, limit));
  std::int64_t last = 0;
  for (const auto& e : recent) { print(e); last = e.id; }
  if (!follow) return Ok{};
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CUCM_TRY(auto more, log.since(last, device, 1000));
    for (const auto& e : more) { print(e); last = e.id; }
  }
  return Ok{};
}

}  // namespace

// Over 60 lines: it only declares the capf, cluster, sql and events subcommands and their
// flags, one line each, so that one place shows that part of the command line.
void add_admin_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto ca = std::make_shared<CapfArgs>();
  auto* capf = app.add_subcommand("capf", "CAPF certificate operations per phone");
  capf->require_subcommand(1);
  auto* sch = capf->add_subcommand("schedule", "Schedule install/upgrade, delete or troubleshoot");
  sch->add_option("name", ca->name, "Device name")->required();
  sch->add_option("--operation", ca->operation, "install, delete or troubleshoot")->required();
  sch->add_option("--auth-string", ca->auth_string, "4 to 10 digits, for 'By Authentication String' profiles");
  sch->add_option("--deadline", ca->deadline, "Operation completes by, 'YYYY-MM-DD HH:MM:SS' UTC");
  sch->add_option("--days", ca->days, "Operation completes within this many days");
  sch->callback([&g, &rc, ca] { rc = guarded([&] { return capf_schedule(g, *ca); }); });
  auto* cancel = capf->add_subcommand("cancel", "Back to 'No Pending Operation'");
  cancel->add_option("name", ca->name, "Device name")->required();
  cancel->callback([&g, &rc, ca] { rc = guarded([&] { return capf_cancel(g, ca->name); }); });
  auto* status = capf->add_subcommand("status", "Operation, status and deadline (all pending, or one device)");
  status->add_option("name", ca->name, "Device name");
  status->callback([&g, &rc, ca] { rc = guarded([&] { return capf_status(g, ca->name); }); });

  auto* issued = capf->add_subcommand("issued", "LSCs issued by CAPF, oldest first (from DATA/capf/issued.pem)");
  issued->add_option("name", ca->name, "Only this device's");
  issued->add_flag("--pem", ca->pem, "Print the certificates as PEM instead of a table");
  issued->callback([&g, &rc, ca] { rc = guarded([&] { return capf_issued(g, ca->name, ca->pem); }); });

  auto kv = std::make_shared<std::pair<std::string, std::string>>();
  auto json = std::make_shared<bool>(false);
  auto* cluster = app.add_subcommand("cluster", "Cluster settings: names, addresses, ports, mixed mode, loads");
  cluster->require_subcommand(1);
  auto* cshow = cluster->add_subcommand("show", "Show every setting");
  cshow->add_flag("--json", *json, "Machine-readable output");
  cshow->callback([&g, &rc, json] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto all, db::SettingsStore(db).all());
      if (*json) {
        print_json(nlohmann::json(all));
        return Ok{};
      }
      std::vector<std::vector<std::string>> rows;
      for (auto& [k, v] : all) rows.push_back({k, v});
      std::cout << format_table({"setting", "value"}, rows);
      return Ok{};
    });
  });
  auto* cset = cluster->add_subcommand("set", "Change a setting (e.g. node_address 10.0.0.5, mixed_mode 1)");
  cset->add_option("key", kv->first, "Setting name")->required();
  cset->add_option("value", kv->second, "New value")->required();
  cset->callback([&g, &rc, kv] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_CHECK(admin::set_setting(db, kv->first, kv->second, admin::cli_actor()));
      std::cout << kv->first << " = " << kv->second << "\n";
      return Ok{};
    });
  });

  struct SqlArgs { std::string query; bool write = false, json = false; };
  auto sa = std::make_shared<SqlArgs>();
  auto* sql = app.add_subcommand("sql", "Run one SQL statement, laid out like CUCM's 'run sql' (read-only by default)");
  sql->add_option("query", sa->query, "e.g. \"select md5hash,name from device where name='SEPA45630BBFA40'\"")->required();
  sql->add_flag("--write", sa->write, "Allow a statement that changes the database");
  sql->add_flag("--json", sa->json, "Rows as JSON objects");
  sql->callback([&g, &rc, sa] { rc = guarded([&] { return run_sql(g, sa->query, sa->write, sa->json); }); });

  struct EventArgs { std::string device; bool follow = false; int limit = 50; };
  auto ea = std::make_shared<EventArgs>();
  auto* ev = app.add_subcommand("events", "The event log of the services and the admin commands");
  ev->add_option("--device", ea->device, "Only this device's events");
  ev->add_flag("--follow", ea->follow, "Keep printing new events until interrupted");
  ev->add_option("--limit", ea->limit, "How many recent events to show first")->capture_default_str();
  ev->callback([&g, &rc, ea] { rc = guarded([&] { return events(g, ea->device, ea->follow, ea->limit); }); });
}

}  // namespace cucm::app

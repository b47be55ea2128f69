// cucm-emu profile add|list|show|set|copy|delete: phone security profiles.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "admin/profiles.hpp"
#include "admin/views.hpp"
#include "app/record_print.hpp"
#include "app/table.hpp"
#include "db/profile_store.hpp"

namespace cucm::app {
namespace {

struct ProfileArgs {
  std::string name, new_name, description, product, protocol, security_mode, capf_auth, key_order;
  int rsa_key_size = 2048, ec_key_size = 256, sip_port = 5060;
  bool tftp_encrypted = false, json = false;
};

// The options given on the command line, as the changes admin/ applies.
admin::ProfileChanges changes(const ProfileArgs& a, const CLI::App& cmd) {
  admin::ProfileChanges c;
  if_given(cmd, "--description", a.description, c.description);
  if_given(cmd, "--product", a.product, c.product);
  if_given(cmd, "--protocol", a.protocol, c.protocol);
  if_given(cmd, "--security-mode", a.security_mode, c.security_mode);
  if_given(cmd, "--capf-auth", a.capf_auth, c.capf_auth_mode);
  if_given(cmd, "--key-order", a.key_order, c.key_order);
  if_given(cmd, "--tftp-encrypted", a.tftp_encrypted, c.tftp_encrypted);
  if_given(cmd, "--rsa-key-size", a.rsa_key_size, c.rsa_key_size);
  if_given(cmd, "--ec-key-size", a.ec_key_size, c.ec_key_size);
  if_given(cmd, "--sip-port", a.sip_port, c.sip_phone_port);
  return c;
}

void fields(CLI::App* c, ProfileArgs& a) {
  c->add_option("--description", a.description, "Description");
  c->add_option("--product", a.product, "Product type, e.g. \"Cisco 7942\" (or \"Universal Device Template\")");
  c->add_option("--protocol", a.protocol, "SCCP, SIP (or ANY for the universal template)");
  c->add_option("--security-mode", a.security_mode, "non-secure, authenticated or encrypted");
  c->add_option("--tftp-encrypted", a.tftp_encrypted, "TFTP encrypted config: true or false");
  c->add_option("--capf-auth", a.capf_auth, "CAPF authentication: auth-string, null-string, lsc-first, mic-first");
  c->add_option("--key-order", a.key_order, "rsa, ec, or ec-rsa (EC preferred, RSA backup)");
  c->add_option("--rsa-key-size", a.rsa_key_size, "1024, 2048, 3072 or 4096");
  c->add_option("--ec-key-size", a.ec_key_size, "256, 384 or 521");
  c->add_option("--sip-port", a.sip_port, "SIP phone port");
}

}  // namespace

// Over 60 lines: it only declares the profile subcommands and their flags, one line each, so
// that one place shows that part of the command line.
void add_profile_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* prof = app.add_subcommand("profile", "Phone security profiles");
  prof->require_subcommand(1);
  auto a = std::make_shared<ProfileArgs>();

  auto* add = prof->add_subcommand("add", "Add a profile");
  add->add_option("name", a->name, "Profile name")->required();
  fields(add, *a);
  add->get_option("--product")->required();
  add->get_option("--protocol")->required();
  add->callback([&g, &rc, a, add] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto added, admin::add_profile(db, a->name, changes(*a, *add), admin::cli_actor()));
      print_profile(added);
      return Ok{};
    });
  });

  auto* ls = prof->add_subcommand("list", "List profiles");
  ls->add_flag("--json", a->json, "Machine-readable output");
  ls->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto all, db::ProfileStore(db).list());
      if (a->json) {
        auto arr = nlohmann::json::array();
        for (const auto& p : all) arr.push_back(admin::profile_json(p));
        print_json(arr);
        return Ok{};
      }
      static const char* kModes[] = {"", "non-secure", "authenticated", "encrypted"};
      std::vector<std::vector<std::string>> rows;
      for (const auto& p : all) {
        rows.push_back({p.name, p.protocol, kModes[p.security_mode], p.tftp_encrypted ? "yes" : "no", p.capf_auth_mode});
      }
      std::cout << format_table({"name", "protocol", "mode", "encrypted-config", "capf-auth"}, rows);
      return Ok{};
    });
  });

  auto* sh = prof->add_subcommand("show", "Show a profile");
  sh->add_option("name", a->name, "Profile name")->required();
  sh->add_flag("--json", a->json, "Machine-readable output");
  sh->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto p, db::ProfileStore(db).get(a->name));
      if (a->json) print_json(admin::profile_json(p));
      else print_profile(p);
      return Ok{};
    });
  });

  auto* set = prof->add_subcommand("set", "Change a profile: every phone using it changes too");
  set->add_option("name", a->name, "Profile name")->required();
  fields(set, *a);
  set->callback([&g, &rc, a, set] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto p, admin::change_profile(db, a->name, changes(*a, *set), admin::cli_actor()));
      print_profile(p);
      return Ok{};
    });
  });

  auto* cp = prof->add_subcommand("copy", "Copy a profile under a new name (editable)");
  cp->add_option("name", a->name, "Profile to copy")->required();
  cp->add_option("new_name", a->new_name, "Name of the copy")->required();
  cp->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_TRY(auto p, admin::copy_profile(db, a->name, a->new_name, admin::cli_actor()));
      print_profile(p);
      return Ok{};
    });
  });

  auto* del = prof->add_subcommand("delete", "Delete a profile (not predefined, not in use)");
  del->add_option("name", a->name, "Profile name")->required();
  del->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      CUCM_CHECK(admin::delete_profile(db, a->name, admin::cli_actor()));
      std::cout << "deleted profile " << a->name << "\n";
      return Ok{};
    });
  });
}

}  // namespace cucm::app

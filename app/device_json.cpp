// Record views.
#include "app/device_json.hpp"

#include <iostream>

#include <fmt/format.h>

namespace cucm::app {

nlohmann::json device_json(const db::Device& d) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : d.lines) {
    lines.push_back({{"index", l.index}, {"directory_number", l.directory_number}, {"display_name", l.display_name},
                     {"auth_name", l.auth_name}, {"has_password", !l.auth_password.empty()}});
  }
  nlohmann::json j = {{"name", d.name},
                      {"description", d.description},
                      {"product", d.product},
                      {"protocol", d.protocol},
                      {"profile", d.profile},
                      {"md5hash", d.md5hash},
                      {"load_information", d.load_information},
                      {"vpn_group", d.vpn_group},
                      {"config_version", d.config_version},
                      {"capf", {{"operation", d.capf.operation}, {"has_auth_string", !d.capf.auth_string.empty()},
                                {"deadline", d.capf.deadline}, {"status", d.capf.status},
                                {"last_attempt", d.capf.last_attempt}}},
                      {"lines", lines}};
  if (d.cert) {
    j["certificate"] = {{"type", d.cert->type}, {"serial", d.cert->serial}, {"issuer", d.cert->issuer},
                        {"not_before", d.cert->not_before}, {"not_after", d.cert->not_after},
                        {"public_key_bytes", d.cert->public_key.size()}};
  } else {
    j["certificate"] = nullptr;
  }
  return j;
}

nlohmann::json profile_json(const db::SecurityProfile& p) {
  return {{"name", p.name},           {"description", p.description},   {"product", p.product},
          {"protocol", p.protocol},   {"security_mode", p.security_mode}, {"tftp_encrypted", p.tftp_encrypted},
          {"capf_auth_mode", p.capf_auth_mode}, {"key_order", p.key_order}, {"rsa_key_size", p.rsa_key_size},
          {"ec_key_size", p.ec_key_size}, {"sip_phone_port", p.sip_phone_port}, {"builtin", p.builtin}};
}

void print_device(const db::Device& d) {
  auto row = [](const char* k, const std::string& v) { std::cout << fmt::format("  {:<18} {}\n", k, v); };
  std::cout << d.name << "\n";
  row("description", d.description);
  row("product", d.product);
  row("protocol", d.protocol);
  row("security profile", d.profile);
  row("load information", d.load_information.empty() ? "(cluster default)" : d.load_information);
  if (!d.vpn_group.empty()) row("vpn group", d.vpn_group);
  row("md5hash", d.md5hash.empty() ? "(no certificate on record)" : d.md5hash);
  if (d.cert) {
    row("certificate", fmt::format("{} serial {} issuer {}", d.cert->type, d.cert->serial, d.cert->issuer));
    row("valid", fmt::format("{} .. {}", d.cert->not_before, d.cert->not_after));
  }
  row("capf operation", d.capf.operation);
  if (!d.capf.deadline.empty()) row("completes by", d.capf.deadline);
  if (!d.capf.status.empty()) row("capf status", d.capf.status);
  row("config version", std::to_string(d.config_version));
  for (const auto& l : d.lines) {
    row(fmt::format("line {}", l.index).c_str(), fmt::format("{} \"{}\"", l.directory_number, l.display_name));
  }
}

void print_profile(const db::SecurityProfile& p) {
  static const char* kModes[] = {"", "Non Secure", "Authenticated", "Encrypted"};
  auto row = [](const char* k, const std::string& v) { std::cout << fmt::format("  {:<22} {}\n", k, v); };
  std::cout << p.name << (p.builtin ? " (predefined)" : "") << "\n";
  row("description", p.description);
  row("product type", p.product);
  row("device protocol", p.protocol);
  row("device security mode", kModes[p.security_mode]);
  row("TFTP encrypted config", p.tftp_encrypted ? "yes" : "no");
  row("CAPF auth mode", p.capf_auth_mode);
  row("key order", p.key_order);
  row("RSA key size", std::to_string(p.rsa_key_size));
  row("EC key size", std::to_string(p.ec_key_size));
  row("SIP phone port", std::to_string(p.sip_phone_port));
}

}  // namespace cucm::app

// Record views as text.
#include "app/record_print.hpp"

#include <iostream>

#include <fmt/format.h>

namespace cucm::app {

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

// Full and default configuration XML.
#include "cnf/full_config.hpp"

#include <fmt/format.h>

#include "cnf/config_doc.hpp"
#include "cnf/xml.hpp"

namespace cucm::cnf {
namespace {

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }  // NOLINT

xmlNode* add_int(xmlNode* parent, const char* name, int v) { return add_text_child(parent, name, std::to_string(v)); }

void set_attr(xmlNode* n, const char* name, const std::string& v) { xmlSetProp(n, xc(name), xc(v.c_str())); }

void add_call_managers(xmlNode* parent, const std::vector<CallManagerMember>& cms) {
  xmlNode* members = xmlNewChild(xmlNewChild(parent, nullptr, xc("callManagerGroup"), nullptr), nullptr, xc("members"), nullptr);
  int priority = 0;
  for (const auto& cm : cms) {
    xmlNode* member = xmlNewChild(members, nullptr, xc("member"), nullptr);
    set_attr(member, "priority", std::to_string(priority++));
    xmlNode* call_manager = xmlNewChild(member, nullptr, xc("callManager"), nullptr);
    xmlNode* ports = xmlNewChild(call_manager, nullptr, xc("ports"), nullptr);
    add_int(ports, "ethernetPhonePort", cm.sccp_port);
    add_int(ports, "sipPort", cm.sip_port);
    add_int(ports, "securedSipPort", cm.sip_tls_port);
    add_text_child(call_manager, "processNodeName", cm.host);
  }
}

void add_tvs(xmlNode* parent, const std::vector<TvsMember>& tvs) {
  if (tvs.empty()) return;
  xmlNode* members = xmlNewChild(xmlNewChild(parent, nullptr, xc("TVS"), nullptr), nullptr, xc("members"), nullptr);
  int priority = 0;
  for (const auto& t : tvs) {
    xmlNode* member = xmlNewChild(members, nullptr, xc("member"), nullptr);
    set_attr(member, "priority", std::to_string(priority++));
    add_int(member, "port", t.port);
    add_text_child(member, "address", t.host);
  }
}

void add_sip_profile(xmlNode* device, const PhoneConfig& c) {
  xmlNode* sip = xmlNewChild(device, nullptr, xc("sipProfile"), nullptr);
  xmlNode* proxies = xmlNewChild(sip, nullptr, xc("sipProxies"), nullptr);
  add_text_child(proxies, "registerWithProxy", "true");
  add_int(sip, "startMediaPort", 16384);
  add_int(sip, "stopMediaPort", 32766);
  add_int(sip, "dscpForAudio", 184);
  add_int(sip, "dscpVideo", 136);
  add_text_child(sip, "enableVad", "false");
  xmlNode* lines = xmlNewChild(sip, nullptr, xc("sipLines"), nullptr);
  for (const auto& l : c.lines) {
    xmlNode* line = xmlNewChild(lines, nullptr, xc("line"), nullptr);
    set_attr(line, "button", std::to_string(l.index));
    set_attr(line, "lineIndex", std::to_string(l.index));
    add_int(line, "featureID", 9);  // 9 = a line button
    add_text_child(line, "name", l.name);
    add_text_child(line, "displayName", l.display_name);
    add_text_child(line, "authName", l.auth_name);
    add_text_child(line, "authPassword", l.auth_password);
    add_text_child(line, "proxy", "USECALLMANAGER");
    add_int(line, "port", c.sip_phone_port);
  }
}

void add_vpn(xmlNode* device, const VpnGroup& v) {
  xmlNode* g = xmlNewChild(device, nullptr, xc("vpnGroup"), nullptr);
  add_int(g, "mtu", 1290);
  add_int(g, "failConnectTime", 30);
  add_int(g, "authMethod", 0);
  add_int(g, "pswdPersistent", 0);
  add_int(g, "autoNetDetect", 0);
  add_int(g, "enableHostIDCheck", 0);
  add_text_child(xmlNewChild(g, nullptr, xc("addresses"), nullptr), "url1", v.url);
  xmlNode* cred = xmlNewChild(g, nullptr, xc("credentials"), nullptr);
  add_int(cred, "hashAlg", v.hash_alg);
  if (v.cert_hashes.empty()) add_text_child(cred, "certHash1", "");  // a group with no hash yet, as before
  for (std::size_t i = 0; i < v.cert_hashes.size(); ++i) {
    add_text_child(cred, fmt::format("certHash{}", i + 1), v.cert_hashes[i]);
  }
}

}  // namespace

int capf_auth_mode_code(const std::string& mode) { return mode == "auth-string" ? 1 : 0; }

int transport_code(const std::string& protocol, int security_mode) {
  if (security_mode >= 2) return 3;
  return protocol == "SIP" ? 2 : 1;
}

Result<XmlDocPtr> full_config_doc(const PhoneConfig& c) {
  if (c.call_managers.empty()) return make_error(Errc::InvalidArgument, "cnf: a full config needs at least one call manager");
  if (c.protocol != "SIP" && c.protocol != "SCCP") {
    return make_error(Errc::InvalidArgument, fmt::format("cnf: device protocol '{}' vs SIP or SCCP", c.protocol));
  }
  XmlDocPtr doc(xmlNewDoc(xc("1.0")));
  xmlNode* d = xmlNewNode(nullptr, xc("device"));
  xmlDocSetRootElement(doc.get(), d);
  add_text_child(d, "fullConfig", "true");
  add_text_child(d, "deviceProtocol", c.protocol);
  add_int(d, "ipAddressMode", c.ip_address_mode);
  add_call_managers(xmlNewChild(d, nullptr, xc("devicePool"), nullptr), c.call_managers);
  add_tvs(d, c.tvs);
  if (c.protocol == "SIP") add_sip_profile(d, c);
  add_text_child(d, "loadInformation", c.load_information);
  add_int(d, "capfAuthMode", c.capf_auth_mode);
  xmlNode* capf = xmlNewChild(xmlNewChild(d, nullptr, xc("capfList"), nullptr), nullptr, xc("capf"), nullptr);
  add_int(capf, "phonePort", c.capf_port);
  add_text_child(capf, "processNodeName", c.capf_host);
  add_int(d, "deviceSecurityMode", c.security_mode);
  add_int(d, "transportLayerProtocol", transport_code(c.protocol, c.security_mode));
  add_text_child(d, "certHash", c.cert_hash);
  add_text_child(d, "encrConfig", c.encr_config ? "true" : "false");
  if (c.vpn) {
    if (c.vpn->cert_hashes.size() > static_cast<std::size_t>(kMaxVpnCertHashes)) {
      return make_error(Errc::InvalidArgument, fmt::format("cnf: {} vpn certificate hashes vs at most {}",
                                                           c.vpn->cert_hashes.size(), kMaxVpnCertHashes));
    }
    add_vpn(d, *c.vpn);
  }
  return doc;
}

Result<std::string> build_full_config(const PhoneConfig& c) {
  CUCM_TRY(XmlDocPtr doc, full_config_doc(c));
  return serialise(*doc);
}

Result<std::string> build_xml_default(const std::vector<CallManagerMember>& call_managers,
                                      const std::vector<TvsMember>& tvs) {
  if (call_managers.empty()) return make_error(Errc::InvalidArgument, "cnf: XMLDefault needs at least one call manager");
  XmlDocPtr doc(xmlNewDoc(xc("1.0")));
  xmlNode* d = xmlNewNode(nullptr, xc("Default"));
  xmlDocSetRootElement(doc.get(), d);
  add_call_managers(d, call_managers);
  add_tvs(d, tvs);
  return serialise(*doc);
}

}  // namespace cucm::cnf

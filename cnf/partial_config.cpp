// Partial config construction with libxml2: copied subtrees, never string concatenation.
#include "cnf/partial_config.hpp"

#include <charconv>

#include <fmt/format.h>

#include "cnf/config_doc.hpp"
#include "cnf/xml.hpp"

namespace cucm::cnf {
namespace {

const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }  // NOLINT
std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }  // NOLINT

bool is_md5_hex(std::string_view h) {
  if (h.size() != 32) return false;
  for (char c : h) if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<xmlNode*> device_root(xmlDoc& doc, std::string_view what) {
  xmlNode* root = xmlDocGetRootElement(&doc);
  if (!root || name_of(root) != "device") {
    return make_error(Errc::InvalidArgument,
                      fmt::format("cnf: {} root element is <{}> vs expected <device>", what,
                                  root ? name_of(root) : std::string_view("none")));
  }
  return root;
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Status check_cert_hash(std::string_view cert_hash) {
  if (cert_hash.empty() || is_md5_hex(cert_hash)) return Ok{};
  return make_error(Errc::InvalidArgument,
                    fmt::format("cnf: certHash '{}' is not 32 lowercase hex digits (MD5 of the device certificate)",
                                cert_hash));
}

// The partial config from a full config's <device>, whether built here or parsed.
std::string partial_from(const xmlNode& full_root, std::string_view cert_hash) {
  XmlDocPtr doc(xmlNewDoc(xc("1.0")));
  xmlNode* root = xmlNewNode(nullptr, xc("device"));
  xmlDocSetRootElement(doc.get(), root);
  add_text_child(root, "fullConfig", "false");
  for (xmlNode* n = full_root.children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    auto name = name_of(n);
    if (name == "ipAddressMode" || name == "loadInformation" || name == "capfAuthMode" || name == "capfList") {
      xmlAddChild(root, xmlDocCopyNode(n, doc.get(), 1));
    }
  }
  add_text_child(root, "certHash", cert_hash);
  add_text_child(root, "encrConfig", "true");
  return serialise(*doc);
}

}  // namespace

Result<std::string> make_partial_config(std::string_view full_xml, std::string_view cert_hash) {
  CUCM_CHECK(check_cert_hash(cert_hash));
  CUCM_TRY(XmlDocPtr full, parse_xml(full_xml, "full config"));
  CUCM_TRY(xmlNode* full_root, device_root(*full, "full config"));
  return partial_from(*full_root, cert_hash);
}

Result<std::string> build_partial_config(const PhoneConfig& c, std::string_view cert_hash) {
  CUCM_CHECK(check_cert_hash(cert_hash));
  CUCM_TRY(XmlDocPtr full, full_config_doc(c));
  return partial_from(*xmlDocGetRootElement(full.get()), cert_hash);
}

Result<ConfigDecisionFields> read_decision_fields(std::string_view xml) {
  CUCM_TRY(XmlDocPtr doc, parse_xml(xml, "config"));
  CUCM_TRY(xmlNode* root, device_root(*doc, "config"));
  ConfigDecisionFields f;
  f.full_config = text(child(root, "fullConfig")) == "true";
  f.capf_auth_mode = to_int(text(child(root, "capfAuthMode")));
  f.cert_hash = text(child(root, "certHash"));
  f.encr_config = text(child(root, "encrConfig")) == "true";
  xmlNode* capf = child(child(root, "capfList"), "capf");
  f.capf_host = text(child(capf, "processNodeName"));
  f.capf_port = to_int(text(child(capf, "phonePort"))).value_or(0);
  return f;
}

}  // namespace cucm::cnf

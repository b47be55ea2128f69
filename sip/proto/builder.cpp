// Building SIP messages.
#include "sip/proto/builder.hpp"

#include <fmt/format.h>
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

namespace cucm::sip {
namespace {

Status copied(int rc, const char* what) {
  if (rc == 0) return Ok{};
  return make_error(Errc::Internal, fmt::format("sip: cannot copy the {} header into the response", what));
}

Status copy_dialog(const osip_message_t& req, osip_message_t& resp) {
  CUCM_CHECK(copied(osip_list_clone(&req.vias, &resp.vias, reinterpret_cast<int (*)(void*, void**)>(&osip_via_clone)), "Via"));  // NOLINT
  CUCM_CHECK(copied(osip_from_clone(req.from, &resp.from), "From"));
  CUCM_CHECK(copied(osip_to_clone(req.to, &resp.to), "To"));
  CUCM_CHECK(copied(osip_call_id_clone(req.call_id, &resp.call_id), "Call-ID"));
  CUCM_CHECK(copied(osip_cseq_clone(req.cseq, &resp.cseq), "CSeq"));
  return Ok{};
}

}  // namespace

Result<std::string> build_response(const Message& request, int code, std::string_view reason, const ResponseExtras& x) {
  if (!request.raw) return make_error(Errc::Internal, "sip: a response needs the parsed request");
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return make_error(Errc::Internal, "sip: osip_message_init failed");
  OsipMessagePtr resp(raw);
  char version[] = "SIP/2.0";  // osip_strdup takes a char*
  osip_message_set_version(raw, osip_strdup(version));
  osip_message_set_status_code(raw, code);
  std::string reason_text(reason);
  osip_message_set_reason_phrase(raw, osip_strdup(reason_text.data()));
  CUCM_CHECK(copy_dialog(*request.raw, *raw));
  // The To tag, by the functions under libosip2's osip_to_get_tag/osip_to_set_tag macros, which
  // pass a string literal as a char*.
  char tag_name[] = "tag";
  osip_generic_param_t* tag = nullptr;
  if (!x.to_tag.empty() && osip_uri_param_get_byname(&raw->to->gen_params, tag_name, &tag) != 0) {
    std::string value = x.to_tag;
    osip_uri_param_add(&raw->to->gen_params, osip_strdup(tag_name), osip_strdup(value.data()));
  }
  for (const auto& c : x.contacts) osip_message_set_contact(raw, c.c_str());
  // Expires and Warning by name: libosip2's setter macros for them use C casts.
  if (x.expires) osip_message_set_header(raw, "Expires", std::to_string(*x.expires).c_str());
  if (!x.www_authenticate.empty()) osip_message_set_www_authenticate(raw, x.www_authenticate.c_str());
  if (!x.allow.empty()) osip_message_set_allow(raw, x.allow.c_str());
  if (!x.warning.empty()) {
    std::string text = x.warning;
    std::erase(text, '"');
    osip_message_set_header(raw, "Warning", fmt::format("399 cucm-emu \"{}\"", text).c_str());
  }
  osip_message_set_header(raw, "Server", "cucm-emu");
  osip_message_set_content_length(raw, "0");
  char* out = nullptr;
  std::size_t len = 0;
  if (osip_message_to_str(raw, &out, &len) != 0 || !out) return make_error(Errc::Internal, "sip: cannot print the response");
  std::string s(out, len);
  osip_free(out);
  return s;
}

std::string build_request(const RequestSpec& r) {
  std::string m = fmt::format("{} {} SIP/2.0\r\n", r.method, r.uri);
  m += fmt::format("Via: SIP/2.0/{} {};branch={};rport\r\n", r.transport, r.via_host, r.branch);
  m += "Max-Forwards: 70\r\n";
  m += fmt::format("From: <{}>;tag={}\r\n", r.from_uri, r.from_tag);
  m += fmt::format("To: <{}>\r\n", r.to_uri);
  m += fmt::format("Call-ID: {}\r\n", r.call_id);
  m += fmt::format("CSeq: {} {}\r\n", r.cseq, r.method);
  if (!r.contact.empty()) m += fmt::format("Contact: {}\r\n", r.contact);
  if (r.expires) m += fmt::format("Expires: {}\r\n", *r.expires);
  if (!r.authorization.empty()) m += fmt::format("Authorization: {}\r\n", r.authorization);
  m += fmt::format("User-Agent: {}\r\n", r.user_agent);
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

}  // namespace cucm::sip

// SIP messages through libosip2.
#include "sip/proto/message.hpp"

#include <charconv>
#include <mutex>

#include <fmt/format.h>
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

namespace cucm::sip {

void OsipMessageFree::operator()(osip_message* m) const { osip_message_free(m); }

namespace {

// libosip2 builds its header-name tables once per process; after that parsing is thread-safe.
void init_parser() {
  static std::once_flag once;
  std::call_once(once, [] { parser_init(); });
}

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// libosip2 keeps quoted-string values with their quotes.
std::string unquote(const char* s) {
  std::string v = str(s);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

// Any libosip2 *_to_str: a std::string, the C string freed.
template <class T>
std::string to_text(int (*fn)(const T*, char**), const T* value) {
  char* out = nullptr;
  if (!value || fn(value, &out) != 0 || !out) return {};
  std::string s(out);
  osip_free(out);
  return s;
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string param(osip_list_t* params, const char* name) {
  osip_generic_param_t* p = nullptr;
  if (osip_uri_param_get_byname(params, const_cast<char*>(name), &p) != 0 || !p) return {};  // NOLINT
  return str(p->gvalue);
}

Party party(osip_from_t* f) {
  Party p;
  if (!f) return p;
  if (f->url) {
    p.uri = to_text<osip_uri_t>(osip_uri_to_str, f->url);
    p.user = str(f->url->username);
    p.host = str(f->url->host);
  }
  p.tag = param(&f->gen_params, "tag");
  return p;
}

// A Warning value is `code agent "text"` (RFC 3261 §20.43): the text, or the whole value when it
// has no quoted part.
std::string warning_text(const std::string& v) {
  auto open = v.find('"');
  auto close = v.rfind('"');
  return open != std::string::npos && close > open ? v.substr(open + 1, close - open - 1) : v;
}

std::string strip_instance(std::string v) {
  for (char c : {'"', '<', '>'}) std::erase(v, c);
  return v;
}

void read_contacts(osip_message_t* m, Message& out) {
  for (int i = 0;; ++i) {
    osip_contact_t* c = nullptr;
    if (osip_message_get_contact(m, i, &c) < 0 || !c) break;
    Contact ct;
    ct.star = c->displayname && std::string_view(c->displayname) == "*";
    ct.text = to_text<osip_contact_t>(osip_contact_to_str, c);
    if (c->url) ct.uri = to_text<osip_uri_t>(osip_uri_to_str, c->url);
    if (std::string e = param(&c->gen_params, "expires"); !e.empty()) ct.expires = to_int(e);
    ct.instance = strip_instance(param(&c->gen_params, "+sip.instance"));
    out.contacts.push_back(std::move(ct));
  }
}

void read_auth(osip_message_t* m, Message& out) {
  osip_authorization_t* a = nullptr;
  if (osip_message_get_authorization(m, 0, &a) >= 0 && a) {
    out.authorization = Digest{.username = unquote(a->username), .realm = unquote(a->realm),
                               .nonce = unquote(a->nonce), .uri = unquote(a->uri),
                               .response = unquote(a->response), .algorithm = unquote(a->algorithm),
                               .qop = unquote(a->message_qop), .nc = unquote(a->nonce_count),
                               .cnonce = unquote(a->cnonce), .opaque = unquote(a->opaque)};
  }
  osip_www_authenticate_t* w = nullptr;
  if (osip_message_get_www_authenticate(m, 0, &w) >= 0 && w) {
    Digest c;
    c.realm = unquote(w->realm);
    c.nonce = unquote(w->nonce);
    c.algorithm = unquote(w->algorithm);
    c.qop = unquote(w->qop_options);
    c.opaque = unquote(w->opaque);
    out.challenge = std::move(c);
    std::string stale = unquote(w->stale);
    out.challenge->stale = stale == "true" || stale == "TRUE";
  }
}

// Where the body starts: after the first blank line.
std::size_t body_offset(std::string_view bytes) {
  auto crlf = bytes.find("\r\n\r\n");
  if (crlf != std::string_view::npos) return crlf + 4;
  auto lf = bytes.find("\n\n");
  return lf != std::string_view::npos ? lf + 2 : bytes.size();
}

Status require(bool present, const char* header) {
  if (present) return Ok{};
  return make_error(Errc::InvalidArgument, fmt::format("sip: missing {} header", header));
}

// What every request and response must carry (RFC 3261 §8.1.1, §8.2.6.2), and a CSeq that says
// which request it belongs to.
Status check_mandatory(osip_message_t* m, const Message& out) {
  osip_via_t* via = nullptr;
  CUCM_CHECK(require(osip_message_get_via(m, 0, &via) >= 0 && via, "Via"));
  CUCM_CHECK(require(m->from && m->from->url, "From"));
  CUCM_CHECK(require(m->to && m->to->url, "To"));
  CUCM_CHECK(require(m->call_id && m->call_id->number, "Call-ID"));
  CUCM_CHECK(require(m->cseq && m->cseq->number && m->cseq->method, "CSeq"));
  if (!to_int(m->cseq->number)) {
    return make_error(Errc::InvalidArgument, fmt::format("sip: CSeq number '{}' is not a number", m->cseq->number));
  }
  if (out.request && out.cseq_method != out.method) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("sip: CSeq method {} vs request method {}", out.cseq_method, out.method));
  }
  return Ok{};
}

}  // namespace

Result<Message> parse_message(std::string_view bytes) {
  init_parser();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return make_error(Errc::Internal, "sip: osip_message_init failed");
  Message out;
  out.raw.reset(raw);
  if (osip_message_parse(raw, bytes.data(), bytes.size()) != 0) {
    return make_error(Errc::InvalidArgument, fmt::format("sip: libosip2 cannot parse the message ({} bytes)", bytes.size()));
  }
  out.request = MSG_IS_REQUEST(raw);
  out.method = str(raw->sip_method);
  out.request_uri = raw->req_uri ? to_text<osip_uri_t>(osip_uri_to_str, raw->req_uri) : std::string();
  out.status = raw->status_code;
  out.reason = str(raw->reason_phrase);
  if (out.request && (out.method.empty() || !raw->req_uri)) {
    return make_error(Errc::InvalidArgument, "sip: request line without a method or a Request-URI");
  }
  if (raw->cseq) out.cseq_method = str(raw->cseq->method);
  CUCM_CHECK(check_mandatory(raw, out));
  out.call_id = to_text<osip_call_id_t>(osip_call_id_to_str, raw->call_id);
  out.cseq = static_cast<std::uint32_t>(*to_int(raw->cseq->number));
  osip_via_t* via = nullptr;
  osip_message_get_via(raw, 0, &via);
  out.via_host = str(via->host);
  out.via_branch = param(&via->via_params, "branch");
  out.from = party(raw->from);
  out.to = party(raw->to);
  read_contacts(raw, out);
  osip_header_t* h = nullptr;
  // By name: libosip2's accessor macros for these headers use C casts.
  if (osip_message_header_get_byname(raw, "expires", 0, &h) >= 0 && h) {
    out.expires = to_int(str(h->hvalue));
    if (!out.expires) return make_error(Errc::InvalidArgument, fmt::format("sip: Expires '{}' is not a number", str(h->hvalue)));
  }
  if (osip_message_header_get_byname(raw, "user-agent", 0, &h) >= 0 && h) out.user_agent = str(h->hvalue);
  if (osip_message_header_get_byname(raw, "warning", 0, &h) >= 0 && h) out.warning = warning_text(str(h->hvalue));
  read_auth(raw, out);
  out.body_length = bytes.size() - body_offset(bytes);
  if (raw->content_length) {
    auto n = to_int(str(raw->content_length->value));
    if (!n || static_cast<std::size_t>(*n) != out.body_length) {
      return make_error(Errc::InvalidArgument, fmt::format("sip: Content-Length {} vs {} bytes of body",
                                                           str(raw->content_length->value), out.body_length));
    }
    out.content_length = static_cast<std::size_t>(*n);
  }
  return out;
}

Result<std::size_t> content_length_of(std::string_view header_block) {
  init_parser();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return make_error(Errc::Internal, "sip: osip_message_init failed");
  OsipMessagePtr owned(raw);
  if (osip_message_parse(raw, header_block.data(), header_block.size()) != 0) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("sip: libosip2 cannot parse the headers ({} bytes)", header_block.size()));
  }
  if (!raw->content_length) return std::size_t{0};
  auto n = to_int(str(raw->content_length->value));
  if (!n) return make_error(Errc::InvalidArgument, fmt::format("sip: Content-Length '{}' is not a number", str(raw->content_length->value)));
  if (static_cast<std::size_t>(*n) > kMaxBodyBytes) {
    return make_error(Errc::ResourceExhausted, fmt::format("sip: Content-Length {} vs at most {}", *n, kMaxBodyBytes));
  }
  return static_cast<std::size_t>(*n);
}

}  // namespace cucm::sip

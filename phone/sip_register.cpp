// A SIP phone's registration after its full config: one connection to the first call manager,
// over the config's transport, and a REGISTER per line, answering a digest challenge once.
#include "phone/sip_register.hpp"

#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "cnf/xml.hpp"
#include "phone/booter.hpp"
#include "phone/sip_link.hpp"
#include "signer/cert.hpp"
#include "signer/random.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/digest_auth.hpp"
#include "sip/proto/message.hpp"

namespace cucm::phone {
namespace {

Result<std::uint16_t> port_of(xmlNode* ports, const char* name, std::uint16_t fallback) {
  xmlNode* n = cnf::child(ports, name);
  if (!n) return fallback;
  std::string t = cnf::text(n);
  char* end = nullptr;
  long v = std::strtol(t.c_str(), &end, 10);
  if (t.empty() || *end != '\0' || v < 1 || v > 65535) {
    return make_error(Errc::InvalidArgument, fmt::format("sip: config {} '{}' is not a port", name, t));
  }
  return static_cast<std::uint16_t>(v);
}

int int_of(xmlNode* root, const char* name, int fallback) {
  std::string t = cnf::text(cnf::child(root, name));
  return t.empty() ? fallback : std::atoi(t.c_str());
}

// The member of priority 0, else the first: the phone registers with it.
xmlNode* first_call_manager(xmlNode* root) {
  xmlNode* members = cnf::child(cnf::child(cnf::child(root, "devicePool"), "callManagerGroup"), "members");
  xmlNode* first = nullptr;
  for (xmlNode* m = members ? members->children : nullptr; m; m = m->next) {
    if (m->type != XML_ELEMENT_NODE) continue;
    xmlChar* p = xmlGetProp(m, reinterpret_cast<const xmlChar*>("priority"));  // NOLINT: libxml2's char type
    bool zero = p && std::string_view(reinterpret_cast<const char*>(p)) == "0";  // NOLINT
    xmlFree(p);
    if (zero) return cnf::child(m, "callManager");
    if (!first) first = cnf::child(m, "callManager");
  }
  return first;
}


std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string_view v) {
  std::string s(v);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The final answer to the request with `cseq`: provisional answers, stray requests and answers to
// an earlier CSeq (a UDP retransmission answered twice) are skipped, a few at most.
Result<sip::Message> final_answer(SipLink& link, std::uint32_t cseq) {
  for (int i = 0; i < 8; ++i) {
    CUCM_TRY(std::string bytes, link.receive());
    auto m = sip::parse_message(bytes);
    if (!m) return make_error(Errc::InvalidArgument, "sip: the answer does not parse: " + m.error().message);
    if (!m->request && m->cseq == cseq && m->status >= 200) return std::move(*m);
  }
  return make_error(Errc::InvalidArgument, fmt::format("sip: no final answer to CSeq {} among 8 messages", cseq));
}

}  // namespace

Result<SipPlan> read_sip_plan(xmlNode* root) {
  SipPlan p;
  xmlNode* cm = first_call_manager(root);
  p.host = cnf::text(cnf::child(cm, "processNodeName"));
  xmlNode* ports = cnf::child(cm, "ports");
  CUCM_TRY(p.sip_port, port_of(ports, "sipPort", 5060));
  CUCM_TRY(p.sip_tls_port, port_of(ports, "securedSipPort", 5061));
  p.security_mode = int_of(root, "deviceSecurityMode", 1);
  p.transport_code = int_of(root, "transportLayerProtocol", 2);
  xmlNode* lines = cnf::child(cnf::child(root, "sipProfile"), "sipLines");
  int index = 0;
  for (xmlNode* l = lines ? lines->children : nullptr; l; l = l->next) {
    if (l->type != XML_ELEMENT_NODE) continue;
    p.lines.push_back({++index, cnf::text(cnf::child(l, "name")), cnf::text(cnf::child(l, "authName")),
                       cnf::text(cnf::child(l, "authPassword"))});
  }
  return p;
}

sip::Transport plan_transport(const SipPlan& p) {
  if (p.transport_code == 3 || p.security_mode >= 2) return sip::Transport::Tls;
  return p.transport_code == 1 ? sip::Transport::Tcp : sip::Transport::Udp;
}

namespace detail {

// A phone takes the SIP server's certificate when its ITL lists it as a CallManager (CCM or
// CCM+TFTP). Firmware asks TVS about any other (PROTOCOLS §4); this simulator does not do that
// for SIP, so such a server is refused here. An empty ITL (rollback) vouches for nothing and
// checks nothing, as for configs.
Status Booter::check_sip_server(X509* cert) {
  if (!cert) return make_error(Errc::Unauthenticated, "sip: the server presented no certificate");
  std::string subject = signer::subject_name(*cert);
  if (empty_itl(*itl_)) {
    decide("SIP server not checked", "my ITL is empty (rollback): " + subject + " is taken unchecked");
    return Ok{};
  }
  Bytes der = signer::cert_der(*cert);
  for (const auto& rec : itl_->records) {
    bool ccm = rec.role == static_cast<std::uint16_t>(signer::Role::Ccm) ||
               rec.role == static_cast<std::uint16_t>(signer::Role::CcmTftp);
    if (!ccm || rec.certificate != der) continue;
    decide("SIP server trusted", fmt::format("its certificate {} is my ITL's {} record", subject, signer::role_name(*rec.role)));
    return Ok{};
  }
  return make_error(Errc::Unauthenticated, fmt::format("sip: the server's certificate {} is not a CallManager certificate "
                                                       "of my ITL (this simulator does not ask TVS about it)", subject));
}

// One line: REGISTER, and once more with credentials after a 401.
Status Booter::register_line(SipLink& link, const SipLineConfig& l, const SipTarget& target) {
  std::string local = link.local_address();
  std::string mac = lower(o_.device.substr(3));
  sip::RequestSpec rq;
  rq.uri = target.uri;
  rq.transport = upper(sip::transport_name(target.transport));
  rq.via_host = local;
  rq.from_uri = rq.to_uri = fmt::format("sip:{}@{}", l.name, target.host);
  rq.from_tag = signer::random_hex(8);
  rq.call_id = fmt::format("{}@{}", signer::random_hex(16), local);
  rq.contact = fmt::format(R"(<sip:{}@{};transport={}>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-{}>")", l.name, local,
                           sip::transport_name(target.transport), mac);
  rq.expires = 3600;
  rq.user_agent = fmt::format("Cisco-CP{}/cucm-emu", o_.profile.model);
  auto failed = [&](Error e) {
    step("phone", "cucm", "SIP", e.message);
    return e;
  };
  while (true) {
    rq.branch = "z9hG4bK" + signer::random_hex(8);
    step("phone", "cucm", "SIP", fmt::format("REGISTER {} (CSeq {}{})", l.name, rq.cseq, rq.authorization.empty() ? "" : ", with credentials"),
         fmt::format("line {} to {} over {}", l.index, target.uri, sip::transport_name(target.transport)));
    if (auto st = link.send(sip::build_request(rq)); !st) return failed(std::move(st).error());
    auto answer = final_answer(link, rq.cseq);
    if (!answer) return failed(std::move(answer).error());
    const sip::Message& a = *answer;
    std::string said = fmt::format("{} {}{}", a.status, a.reason, a.warning.empty() ? "" : ": " + a.warning);
    step("cucm", "phone", "SIP", said);
    if (a.status == 200) return Ok{};
    if (a.status == 401 && a.challenge && rq.authorization.empty()) {
      if (l.auth_password.empty()) {
        return make_error(Errc::Unauthenticated, fmt::format("sip: line {}: 401, and my config has no password for it", l.name));
      }
      std::string user = l.auth_name.empty() ? l.name : l.auth_name;
      rq.authorization = sip::authorization_value(*a.challenge, "REGISTER", rq.uri, user, l.auth_password, signer::random_hex(8));
      decide("answer the challenge", fmt::format("digest as '{}' in realm '{}'", user, a.challenge->realm));
      ++rq.cseq;
      continue;
    }
    return make_error(a.status == 401 || a.status == 403 ? Errc::PermissionDenied : Errc::Unavailable,
                      fmt::format("sip: line {}: {}", l.name, said));
  }
}

// The connection and its checks; each line in register_line. A failure is reported in the result,
// and the full config stays what it was.
void Booter::register_lines() {
  if (r_.sccp) return decide("no SIP registration", "an SCCP phone registers over SCCP, which this simulator does not speak");
  if (!o_.register_lines) return decide("no SIP registration", "registration is turned off (--no-register)");
  if (!sip_plan_ || sip_plan_->lines.empty()) return decide("no SIP registration", "the config has no lines");
  const SipPlan& p = *sip_plan_;
  SipTarget target;
  target.transport = plan_transport(p);
  target.host = p.host.empty() ? o_.server : p.host;
  bool tls = target.transport == sip::Transport::Tls;
  r_.sip_transport = std::string(sip::transport_name(target.transport));
  SipLinkOptions lo;
  lo.host = target.host;
  lo.port = tls ? o_.sip_tls_port.value_or(p.sip_tls_port) : o_.sip_port.value_or(p.sip_port);
  lo.transport = target.transport;
  lo.timeout = o_.timeout;
  lo.source = o_.source;
  lo.tls = {o_.profile.tls_min, o_.profile.tls_max, o_.profile.tls_ciphers};
  lo.tls_contexts = o_.tls_contexts;
  const auto& id = s_.lsc ? s_.lsc : s_.mic;
  if (tls && id) {
    lo.client_cert = id->cert.get();
    lo.client_key = id->key.get();
  }
  target.uri = fmt::format("sip:{}:{}{}", target.host, lo.port, tls ? ";transport=tls" : target.transport == sip::Transport::Tcp ? ";transport=tcp" : "");
  decide(fmt::format("register {} line(s) with {}:{} over {}", p.lines.size(), lo.host, lo.port, r_.sip_transport),
         fmt::format("transportLayerProtocol {}, deviceSecurityMode {}{}", p.transport_code, p.security_mode,
                     tls ? fmt::format(": TLS to securedSipPort, presenting my {}", s_.lsc ? "LSC" : "MIC") : ": sipPort"));
  auto link = open_sip_link(lo);
  Status ready = link ? Status(Ok{}) : Status(link.error());
  if (link && tls) {
    step("phone", "cucm", "TLS", "SIP handshake: " + (*link)->negotiated());
    ready = check_sip_server((*link)->server_certificate());
  }
  if (!ready) {
    r_.sip_failure = ready.error().message;
    return decide("registration fails", r_.sip_failure);
  }
  for (const auto& l : p.lines) {
    auto st = register_line(**link, l, target);
    if (st) ++r_.registered;
    else if (r_.sip_failure.empty()) r_.sip_failure = st.error().message;
  }
  decide(fmt::format("{} of {} line(s) registered", r_.registered, p.lines.size()),
         r_.sip_failure.empty() ? "every line is registered with " + target.host : r_.sip_failure);
}

}  // namespace detail
}  // namespace cucm::phone

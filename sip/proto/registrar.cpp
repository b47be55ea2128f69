// Registrar decisions.
#include "sip/proto/registrar.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sip/proto/digest_auth.hpp"

namespace cucm::sip {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A device named by the contact's +sip.instance, urn:uuid:00000000-0000-0000-0000-<MAC> as Cisco
// SIP phones send it; empty otherwise.
std::string instance_device(const Message& req) {
  for (const auto& c : req.contacts) {
    std::string_view i = c.instance;
    if (i.size() >= 12) {
      std::string mac = upper(std::string(i.substr(i.size() - 12)));
      if (std::all_of(mac.begin(), mac.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); })) {
        return "SEP" + mac;
      }
    }
  }
  return {};
}

Decision refuse(Decision d, int code, std::string reason, std::string check, std::string detail) {
  d.code = code;
  d.reason = std::move(reason);
  d.failed_check = std::move(check);
  d.extras.warning = detail;
  d.result = fmt::format("{} {}: {}", d.code, d.reason, detail);
  return d;
}

std::string chain_words(const ChainCheck& c) {
  switch (c.verdict) {
    case ChainCheck::Verdict::Expired: return "certificate expired";
    case ChainCheck::Verdict::NotYetValid: return "certificate not yet valid";
    default: return "certificate not trusted";
  }
}

// Which of the lines the REGISTER is for: the device its certificate or its +sip.instance names,
// or the only one.
const LineOwner* choose_line(const Message& req, const Peer& peer, const std::vector<LineOwner>& lines) {
  std::string wanted = instance_device(req);
  for (const auto& l : lines) {
    if (peer.cert && cn_names_device(peer.cert->cn, l.device)) return &l;
  }
  for (const auto& l : lines) {
    if (!wanted.empty() && l.device == wanted) return &l;
  }
  return lines.size() == 1 ? &lines.front() : nullptr;
}

// The TLS checks of a secure profile: TLS itself, a client certificate that chains to the CAPF
// certificate or CAPF-trust and is valid now, and the device's name in its CN. Empty: passed.
std::optional<Decision> secure_checks(Decision d, const Peer& peer, const LineOwner& line) {
  std::string profile = line.security_mode == 3 ? "encrypted" : "authenticated";
  if (peer.transport != Transport::Tls) {
    return refuse(std::move(d), 403, "Forbidden (TLS required)", "transport",
                  fmt::format("{} is on an {} security profile and must register over TLS, not {}", line.device, profile,
                              transport_name(peer.transport)));
  }
  if (!peer.cert) {
    return refuse(std::move(d), 403, "Forbidden (no client certificate)", "client certificate",
                  fmt::format("{} is on an {} security profile: its LSC or MIC must be presented over TLS", line.device, profile));
  }
  if (!peer.cert->phone.ok()) {
    return refuse(std::move(d), 403, "Forbidden (" + chain_words(peer.cert->phone) + ")",
                  peer.cert->phone.verdict == ChainCheck::Verdict::Untrusted ? "certificate chain" : "certificate validity",
                  peer.cert->phone.detail);
  }
  if (!cn_names_device(peer.cert->cn, line.device)) {
    return refuse(std::move(d), 403, "Forbidden (certificate CN)", "certificate CN",
                  fmt::format("certificate CN '{}' does not name {}", peer.cert->cn, line.device));
  }
  return std::nullopt;
}

// Digest authentication of a line with a password. Empty: passed.
std::optional<Decision> digest_checks(Decision d, const Message& req, const LineOwner& line, const RegistrarConfig& cfg) {
  auto challenge = [&](bool stale, std::string why) {
    d.code = 401;
    d.reason = "Unauthorized";
    d.extras.www_authenticate = fmt::format(R"(Digest realm="{}", nonce="{}", algorithm=MD5, qop="auth"{})", kRealm,
                                            make_nonce(cfg.nonce_secret, cfg.now_unix), stale ? ", stale=true" : "");
    d.result = "401 challenged: " + why;
    return d;
  };
  if (!req.authorization) return challenge(false, "the line has a password, no credentials were sent");
  const Digest& a = *req.authorization;
  const std::string& user = line.auth_name.empty() ? line.directory_number : line.auth_name;
  if (a.username != user || a.realm != kRealm) {
    return refuse(std::move(d), 403, "Forbidden (digest user)", "digest",
                  fmt::format("digest user '{}' realm '{}' vs '{}' realm '{}'", a.username, a.realm, user, kRealm));
  }
  switch (check_nonce(cfg.nonce_secret, a.nonce, cfg.now_unix)) {
    case NonceVerdict::Forged: return challenge(false, "a nonce this registrar did not make");
    case NonceVerdict::Stale: return challenge(true, "the nonce is older than its validity");
    case NonceVerdict::Fresh: break;
  }
  if (a.response != digest_response(a, req.method, line.auth_password)) {
    return refuse(std::move(d), 403, "Forbidden (bad credentials)", "digest",
                  fmt::format("digest response for '{}' does not match the line's password", user));
  }
  return std::nullopt;
}

int requested_expires(const Message& req, const RegistrarConfig& cfg) {
  if (!req.contacts.empty() && req.contacts.front().expires) return *req.contacts.front().expires;
  return req.expires.value_or(cfg.default_expires);
}

}  // namespace

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::Udp: return "udp";
    case Transport::Tcp: return "tcp";
    case Transport::Tls: return "tls";
  }
  return "?";
}

std::string match_subject(const std::vector<std::string>& names, const std::vector<std::string>& subjects) {
  for (const auto& s : subjects) {
    for (const auto& n : names) {
      if (iequals(s, n)) return s;
    }
  }
  return {};
}

bool cn_names_device(std::string_view cn, std::string_view device) {
  if (iequals(cn, device)) return true;
  return cn.size() > device.size() && cn[cn.size() - device.size() - 1] == '-' &&
         iequals(cn.substr(cn.size() - device.size()), device);
}

Decision on_register(const Message& req, const Peer& peer, const std::vector<LineOwner>& lines, const RegistrarConfig& cfg) {
  Decision d;
  d.extras.to_tag = cfg.to_tag;
  std::string dn = req.to.user;
  d.what = fmt::format("REGISTER {} over {}", dn, transport_name(peer.transport));
  if (lines.empty()) return refuse(std::move(d), 404, "Not Found", "directory number", fmt::format("no line has directory number '{}'", dn));
  const LineOwner* line = choose_line(req, peer, lines);
  if (!line) {
    return refuse(std::move(d), 403, "Forbidden (ambiguous line)", "device",
                  fmt::format("directory number '{}' is on {} devices and the request names none of them "
                              "(no client certificate or +sip.instance of one)", dn, lines.size()));
  }
  d.device = line->device;
  // The checks take a copy: `d` goes on to the 200 when they pass, with its reason, To tag and event.
  if (line->security_mode >= 2) {
    if (auto refused = secure_checks(d, peer, *line)) return std::move(*refused);
  }
  if (!line->auth_password.empty()) {
    if (auto refused = digest_checks(d, req, *line, cfg)) return std::move(*refused);
  }
  Binding b;
  b.device = line->device;
  b.line_index = line->line_index;
  b.directory_number = dn;
  b.source = peer.address;
  b.cert_type = peer.cert && peer.cert->phone.ok() ? peer.cert->type : "";
  b.call_id = req.call_id;
  b.user_agent = req.user_agent;
  b.transport = peer.transport;
  int expires = requested_expires(req, cfg);
  bool star = !req.contacts.empty() && req.contacts.front().star;
  if (expires == 0 || star) {
    d.unbind = std::move(b);
    d.result = "200 unregistered";
    return d;
  }
  if (req.contacts.empty()) {  // a query (RFC 3261 §10.2.3): nothing changes
    d.result = "200 no contact: nothing changed";
    return d;
  }
  b.expires = std::clamp(expires, cfg.min_expires, cfg.max_expires);
  b.contact = req.contacts.front().uri;
  d.extras.contacts.push_back(fmt::format("<{}>;expires={}", b.contact, b.expires));
  d.result = fmt::format("200 registered {} line {} at {} for {} s{}", b.device, b.line_index, b.contact, b.expires,
                         b.cert_type.empty() ? "" : " with its " + b.cert_type);
  d.bind = std::move(b);
  return d;
}

Decision on_options(const Message& /*req*/, const Peer& peer, const std::vector<TrunkPeer>& trunks, const RegistrarConfig& cfg) {
  Decision d;
  d.extras.to_tag = cfg.to_tag;
  d.extras.allow = std::string(kAllow);
  if (peer.transport != Transport::Tls) return d;
  d.what = "OPTIONS from a TLS peer";
  if (!peer.cert) return refuse(std::move(d), 403, "Forbidden (no client certificate)", "client certificate",
                                "a TLS peer must present a certificate: a phone's LSC or MIC, or a trunk's CallManager certificate");
  const auto& c = *peer.cert;
  if (c.phone.ok()) {
    d.what.clear();  // a phone's keepalive: not an event
    return d;
  }
  for (const auto& t : trunks) {
    std::string n = match_subject(c.names, t.subjects);
    if (n.empty()) continue;
    d.what = "OPTIONS on trunk " + t.name;
    if (!t.from_peer) {
      return refuse(std::move(d), 403, "Forbidden (trunk peer address)", "trunk peer address",
                    fmt::format("'{}' is trunk {}'s subject, but the request came from {}, not its peer {}", n, t.name,
                                peer.address, t.peer_host));
    }
    if (!c.trunk.ok()) {
      return refuse(std::move(d), 403, "Forbidden (" + chain_words(c.trunk) + ")", "trunk certificate chain",
                    fmt::format("'{}' is trunk {}'s subject, but its certificate does not chain to CallManager-trust: {}",
                                n, t.name, c.trunk.detail));
    }
    d.result = fmt::format("200 trunk {} up: peer '{}' admitted by X.509 subject name", t.name, n);
    return d;
  }
  std::string names;
  for (const auto& n : c.names) names += (names.empty() ? "" : ", ") + n;
  return refuse(std::move(d), 403, "Forbidden (X.509 subject name)", "x509 subject name",
                fmt::format("certificate names [{}] are in no trunk's X.509 subject names", names));
}

Decision on_other(const Message& req, const RegistrarConfig& cfg) {
  Decision d;
  if (req.method == "ACK") {
    d.respond = false;
    return d;
  }
  d.code = 405;
  d.reason = "Method Not Allowed";
  d.extras.to_tag = cfg.to_tag;
  d.extras.allow = std::string(kAllow);
  return d;
}

}  // namespace cucm::sip

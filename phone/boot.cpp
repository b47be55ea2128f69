// The boot sequence: transports, CAPF, the full config, and the order of the steps.
#include "phone/boot.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "cnf/vpn_group.hpp"
#include "cnf/xml.hpp"
#include "core/resolve.hpp"
#include "phone/booter.hpp"
#include "phone/capf_client.hpp"
#include "phone/http_get.hpp"
#include "phone/lsc_check.hpp"
#include "signer/enc_sgn_file.hpp"
#include "tftp/client.hpp"

namespace cucm::phone {

Result<FirmwareProfile> firmware_profile(const std::string& name) {
  // A 79xx speaks TLS 1.0 with RSA key transport (AES128-SHA), as in seed 004's capture
  // (PROTOCOLS §3.1), and nothing newer.
  if (name == "79xx" || name == "7942" || name == "7965") {
    return FirmwareProfile{"79xx", false, "1.0", "1.0", "AES128-SHA", name == "79xx" ? "7942" : name, false};
  }
  if (name == "88xx" || name == "8845" || name == "8865") {
    return FirmwareProfile{"88xx", true, "1.2", "", "", name == "88xx" ? "8845" : name, true};
  }
  return make_error(Errc::InvalidArgument, fmt::format("unknown phone profile '{}': 79xx or 88xx", name));
}

namespace detail {

Booter::Booter(const BootOptions& o, PhoneState& s) : o_(o), s_(s), start_(Clock::now()) {
  std::string note;
  tvs_ = load_tvs_memory(o.state_dir, &note);
  if (!note.empty()) decide("TVS memory lost", note);
}

Result<Bytes> Booter::fetch(const std::string& name) {
  bool http = o_.transport == "http" || (o_.transport == "auto" && o_.profile.http_first);
  if (http) {
    auto b = http_get(o_.server, o_.http_port, name, o_.timeout, 64u << 20, o_.source);
    step("phone", "cucm", "HTTP", fmt::format("GET /{} -> {}", name, b ? fmt::format("200, {} bytes", b->size()) : b.error().message));
    if (b || b.error().code == Errc::NotFound || o_.transport == "http") return b;
    const Error& e = b.error();
    noticed(e.code == Errc::DeadlineExceeded                     ? "http-slow"
            : e.message.find("status ") != std::string::npos     ? "http-status"
                                                                 : "http-truncated",
            e.message);
    decide("fall back to TFTP", "HTTP failed for " + name + ": TFTP next, as phones do (PROTOCOLS §8.1)");
  }
  tftp::GetOptions g;
  g.timeout = std::chrono::milliseconds(std::min<long>(o_.timeout.count(), 1000));
  g.blksize = 1428;
  g.source = o_.source;
  auto addr = core::resolve_host(o_.server);
  if (!addr) {
    step("phone", "cucm", "TFTP", fmt::format("RRQ {} -> {}", name, addr.error().message));
    return std::move(addr).error();
  }
  auto t = tftp::tftp_get(boost::asio::ip::udp::endpoint(*addr, o_.tftp_port), name, g);
  step("phone", "cucm", "TFTP", fmt::format("RRQ {} -> {}", name, t ? fmt::format("{} bytes", t->data.size()) : t.error().message));
  if (!t) {
    const Error& e = t.error();
    if (e.code == Errc::InvalidArgument && e.message.find("ERROR 8") != std::string::npos) {
      noticed("tftp-blksize-mismatch", e.message);
    } else if (e.code != Errc::NotFound && e.message.find("server error") != std::string::npos) {
      noticed("tftp-error", e.message);  // an ERROR packet other than "file not found"
    }
    return std::move(t).error();
  }
  // What a transfer that completed went through, named as the fault that causes it on loopback.
  if (!t->oack) noticed("tftp-ignore-options", "no OACK to my blksize: a plain RFC 1350 transfer of 512-byte blocks");
  // A block lost once makes one block late; a slow link makes each late, which needs two blocks
  // to tell apart from a loss (a one-block file comes late either way, and is named a loss).
  if (t->late_blocks >= 2 && t->late_blocks == t->blocks) {
    noticed("tftp-delay", fmt::format("each of the {} DATA blocks of {} came late: {} ACKs sent again while waiting",
                                      t->blocks, name, t->timeouts));
  } else if (t->timeouts) {
    noticed("tftp-drop-block", fmt::format("{} timeouts before {} completed", t->timeouts, name));
  }
  if (t->duplicates) noticed("tftp-duplicate-block", fmt::format("{} DATA blocks came twice; ignored", t->duplicates));
  return std::move(t->data);
}

bool Booter::run_capf(const cnf::ConfigDecisionFields& f, const signer::TrustList& itl) {
  const signer::TrustRecord* capf_rec = nullptr;
  for (const auto& rec : itl.records) {
    if (rec.role == static_cast<std::uint16_t>(signer::Role::Capf)) capf_rec = &rec;
  }
  if (!capf_rec) {
    noticed("itl-without-capf", "CAPF's certificate must be in my ITL (seed 004)");
    r_.failure = "the ITL has no CAPF certificate: the phone refuses to contact CAPF";
    return false;
  }
  auto capf_cert = signer::load_cert(capf_rec->certificate);
  if (!capf_cert) {
    r_.failure = "the ITL's CAPF certificate does not parse";
    return false;
  }
  CapfPhone p{o_.device, std::nullopt, std::nullopt, o_.auth_string, "", {}};
  if (s_.mic) p.mic = PhoneIdentity{signer::X509Ptr(X509_dup(s_.mic->cert.get())), signer::PkeyPtr(EVP_PKEY_dup(s_.mic->key.get()))};
  if (s_.lsc) p.lsc = PhoneIdentity{signer::X509Ptr(X509_dup(s_.lsc->cert.get())), signer::PkeyPtr(EVP_PKEY_dup(s_.lsc->key.get()))};
  p.authenticate_with = s_.lsc ? "lsc" : "mic";
  CapfClientOptions co;
  if (f.capf_host.empty()) {
    decide("no capfList", "CAPF at my TFTP server, port 3804 unless told otherwise (SIPSTACK takes the ITL's CAPF "
                          "record and 3804, PROTOCOLS §6.2)");
  }
  co.host = f.capf_host.empty() ? o_.server : f.capf_host;
  co.port = o_.capf_port.value_or(static_cast<std::uint16_t>(f.capf_port ? f.capf_port : 3804));
  if (o_.capf_redirect && co.port == o_.capf_redirect->first) co.port = o_.capf_redirect->second;
  co.tls_min = o_.profile.tls_min;
  co.tls_max = o_.profile.tls_max;
  co.tls_ciphers = o_.profile.tls_ciphers;
  co.timeout = o_.timeout;
  co.trusted_capf = capf_cert->get();
  co.vouch_for_server = [&](const X509& server) {
    decide("ask TVS", "the CAPF server's certificate is not the one in my ITL");
    std::string why;
    bool ok = tvs_vouches(itl, signer::cert_der(server), {signer::Role::Capf}, why);
    if (!ok) decide("CAPF server not trusted", why);
    return ok;
  };
  co.tls_contexts = o_.tls_contexts;
  co.source = o_.source;
  auto out = phone::run_capf(p, co);
  if (!out) {
    notice_capf_failure(out.error().message, co.host, co.port);
    step("phone", "capf", "TLS", "CAPF session failed: " + out.error().message);
    r_.failure = "CAPF: " + out.error().message;
    return false;
  }
  step("phone", "capf", "TLS", "CAPF handshake: " + out->tls);
  for (std::size_t i = 0; i < out->ladder.size(); ++i) {
    const std::string& l = out->ladder[i];
    bool to_server = l.starts_with("P->S");
    step(to_server ? "phone" : "capf", to_server ? "capf" : "phone", "CAPF", l.substr(5), "",
         i < out->wires.size() ? std::move(out->wires[i]) : Bytes{});
  }
  r_.capf_ran = true;
  notice_capf_outcome(*out, p, **capf_cert);
  if (out->lsc_installed) s_.lsc = std::move(p.lsc);
  if (out->lsc_deleted) s_.lsc.reset();
  (void)save_lsc(s_);
  decide(fmt::format("CAPF ended with reason {}", out->end_reason),
         out->lsc_installed ? "a new LSC is installed: reset and fetch the config again" : "the phone resets and asks again");
  return true;
}

void Booter::notice_capf_failure(const std::string& m, const std::string& host, std::uint16_t port) {
  auto has = [&](const char* text) { return m.find(text) != std::string::npos; };
  if (has("connect failed")) {
    noticed("capf-wrong-port", fmt::format("nothing answers on CAPF {}:{}", host, port));
  } else if (has("TLS handshake") && (has("unsupported protocol") || has("protocol version"))) {
    // A phone with a ceiling of its own (a 79xx) fails so against a server whose floor is above
    // it: that is the phone's age, not a server offering too little.
    if (o_.profile.tls_max.empty()) noticed("capf-tls-1.0-only", "CAPF offers no TLS version I speak: " + m);
  } else if (has("TLS handshake") && (has("handshake failure") || has("no shared cipher") || has("no cipher"))) {
    noticed("capf-cipher-mismatch", "CAPF and I share no cipher suite: " + m);
  } else if (has("no answer to AuthResponse")) {
    noticed("capf-stall-after-hello", m);
  } else if (has("before StoreCertRequest")) {
    noticed("capf-drop-before-store", m);
  }
}

// A refusal is an End with a failure reason at once, before any operation; an LSC is checked as
// a phone can check it, and kept all the same (whether firmware refuses it is not documented).
void Booter::notice_capf_outcome(const CapfOutcome& out, CapfPhone& p, X509& capf) {
  bool refused = out.end_reason != static_cast<std::uint8_t>(capf::Reason::NoAction) &&
                 out.end_reason != static_cast<std::uint8_t>(capf::Reason::UpdateCertificate);
  if (refused && out.ladder.size() == 3) {  // AuthRequest, AuthResponse, End
    noticed("capf-refuse", fmt::format("CAPF ended the session with reason {} right after my AuthResponse", out.end_reason));
  }
  if (out.lsc_installed && p.lsc) {
    if (auto a = lsc_anomaly(*p.lsc->cert, capf, o_.device)) noticed(a->fault, a->why + "; kept it all the same");
  }
}

// The TVS servers of a full config (<TVS><members><member priority><port><address>), kept for the
// next boot: a new ITL is checked before any config arrives.
void Booter::remember_tvs_servers(xmlNode* root) {
  std::vector<TvsServerAddress> servers;
  xmlNode* members = cnf::child(cnf::child(root, "TVS"), "members");
  for (xmlNode* m = members ? members->children : nullptr; m; m = m->next) {
    if (m->type != XML_ELEMENT_NODE) continue;
    std::string host = cnf::text(cnf::child(m, "address"));
    int port = std::atoi(cnf::text(cnf::child(m, "port")).c_str());
    if (!host.empty() && port > 0 && port < 65536) servers.push_back({host, static_cast<std::uint16_t>(port)});
  }
  bool same = servers.size() == tvs_.servers.size() &&
              std::equal(servers.begin(), servers.end(), tvs_.servers.begin(),
                         [](const auto& a, const auto& b) { return a.host == b.host && a.port == b.port; });
  if (same) return;
  tvs_.servers = std::move(servers);
  (void)save_tvs_memory(o_.state_dir, tvs_);
}

// A phone cannot see the cluster's security mode, and a CTL as mixed mode serves it is what
// ctl-in-non-mixed-mode serves too. What it can see is that the CTL is of no use to it: its config
// asks for no TLS signalling (deviceSecurityMode 1), which is what every config of a cluster not
// in mixed mode says, since authenticated and encrypted signalling need mixed mode (encrypted
// configs do not, PROTOCOLS §2.3). A non-secure phone of a mixed-mode cluster sees the same, so
// the note says both; it changes nothing in the boot.
void Booter::note_needless_ctl(xmlNode* root) {
  if (!ctl_seen_) return;
  xmlNode* mode = cnf::child(root, "deviceSecurityMode");
  if (!mode || cnf::text(mode) != "1") return;
  noticed("ctl-in-non-mixed-mode", "a CTL came, yet my config asks for no secure signalling (deviceSecurityMode 1): "
                                   "a cluster not in mixed mode serving a CTL, or a non-secure phone in mixed mode");
}

bool Booter::finish_full(const std::string& xml, bool encrypted) {
  auto doc = cnf::parse_xml(xml, "full config");
  if (!doc) {
    r_.failure = doc.error().message;
    return false;
  }
  xmlNode* root = xmlDocGetRootElement(doc->get());
  xmlNode* members = cnf::child(cnf::child(cnf::child(root, "devicePool"), "callManagerGroup"), "members");
  for (xmlNode* m = members ? members->children : nullptr; m; m = m->next) {
    if (m->type != XML_ELEMENT_NODE) continue;
    r_.call_managers.push_back(cnf::text(cnf::child(cnf::child(m, "callManager"), "processNodeName")));
  }
  remember_tvs_servers(root);
  if (auto vpn = cnf::read_vpn_group(root)) {
    r_.vpn = std::move(*vpn);
  } else {
    r_.vpn_problem = vpn.error().message;
  }
  xmlNode* sip = cnf::child(root, "sipProfile");
  r_.sccp = sip == nullptr;
  xmlNode* lines = cnf::child(sip, "sipLines");
  for (xmlNode* l = lines ? lines->children : nullptr; l; l = l->next) r_.lines += l->type == XML_ELEMENT_NODE;
  if (r_.call_managers.empty()) {
    r_.failure = "the full config names no call manager";
    return false;
  }
  if (auto plan = read_sip_plan(root)) {
    sip_plan_ = std::move(*plan);
  } else {
    r_.sip_failure = plan.error().message;  // the config is still a full one: SIP only cannot start
  }
  note_needless_ctl(root);
  r_.full_config = true;
  r_.encrypted = encrypted;
  decide("full config", fmt::format("{}: register with {} ({})", encrypted ? "decrypted" : "signed",
                                    r_.call_managers.front(),
                                    r_.sccp ? "SCCP: the lines come at registration" : fmt::format("{} lines", r_.lines)));
  return true;
}

// The encrypted config: fetched, its signature checked against the ITL, decrypted with the key
// of the certificate the phone holds.
Result<std::string> Booter::encrypted_config(const signer::TrustList& itl, bool& decrypt_failed) {
  std::string enc_name = o_.device + ".cnf.xml.enc.sgn";
  auto enc = fetch(enc_name);
  if (!enc) {
    if (enc.error().code == Errc::NotFound) noticed("enc-missing", "the partial config says encrConfig, the file is not there");
    return make_error(enc.error().code, "encrypted config: " + enc.error().message);
  }
  CUCM_TRY(auto parsed, signer::parse_enc_sgn(*enc));
  if (parsed.header.filename != enc_name) return make_error(Errc::Unauthenticated, enc_name + " carries another file name");
  const auto* rec = tftp_record(itl, parsed.header);
  if (!rec && empty_itl(itl)) {
    decide("signature not checked", enc_name + ": my ITL is empty (rollback)");
  } else {
    if (!rec) return make_error(Errc::Unauthenticated, enc_name + " is not signed by a TFTP certificate of the ITL");
    CUCM_TRY(auto cert, signer::load_cert(rec->certificate));
    CUCM_TRY(auto key, signer::cert_public_key(*cert));
    if (auto st = signer::verify_signature(*enc, parsed, *key); !st) {
      return make_error(st.error().code, enc_name + ": " + st.error().message);
    }
    check_signer_dates(*rec, *cert, enc_name);
  }
  const auto& id = s_.lsc ? s_.lsc : s_.mic;
  auto plain = signer::decrypt_enc_sgn(*enc, parsed, *id->key);
  if (!plain) {
    const std::string& m = plain.error().message;
    decrypt_failed = true;
    noticed(m.find("bad padding") != std::string::npos ? "enc-bad-padding"
            : m.find("digest") != std::string::npos    ? "enc-bad-digest"
                                                       : "enc-wrong-key",
            m);
    return std::move(plain).error();
  }
  decide("decrypted", fmt::format("{}AES key unwrapped with my {} key, digest OK", rec ? "signature OK, " : "",
                                  s_.lsc ? "LSC" : "MIC"));
  return std::string(as_chars(*plain));
}

// A CAPF session at most once for a certHash that is not mine, and once more after a decryption
// failure (SIPSTACK's reason "decrypt failed", PROTOCOLS §6.2); each is followed by a reset.
BootResult Booter::run() {
  if (!trust_lists()) return fail(r_.failure);
  const signer::TrustList& itl = *itl_;
  std::string sgn_name = o_.device + ".cnf.xml.sgn";
  bool capf_for_hash = false, capf_for_decrypt = false;
  for (int round = 0; round < 3; ++round) {
    auto xml = config(itl, sgn_name);
    if (!xml) return fail(xml.error().message);
    auto f = cnf::read_decision_fields(*xml);
    if (!f) return fail(f.error().message);
    if (f->full_config && !f->encr_config) {
      if (!finish_full(*xml, false) || !probe_tvs()) return fail(r_.failure);
      r_.cert_hash = local_hash();
      if (r_.sip_failure.empty()) register_lines();
      return r_;
    }
    std::string mine = local_hash();
    decide(fmt::format("partial config: certHash '{}', encrConfig {}", f->cert_hash, f->encr_config),
           f->cert_hash.empty() ? "empty certHash: the server has no key of mine"
           : f->cert_hash == mine ? "certHash is the MD5 of my certificate"
                                  : "certHash differs from my certificate (" + mine + ")");
    if (f->cert_hash.empty() || f->cert_hash != mine) {
      if (capf_for_hash) return fail("certHash still does not match after CAPF");
      if (f->capf_auth_mode == 1 && o_.auth_string.empty()) {
        return fail("CAPF by authentication string: a user must key it in (--auth-string)");
      }
      if (!o_.allow_capf) return fail("CAPF needed but disabled");
      capf_for_hash = true;
      if (!run_capf(*f, itl)) return fail(r_.failure);
      continue;
    }
    if (!f->encr_config) return fail("a partial config without encrConfig: nothing more to fetch");
    bool decrypt_failed = false;
    auto plain = encrypted_config(itl, decrypt_failed);
    if (!plain) {
      if (!decrypt_failed || capf_for_decrypt || !o_.allow_capf) return fail(plain.error().message);
      decide("decrypt failed", "CAPF again with reason 'decrypt failed' (SIPSTACK, PROTOCOLS §6.2), then a reset");
      capf_for_decrypt = true;
      if (!run_capf(*f, itl)) return fail(plain.error().message + "; CAPF again: " + r_.failure);
      continue;
    }
    if (!finish_full(*plain, true) || !probe_tvs()) return fail(r_.failure);
    r_.cert_hash = mine;
    if (r_.sip_failure.empty()) register_lines();
    return r_;
  }
  return fail("no full config after CAPF");
}

}  // namespace detail

Result<BootResult> boot(const BootOptions& opts) {
  CUCM_TRY(auto state, load_state(opts.state_dir, opts.device, opts.manufacturer));
  detail::Booter b(opts, state);
  return b.run();
}

}  // namespace cucm::phone

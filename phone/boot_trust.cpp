// The boot's trust steps: the trust lists, the signed config (HTTPS, HTTP, TFTP) and TVS.
#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "phone/booter.hpp"
#include "phone/https_get.hpp"
#include "phone/tvs_check.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"

namespace cucm::phone::detail {
namespace {

bool has_role(const signer::TrustRecord& rec, std::initializer_list<signer::Role> roles) {
  for (auto r : roles) {
    if (rec.role == static_cast<std::uint16_t>(r)) return true;
  }
  return false;
}

// The roles whose certificate may sign a trust list or a config file.
constexpr std::initializer_list<signer::Role> kSigners = {signer::Role::Sast, signer::Role::CcmTftp, signer::Role::Tftp};

}  // namespace

bool empty_itl(const signer::TrustList& itl) {
  return std::none_of(itl.records.begin(), itl.records.end(), [](const signer::TrustRecord& rec) {
    return has_role(rec, {signer::Role::CcmTftp, signer::Role::Tftp, signer::Role::Tvs});
  });
}

bool Booter::trust_lists() {
  std::string ctl_name = "CTL" + o_.device + ".tlv", itl_name = "ITL" + o_.device + ".tlv";
  auto ctl = fetch(ctl_name);
  if (ctl) {
    take_ctl(*ctl);
  } else {
    decide("no CTL", "the cluster is not in mixed mode: normal");
  }
  auto itl_bytes = fetch(itl_name);
  if (!itl_bytes) {
    r_.failure = "no ITL: " + itl_bytes.error().message;
    return false;
  }
  auto itl = signer::parse_trust_list(*itl_bytes);
  if (!itl) {
    r_.failure = "ITL does not parse: " + itl.error().message;
    return false;
  }
  if (auto st = signer::verify_trust_list(*itl_bytes, *itl); !st) {
    noticed("itl-bad-signature", st.error().message);
    r_.failure = "ITL signature: " + st.error().message + (s_.itl ? ": the phone keeps its old ITL" : ": no ITL taken");
    return false;
  }
  if (!s_.itl) {
    decide("trust the ITL", fmt::format("first ITL: trusted on first use ({} records, signer {})", itl->records.size(),
                                        itl->parsed.header.signer_name));
  } else if (*s_.itl != *itl_bytes) {
    // A new ITL must be signed by a certificate the phone holds as a signer (SAST, or CCM+TFTP as
    // before CUCM 12.0, when the CallManager certificate signed the ITL), or be vouched for by TVS.
    auto old = signer::parse_trust_list(*s_.itl);
    auto signer_rec = signer::find_signer(*itl);
    bool known = false;
    if (old && signer_rec) {
      for (const auto& rec : old->records) known |= rec.certificate == (*signer_rec)->certificate && has_role(rec, kSigners);
    }
    if (old && empty_itl(*old)) {
      decide("accept the new ITL", fmt::format("my ITL is empty (the cluster prepared for rollback): the next ITL is "
                                               "trusted on first use (signer {})", itl->parsed.header.signer_name));
    } else if (known) {
      decide("accept the new ITL", "signed by a certificate already trusted");
    } else {
      // Not signed by a certificate the phone holds: TVS, which the old ITL trusts, may vouch for
      // the signer ([EMU] as a trust-list signer: SAST, CCM+TFTP or TFTP).
      decide("ask TVS", fmt::format("the new ITL is signed by {}, which my ITL does not hold", itl->parsed.header.signer_name));
      std::string why;
      bool vouched = old && signer_rec &&
                     tvs_vouches(*old, (*signer_rec)->certificate,
                                 {signer::Role::Sast, signer::Role::CcmTftp, signer::Role::Tftp}, why);
      if (!vouched) {
        noticed("itl-untrusted-signer", "the new ITL's signer is neither in my ITL nor vouched for by TVS");
        r_.failure = fmt::format("Trust List Update Failed: the new ITL is signed by {}, which the phone does not trust "
                                 "({}); reset its trust (Settings > Security > Reset) to take the new cluster",
                                 itl->parsed.header.signer_name, why.empty() ? "no signer record" : why);
        return false;
      }
      decide("accept the new ITL", "TVS vouches for its signer");
    }
  } else {
    decide("ITL unchanged", "same trust list as before");
  }
  if (empty_itl(*itl)) {
    decide("ITL is empty", "no TFTP or TVS certificate (the cluster prepares for rollback): configs are taken unchecked, "
                           "and the next ITL from any signer");
  }
  s_.itl = *itl_bytes;
  (void)save_trust(s_);
  itl_ = std::move(*itl);
  return true;
}

void Booter::take_ctl(const Bytes& bytes) {
  auto ctl = signer::parse_trust_list(bytes);
  if (!ctl) return decide("CTL ignored", "it does not parse: " + ctl.error().message);
  if (auto st = signer::verify_trust_list(bytes, *ctl); !st) return decide("CTL ignored", st.error().message);
  ctl_seen_ = true;
  decide("CTL taken", fmt::format("{} records, signer {}: a CTL exists only in mixed mode (PROTOCOLS §1.1 step 3)",
                                  ctl->records.size(), ctl->parsed.header.signer_name));
}

// No source says whether phones check the dates of trust-list certificates (sgn-expired-signer's
// reaction is unknown), and this simulator does not refuse on them: it names what it saw and goes
// on, so that a boot against an expired signer still shows where a stricter phone would stop.
void Booter::check_signer_dates(const signer::TrustRecord& rec, const X509& cert, const std::string& name) {
  std::time_t now = std::time(nullptr);  // the phone's clock
  std::time_t until = signer::not_after(cert);
  if (until >= now) return;
  noticed("sgn-expired-signer",
          fmt::format("{} is signed by the ITL's {} certificate {}, expired since {} by my clock: dates are not "
                      "checked, so it is taken",
                      name, signer::role_name(*rec.role), rec.subject, signer::format_utc(until)));
}

const signer::TrustRecord* Booter::tftp_record(const signer::TrustList& itl, const signer::Header& h) const {
  for (const auto& rec : itl.records) {
    bool tftp = rec.role == static_cast<std::uint16_t>(signer::Role::Tftp) ||
                rec.role == static_cast<std::uint16_t>(signer::Role::CcmTftp);
    if (tftp && rec.serial == h.serial && rec.issuer == h.issuer_name) return &rec;
  }
  return nullptr;
}

Result<std::string> Booter::signed_config(const signer::TrustList& itl, const std::string& name) {
  CUCM_TRY(Bytes file, fetch(name));
  auto parsed_or = signer::parse_sgn(file);
  if (!parsed_or) {
    const std::string& m = parsed_or.error().message;
    noticed(m.find("unknown hash code") != std::string::npos ? "sgn-unknown-hash" : "sgn-truncated", m);
    return std::move(parsed_or).error();
  }
  auto& parsed = *parsed_or;
  if (parsed.header.filename != name) {
    noticed("sgn-wrong-filename", "the header names " + parsed.header.filename);
    return make_error(Errc::Unauthenticated, fmt::format("{} carries the name {}", name, parsed.header.filename));
  }
  const auto* rec = tftp_record(itl, parsed.header);
  if (!rec && empty_itl(itl)) {
    decide("signature not checked", fmt::format("{}: my ITL is empty (rollback), so the config is taken as if unsigned", name));
    return std::string(as_chars(signer::sgn_payload(file, parsed)));
  }
  if (!rec) {
    bool any_tftp = std::any_of(itl.records.begin(), itl.records.end(), [](const signer::TrustRecord& r) {
      return has_role(r, {signer::Role::CcmTftp, signer::Role::Tftp});
    });
    noticed(any_tftp ? "sgn-signer-not-in-itl" : "itl-without-tftp",
            any_tftp ? "no TFTP record of my ITL has the header's issuer and serial" : "my ITL has no TFTP certificate");
    return make_error(Errc::Unauthenticated, fmt::format("{} is signed by {}, not a TFTP certificate of the ITL", name,
                                                         parsed.header.signer_name));
  }
  CUCM_TRY(auto cert, signer::load_cert(rec->certificate));
  CUCM_TRY(auto key, signer::cert_public_key(*cert));
  if (auto st = signer::verify_signature(file, parsed, *key); !st) {
    noticed("sgn-bad-signature", st.error().message);
    return std::move(st).error();
  }
  decide("signature OK", fmt::format("{} verified with the ITL's {} certificate {}", name,
                                     signer::role_name(*rec->role), rec->subject));
  check_signer_dates(*rec, *cert, name);
  return std::string(as_chars(signer::sgn_payload(file, parsed)));
}

// The config over HTTPS 6971 (PROTOCOLS §8.1): asked for by its .sgn name, answered unsigned, and
// trusted because the TLS server's certificate is the ITL's TFTP certificate, an EC one.
Result<std::string> Booter::https_config(const signer::TrustList& itl, const std::string& name) {
  HttpsGetOptions h;
  h.host = o_.server;
  h.port = o_.https_port;
  h.timeout = o_.timeout;
  h.source = o_.source;
  h.tls_min = o_.profile.tls_min;
  h.tls_max = o_.profile.tls_max;
  h.tls_ciphers = o_.profile.tls_ciphers;
  h.tls_contexts = o_.tls_contexts;
  std::string subject;
  auto got = https_get(h, name, [&](const X509& cert) -> Status {
    subject = signer::subject_name(cert);
    Bytes der = signer::cert_der(cert);
    for (const auto& rec : itl.records) {
      if (rec.certificate != der || rec.role != static_cast<std::uint16_t>(signer::Role::Tftp)) continue;
      auto key = signer::cert_public_key(cert);
      if (key && signer::key_kind(**key) == signer::KeyKind::Ec) return Ok{};
      return make_error(Errc::Unauthenticated, fmt::format("the server certificate {} is not EC: firmware takes only an "
                                                           "EC certificate on 6971", subject));
    }
    // Not in the ITL: firmware asks TVS (PROTOCOLS §4) before it gives up on HTTPS.
    std::string why;
    if (tvs_vouches(itl, der, {signer::Role::Tftp}, why)) return Ok{};
    return make_error(Errc::Unauthenticated,
                      fmt::format("the server certificate {} is not in the ITL with role TFTP, and TVS did not vouch "
                                  "for it ({})", subject, why));
  });
  step("phone", "cucm", "HTTPS",
       fmt::format("GET /{} (port {}) -> {}", name, o_.https_port,
                   got ? fmt::format("200, {} bytes unsigned, {}", got->body.size(), got->tls) : got.error().message));
  if (!got) return std::move(got).error();
  std::string xml(as_chars(got->body));
  if (auto f = cnf::read_decision_fields(xml); !f) {
    return make_error(Errc::InvalidArgument, fmt::format("HTTPS answered {} with no unsigned config: {}", name, f.error().message));
  }
  decide("HTTPS config trusted", fmt::format("the TLS server's certificate {} is the ITL's TFTP certificate (EC): the "
                                             "config needs no signature", subject));
  return xml;
}

// With an ITL of SignerVersion 1.1, 88xx firmware asks HTTPS 6971 first and falls back to the
// signed file over HTTP 6970, then TFTP, when that fails.
Result<std::string> Booter::config(const signer::TrustList& itl, const std::string& name) {
  bool v11 = itl.parsed.header.signer_version == std::array<std::uint8_t, 2>{1, 1};
  if (o_.profile.https_config && o_.transport == "auto" && v11) {
    auto xml = https_config(itl, name);
    if (xml) return xml;
    decide("fall back to HTTP", "HTTPS failed (" + xml.error().message + "): the signed file, as before");
  }
  return signed_config(itl, name);
}

bool Booter::tvs_vouches(const signer::TrustList& itl, ByteView der, std::initializer_list<signer::Role> roles,
                         std::string& why) {
  return phone::tvs_vouches(tvs_check(tvs_, itl), der, std::span(roles.begin(), roles.size()), why);
}

TvsCheck Booter::tvs_check(TvsMemory& memory, const signer::TrustList& itl) {
  return TvsCheck{o_, memory, itl,
                  [this](std::string from, std::string to, std::string proto, std::string what, std::string w, Bytes wire) {
                    step(std::move(from), std::move(to), std::move(proto), std::move(what), std::move(w), std::move(wire));
                  },
                  [this](const std::string& fault, std::string why) { noticed(fault, std::move(why)); }};
}

// BootOptions::ask_tvs: one TVS query with nothing remembered, about a certificate TVS knows.
bool Booter::probe_tvs() {
  if (!o_.ask_tvs) return true;
  const signer::TrustRecord* ccm = nullptr;
  for (const auto& rec : itl_->records) {
    if (rec.role == static_cast<std::uint16_t>(signer::Role::CcmTftp)) ccm = &rec;
  }
  if (!ccm) {
    r_.failure = "TVS probe: the ITL has no CCM+TFTP certificate to ask about";
    return false;
  }
  TvsMemory fresh{tvs_.servers, {}};
  std::string why;
  const signer::Role ccm_tftp[] = {signer::Role::CcmTftp};
  if (phone::tvs_vouches(tvs_check(fresh, *itl_), ccm->certificate, ccm_tftp, why)) return true;
  r_.failure = "TVS probe: " + why;
  return false;
}

}  // namespace cucm::phone::detail

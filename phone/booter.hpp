// The boot sequence's state and steps, shared by boot.cpp (transports, CAPF, the full config, the
// sequence) and boot_trust.cpp (trust lists, signed configs, TVS). Internal to the phone library.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>

#include <libxml/tree.h>

#include "cnf/partial_config.hpp"
#include "phone/capf_client.hpp"
#include "phone/boot.hpp"
#include "phone/phone_state.hpp"
#include "phone/sip_link.hpp"
#include "phone/sip_register.hpp"
#include "phone/tvs_check.hpp"
#include "phone/tvs_memory.hpp"
#include "signer/cert.hpp"
#include "signer/tlv_header.hpp"
#include "signer/trust_list.hpp"

namespace cucm::phone::detail {
using Clock = std::chrono::steady_clock;

// Where a phone's REGISTERs go: the call manager, its Request-URI and the transport.
struct SipTarget {
  std::string host, uri;
  sip::Transport transport = sip::Transport::Udp;
};

// Whether an ITL vouches for nothing: no TFTP, CCM+TFTP or TVS certificate, as the ITL of a
// cluster prepared for rollback ("Prepare Cluster for Rollback to pre-8.0"). Cisco: a phone with
// such an ITL accepts any unsigned config file and any new ITL.
bool empty_itl(const signer::TrustList& itl);

class Booter {
 public:
  Booter(const BootOptions& o, PhoneState& s);

  void step(std::string from, std::string to, std::string proto, std::string what, std::string why = "", Bytes wire = {}) {
    double t = std::chrono::duration<double>(Clock::now() - start_).count();
    r_.ladder.push_back({t, std::move(from), std::move(to), std::move(proto), std::move(what), std::move(why), std::move(wire)});
  }
  void decide(std::string what, std::string why) { step("phone", "phone", "-", std::move(what), std::move(why)); }
  // An anomaly, named as the fault catalog names its cause (issue 18); the first one is the boot's.
  void noticed(const std::string& fault, std::string why) {
    if (r_.detected.empty()) r_.detected = fault;
    decide("detected " + fault, std::move(why));
  }

  // One file, over the profile's transports in order.
  Result<Bytes> fetch(const std::string& name);

  BootResult run();

 private:
  // Trust lists, signed configs and TVS are in boot_trust.cpp; CAPF and the full config in boot.cpp.
  bool trust_lists();
  // A CTL the server sent: checked and noted for this boot (ctl_seen_); this simulator does not
  // check ITLs against a CTL, so it keeps none across boots.
  void take_ctl(const Bytes& ctl);
  // Names a signer past its notAfter by the phone's clock (sgn-expired-signer), and goes on.
  void check_signer_dates(const signer::TrustRecord& rec, const X509& cert, const std::string& name);
  const signer::TrustRecord* tftp_record(const signer::TrustList& itl, const signer::Header& h) const;
  Result<std::string> signed_config(const signer::TrustList& itl, const std::string& name);
  Result<std::string> https_config(const signer::TrustList& itl, const std::string& name);
  Result<std::string> config(const signer::TrustList& itl, const std::string& name);
  bool run_capf(const cnf::ConfigDecisionFields& f, const signer::TrustList& itl);
  // What a failed or odd CAPF session looked like, named as the fault that causes it (issue 18).
  void notice_capf_failure(const std::string& message, const std::string& host, std::uint16_t port);
  void notice_capf_outcome(const CapfOutcome& out, CapfPhone& p, X509& capf);
  // The encrypted config, decrypted; on a decryption failure `decrypt_failed` is set.
  Result<std::string> encrypted_config(const signer::TrustList& itl, bool& decrypt_failed);
  bool finish_full(const std::string& xml, bool encrypted);
  // Names a CTL that a config asking for no secure signalling came with (ctl-in-non-mixed-mode).
  void note_needless_ctl(xmlNode* root);
  std::string local_hash() const {
    const auto& id = s_.lsc ? s_.lsc : s_.mic;
    return id ? signer::cert_md5_hex(*id->cert) : std::string();
  }
  // Whether TVS vouches for `der` in one of `roles`, asked with the TVS certificates of `itl`.
  bool tvs_vouches(const signer::TrustList& itl, ByteView der, std::initializer_list<signer::Role> roles, std::string& why);
  // The TVS check's view of this boot: its options, ladder and noticed anomalies.
  TvsCheck tvs_check(TvsMemory& memory, const signer::TrustList& itl);
  void remember_tvs_servers(xmlNode* root);
  bool probe_tvs();
  // SIP registration after the full config (sip_register.cpp): every line of sip_plan_; the
  // outcome goes to r_.registered and r_.sip_failure, never to r_.failure.
  void register_lines();
  Status register_line(SipLink& link, const SipLineConfig& line, const SipTarget& target);
  Status check_sip_server(X509* cert);
  BootResult fail(std::string why) {
    r_.failure = std::move(why);
    decide("boot stops", r_.failure);
    return r_;
  }

  const BootOptions& o_;
  PhoneState& s_;
  Clock::time_point start_;
  BootResult r_;
  std::optional<signer::TrustList> itl_;
  bool ctl_seen_ = false;  // a CTL that verifies came this boot
  TvsMemory tvs_;
  std::optional<SipPlan> sip_plan_;  // read by finish_full
};

}  // namespace cucm::phone::detail

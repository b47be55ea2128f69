// Armed CAPF faults (issue 18) inside the session: a refusal, a silence, a drop, or an LSC made
// wrong in one way. Each leaves an event that says "injected <fault>", and none records anything
// the phone did not confirm.
#include <array>
#include <utility>

#include <fmt/format.h>

#include "capf/proto/engine.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/lsc.hpp"

namespace cucm::capf {
namespace {

constexpr std::array<std::pair<SessionFault, std::string_view>, 7> kNames{{
    {SessionFault::Refuse, "capf-refuse"},
    {SessionFault::StallAfterHello, "capf-stall-after-hello"},
    {SessionFault::DropBeforeStore, "capf-drop-before-store"},
    {SessionFault::LscWrongCn, "capf-lsc-wrong-cn"},
    {SessionFault::LscExpired, "capf-lsc-expired"},
    {SessionFault::LscWrongEku, "capf-lsc-wrong-eku"},
    {SessionFault::LscUnknownCa, "capf-lsc-unknown-ca"},
}};

// serverAuth and ipsecEndSystem as before; clientAuth, which SIP over TLS needs, left out.
constexpr const char* kEkuWithoutClientAuth = "serverAuth,ipsecEndSystem";

}  // namespace

std::optional<SessionFault> parse_session_fault(std::string_view name) {
  for (const auto& [f, n] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

std::string_view session_fault_name(SessionFault f) {
  for (const auto& [k, n] : kNames) {
    if (k == f) return n;
  }
  return "none";
}

bool session_fault_applies(SessionFault f, Operation op) {
  switch (f) {
    case SessionFault::None: return false;
    case SessionFault::Refuse:
    case SessionFault::StallAfterHello: return true;
    default: return op == Operation::Install;
  }
}

// The phone named itself and is heard no more: the transport keeps reading under its deadline, so
// the session ends when the phone gives up (or at --capf-io-timeout), with nothing recorded.
Step Engine::stall() {
  state_ = State::Stalled;
  Step s;
  s.effects.push_back(event(fmt::format("session sid={} operation={}", sid_, operation_name(device_.operation)),
                            "no answer to AuthResponse: injected capf-stall-after-hello"));
  return s;
}

Step Engine::drop_before_store() {
  state_ = State::Done;
  outcome_ = "closed after KeyGenResponse, before StoreCertRequest; no LSC issued, nothing recorded: injected "
             "capf-drop-before-store";
  ending_ = Ending::Failed;
  Step s;
  s.close = true;
  s.effects.push_back(event(fmt::format("session sid={} operation={}", sid_, operation_name(device_.operation)), outcome_));
  return s;
}

Result<signer::X509Ptr> Engine::issue_lsc_for(EVP_PKEY& phone_key) {
  std::string name = device_.name;
  std::time_t from = cfg_.now();
  int days = cfg_.lsc_days;
  X509* ca = cfg_.ca;
  EVP_PKEY* ca_key = cfg_.ca_key;
  std::string eku = signer::kLscExtendedKeyUsage;
  switch (device_.fault) {
    case SessionFault::LscWrongCn: name = kFaultOtherDevice; break;
    case SessionFault::LscExpired:
      from -= 2 * 86'400;  // valid for one day, ended yesterday
      days = 1;
      break;
    case SessionFault::LscWrongEku: eku = kEkuWithoutClientAuth; break;
    case SessionFault::LscUnknownCa:
      if (!cfg_.stranger_ca || !cfg_.stranger_ca_key) {
        return make_error(Errc::Internal, "capf-lsc-unknown-ca is armed but this server has no stranger CA");
      }
      ca = cfg_.stranger_ca;
      ca_key = cfg_.stranger_ca_key;
      break;
    default: break;
  }
  return signer::issue_lsc(name, phone_key, *ca, *ca_key, days, from, cfg_.serial(), eku);
}

}  // namespace cucm::capf

// A phone asking TVS about a certificate it cannot verify with its ITL (PROTOCOLS §4): the signer
// of a new ITL, a CAPF or HTTPS server certificate. It asks the TVS servers of its last config in
// turn, trusts a server only if its certificate is a TVS certificate of the ITL it holds, and
// remembers a valid answer for its TTL.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "core/bytes.hpp"
#include "phone/boot.hpp"
#include "phone/tvs_memory.hpp"
#include "signer/trust_list.hpp"

namespace cucm::phone {

// A ladder line: from, to, protocol, what, why, and the message's bytes when it is one.
using LadderFn = std::function<void(std::string, std::string, std::string, std::string, std::string, Bytes)>;

struct TvsCheck {
  const BootOptions& opts;
  TvsMemory& memory;           // saved to opts.state_dir after a new answer
  const signer::TrustList& itl;  // the ITL the phone trusts now
  LadderFn ladder;
  // Names what TVS did wrong as the fault catalog names its cause (Booter::noticed): no answer in
  // time, a certificate of the phone's own ITL called invalid, roles that do not fit. May be empty.
  std::function<void(const std::string&, std::string)> noticed;
};

// True when TVS, or an answer remembered from it, vouches for `der` in one of `acceptable` roles.
// Otherwise `why` says what failed (no TVS known, none reachable, the answer invalid, a role that
// does not fit). Only an answer that vouches is remembered.
bool tvs_vouches(const TvsCheck& c, ByteView der, std::span<const signer::Role> acceptable, std::string& why);

}  // namespace cucm::phone

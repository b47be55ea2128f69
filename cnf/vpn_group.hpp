// A full config's <vpnGroup>, as a phone reads it before it connects to the VPN headend (seed 001).
#pragma once

#include <optional>
#include <string_view>

#include "cnf/full_config.hpp"
#include "cnf/xml.hpp"

namespace cucm::cnf {

// url1, hashAlg (0 when absent, as the seed's only value) and certHash1 ... certHash10 (index
// N-1, "" for one that is absent; trailing absent ones dropped). nullopt when `device` has no
// vpnGroup. InvalidArgument when hashAlg is not a number.
Result<std::optional<VpnGroup>> read_vpn_group(xmlNode* device);
// The same from a config's text; InvalidArgument for XML that does not parse too.
Result<std::optional<VpnGroup>> read_vpn_group(std::string_view xml);

}  // namespace cucm::cnf

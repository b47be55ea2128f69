// The companion partial SEP<MAC>.cnf.xml.sgn payload served while TFTP encrypted config is on
// (PROTOCOLS §5.3), and the top-level fields a phone reads to decide what to do (§6.2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cnf/full_config.hpp"
#include "core/result.hpp"

namespace cucm::cnf {

// From a full config: <device> with fullConfig=false; then those of ipAddressMode,
// loadInformation, capfAuthMode and capfList present in the full config, in its order, with
// their children; certHash = `cert_hash` (MD5 hex, empty when no key is on record);
// encrConfig=true. InvalidArgument when the input is not XML with a <device> root, or the hash is
// neither empty nor 32 lowercase hex digits.
Result<std::string> make_partial_config(std::string_view full_xml, std::string_view cert_hash);
// The same bytes as make_partial_config(build_full_config(c), cert_hash), without serialising the
// full config and parsing it back. Errors as either.
Result<std::string> build_partial_config(const PhoneConfig& c, std::string_view cert_hash);

// What a phone reads from the top level of a config before deciding (PROTOCOLS §6.2).
struct ConfigDecisionFields {
  bool full_config = false;   // true only for exactly "true"
  std::optional<int> capf_auth_mode;
  std::string cert_hash;
  bool encr_config = false;
  std::string capf_host;      // capfList/capf/processNodeName
  int capf_port = 0;          // capfList/capf/phonePort
};
// InvalidArgument when the XML is malformed or the root is not <device>.
Result<ConfigDecisionFields> read_decision_fields(std::string_view xml);

}  // namespace cucm::cnf

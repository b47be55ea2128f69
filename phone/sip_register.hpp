// What a SIP phone's full config says about registering (PROTOCOLS §2; cnf/full_config.cpp writes
// it): where its call manager is, over which transport, and its lines with their credentials.
// The registration itself is Booter::register_lines (sip_register.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <libxml/tree.h>

#include "sip/proto/registrar.hpp"

namespace cucm::phone {

struct SipLineConfig {
  int index = 1;
  std::string name;  // the directory number: the REGISTER's To user
  std::string auth_name, auth_password;
};

struct SipPlan {
  std::string host;  // the first call manager's processNodeName (priority 0)
  std::uint16_t sip_port = 5060, sip_tls_port = 5061;
  int security_mode = 1;   // deviceSecurityMode: 1 non-secure, 2 authenticated, 3 encrypted
  int transport_code = 2;  // transportLayerProtocol: 1 TCP, 2 UDP, 3 TLS
  std::vector<SipLineConfig> lines;
};

// The plan of a full config's root (<device>). A config without a sipProfile (SCCP) has no lines.
// InvalidArgument naming the element for a port that is not one.
Result<SipPlan> read_sip_plan(xmlNode* root);

// The transport a plan asks for: TLS for transportLayerProtocol 3 or a secure profile (which
// needs TLS whatever the code says), TCP for 1, else UDP.
sip::Transport plan_transport(const SipPlan& p);

}  // namespace cucm::phone

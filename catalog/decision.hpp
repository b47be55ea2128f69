// What each requested name yields, as one pure function of the database state: the rule a real
// cluster's TFTP service follows (seed 004, PROTOCOLS §1 and §8.1), testable without I/O.
#pragma once

#include <optional>
#include <string>

#include "catalog/file_name.hpp"

namespace cucm::catalog {

enum class Variant {
  NotFound,
  Itl,
  Ctl,
  FullConfig,           // SEP<MAC>.cnf.xml, unsigned
  FullConfigSigned,     // SEP<MAC>.cnf.xml.sgn with fullConfig true
  PartialConfigSigned,  // SEP<MAC>.cnf.xml.sgn with fullConfig false, certHash, encrConfig true
  EncryptedConfig,      // SEP<MAC>.cnf.xml.enc.sgn
  XmlDefault,
  XmlDefaultSigned,
  Static,               // a file from the static directory, if it is there
};
const char* variant_name(Variant v);

// What the decision needs to know about a device the database has.
struct DeviceFacts {
  int security_mode = 1;     // 1 non-secure, 2 authenticated, 3 encrypted
  bool tftp_encrypted = false;
  bool key_on_record = false;
  // The key on record is RSA: an EC key cannot wrap the config's AES key (how CUCM does it for
  // an EC LSC is not known, PROTOCOLS §9.10), so no .enc.sgn can be made for it.
  bool key_wraps = true;
};

struct Decision {
  Variant variant;
  std::string rule;  // why, in words an administrator understands
};

Decision decide(const RequestedFile& file, const std::optional<DeviceFacts>& device, bool mixed_mode);

}  // namespace cucm::catalog

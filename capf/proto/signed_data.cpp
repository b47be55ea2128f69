// What a phone signs to prove it holds a key (PROTOCOLS §3.5): the payloads, built byte for
// byte as the phone builds them, for the phone simulator to sign and the engine to verify.
#include "capf/proto/message.hpp"

namespace cucm::capf {

Bytes auth_signed_data(std::string_view device, ByteView certificate_der) {
  Bytes d(device.begin(), device.end());
  d.push_back(0);
  d.insert(d.end(), certificate_der.begin(), certificate_der.end());
  return d;
}

Bytes sudi_signed_data(std::uint32_t sid, ByteView sudi_der) {
  Bytes d{static_cast<std::uint8_t>(sid), static_cast<std::uint8_t>(sid >> 8), static_cast<std::uint8_t>(sid >> 16),
          static_cast<std::uint8_t>(sid >> 24)};
  d.insert(d.end(), sudi_der.begin(), sudi_der.end());
  return d;
}

}  // namespace cucm::capf

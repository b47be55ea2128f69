// What a phone keeps across reboots, in its own folder: MIC, LSC and the trust lists it accepted.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "phone/capf_client.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::phone {

struct PhoneState {
  std::filesystem::path dir;
  std::optional<PhoneIdentity> mic;
  std::optional<PhoneIdentity> lsc;
  std::optional<Bytes> itl;  // the trusted ITL
  std::optional<Bytes> ctl;
};

// Loads `<dir>` (created if missing). With no MIC there, makes one for `device` over a new
// RSA-2048 key, as a stand-in for a Cisco MIC: issued by `manufacturer`, or self-signed without
// one (CAPF then refuses to record it). A self-signed MIC that this simulator made before it had
// a manufacturer is re-issued by `manufacturer` over the same key.
Result<PhoneState> load_state(const std::filesystem::path& dir, const std::string& device,
                              const signer::LabManufacturer* manufacturer = nullptr);
Status save_lsc(PhoneState& s);  // writes lsc.pem/lsc.key, or removes them when there is none
Status save_trust(const PhoneState& s);
// Forgets every trust list and TVS memory, as Settings > Security > Reset does on a phone: the next
// ITL is trusted on first use. Keeps the MIC and LSC.
Status reset_trust(PhoneState& s);
// Imports a MIC (certificate + key PEM) into the state, replacing the made-up one.
Status import_mic(PhoneState& s, ByteView cert_pem, ByteView key_pem);

}  // namespace cucm::phone

// The decision table.
#include "catalog/decision.hpp"

namespace cucm::catalog {

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::NotFound: return "not-found";
    case Variant::Itl: return "itl";
    case Variant::Ctl: return "ctl";
    case Variant::FullConfig: return "full";
    case Variant::FullConfigSigned: return "full-signed";
    case Variant::PartialConfigSigned: return "partial";
    case Variant::EncryptedConfig: return "enc";
    case Variant::XmlDefault: return "xmldefault";
    case Variant::XmlDefaultSigned: return "xmldefault-signed";
    case Variant::Static: return "static";
  }
  return "unknown";
}

Decision decide(const RequestedFile& file, const std::optional<DeviceFacts>& device, bool mixed_mode) {
  switch (file.kind) {
    case FileKind::Itl:
      return {Variant::Itl, "every phone gets the cluster ITL (ITLRecovery, CallManager, CAPF, TVS, HTTPS), signed as cluster itl_signer says"};
    case FileKind::Ctl:
      if (!mixed_mode) return {Variant::NotFound, "CTL files exist only in mixed mode (cluster mixed_mode is 0)"};
      return {Variant::Ctl, "mixed mode: the CTL lists SAST, CallManager and CAPF"};
    case FileKind::XmlDefault:
      return {Variant::XmlDefault, "default config for devices the cluster does not know (auto-registration)"};
    case FileKind::XmlDefaultSgn:
      return {Variant::XmlDefaultSigned, "signed default config for devices the cluster does not know"};
    case FileKind::Other:
      return {Variant::Static, "not a config or trust-list name: looked up in the static directory"};
    case FileKind::Config:
    case FileKind::ConfigSgn:
    case FileKind::ConfigEncSgn:
      break;
  }
  if (!device) return {Variant::NotFound, "unknown device: the phone falls back to XMLDefault.cnf.xml"};
  const DeviceFacts& d = *device;
  switch (file.kind) {
    case FileKind::Config:
      if (d.tftp_encrypted) {
        return {Variant::NotFound, "TFTP encrypted config is on: the cleartext config is not served"};
      }
      return {Variant::FullConfig, "TFTP encrypted config is off: the full config"};
    case FileKind::ConfigSgn:
      if (!d.tftp_encrypted) return {Variant::FullConfigSigned, "TFTP encrypted config is off: the full config, signed"};
      if (!d.key_on_record) {
        return {Variant::PartialConfigSigned,
                "TFTP encrypted config is on: partial config with an empty certHash (no key on record: the phone "
                "goes to CAPF)"};
      }
      return {Variant::PartialConfigSigned,
              "TFTP encrypted config is on: partial config whose certHash is the MD5 of the certificate on record"};
    case FileKind::ConfigEncSgn:
      if (!d.tftp_encrypted) return {Variant::NotFound, "TFTP encrypted config is off for this device's profile"};
      if (!d.key_on_record) {
        return {Variant::NotFound, "no public key on record yet: the phone must complete CAPF first"};
      }
      if (!d.key_wraps) {
        return {Variant::NotFound,
                "the key on record is EC, and the config's AES key can only be wrapped for an RSA key: set the "
                "profile's key order to rsa and install an RSA LSC (capf schedule ... --operation install)"};
      }
      return {Variant::EncryptedConfig, "TFTP encrypted config is on and a key is on record: the encrypted full config"};
    default:
      break;
  }
  return {Variant::NotFound, "internal: unhandled file kind"};
}

}  // namespace cucm::catalog

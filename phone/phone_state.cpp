// Phone state files: mic.pem/mic.key, lsc.pem/lsc.key (0600 keys), itl.tlv, ctl.tlv.
#include "phone/phone_state.hpp"

#include <ctime>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::phone {
namespace fs = std::filesystem;
namespace {

Result<std::optional<PhoneIdentity>> load_pair(const fs::path& cert, const fs::path& key) {
  std::error_code ec;
  if (!fs::exists(cert, ec) || !fs::exists(key, ec)) return std::optional<PhoneIdentity>{};
  CUCM_TRY(Bytes c, read_file(cert));
  CUCM_TRY(Bytes k, read_file(key));
  PhoneIdentity id;
  CUCM_TRY(id.cert, signer::load_cert(c));
  CUCM_TRY(id.key, signer::load_private_key(k));
  return std::optional<PhoneIdentity>(std::move(id));
}

Status save_pair(const PhoneIdentity& id, const fs::path& cert, const fs::path& key) {
  CUCM_TRY(Bytes pem, signer::private_key_pem(*id.key));
  CUCM_CHECK(write_file_atomic(key, pem, 0600));
  return write_file_atomic(cert, signer::cert_pem(*id.cert));
}

Result<std::optional<Bytes>> load_optional(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::optional<Bytes>{};
  CUCM_TRY(Bytes b, read_file(p));
  return std::optional<Bytes>(std::move(b));
}

constexpr const char* kSimulatedOrganisation = "cucm-emu simulated manufacturing";

// Made by an earlier version of the simulator: self-signed, with our organisation.
bool is_old_simulated_mic(const X509& cert) {
  return signer::is_self_signed(cert) && signer::subject_name(cert).find("O=" + std::string(kSimulatedOrganisation)) != std::string::npos;
}

Result<signer::X509Ptr> make_mic(EVP_PKEY& key, const std::string& device, const signer::LabManufacturer* manufacturer) {
  if (manufacturer) return manufacturer->issue_mic(key, device, std::time(nullptr));
  signer::CertRequest req;
  req.subject = {{"CN", device}, {"O", kSimulatedOrganisation}};
  req.is_ca = false;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  return signer::make_self_signed(key, req);
}

}  // namespace

Result<PhoneState> load_state(const fs::path& dir, const std::string& device, const signer::LabManufacturer* manufacturer) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("phone: cannot create {}: {}", dir.string(), ec.message()));
  PhoneState s;
  s.dir = dir;
  CUCM_TRY(s.mic, load_pair(dir / "mic.pem", dir / "mic.key"));
  CUCM_TRY(s.lsc, load_pair(dir / "lsc.pem", dir / "lsc.key"));
  CUCM_TRY(s.itl, load_optional(dir / "itl.tlv"));
  CUCM_TRY(s.ctl, load_optional(dir / "ctl.tlv"));
  if (s.mic && manufacturer && is_old_simulated_mic(*s.mic->cert)) {
    CUCM_TRY(s.mic->cert, make_mic(*s.mic->key, device, manufacturer));
    CUCM_CHECK(save_pair(*s.mic, dir / "mic.pem", dir / "mic.key"));
  }
  if (!s.mic) {
    PhoneIdentity id;
    CUCM_TRY(id.key, signer::generate_key({}));
    CUCM_TRY(id.cert, make_mic(*id.key, device, manufacturer));
    CUCM_CHECK(save_pair(id, dir / "mic.pem", dir / "mic.key"));
    s.mic = std::move(id);
  }
  return s;
}

Status save_lsc(PhoneState& s) {
  if (!s.lsc) {
    std::error_code ec;
    fs::remove(s.dir / "lsc.pem", ec);
    fs::remove(s.dir / "lsc.key", ec);
    return Ok{};
  }
  return save_pair(*s.lsc, s.dir / "lsc.pem", s.dir / "lsc.key");
}

Status save_trust(const PhoneState& s) {
  if (s.itl) CUCM_CHECK(write_file_atomic(s.dir / "itl.tlv", *s.itl));
  if (s.ctl) CUCM_CHECK(write_file_atomic(s.dir / "ctl.tlv", *s.ctl));
  return Ok{};
}

Status reset_trust(PhoneState& s) {
  for (const char* f : {"itl.tlv", "ctl.tlv", "tvs.json"}) {
    std::error_code ec;
    fs::remove(s.dir / f, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("phone: cannot remove {}: {}", (s.dir / f).string(), ec.message()));
  }
  s.itl.reset();
  s.ctl.reset();
  return Ok{};
}

Status import_mic(PhoneState& s, ByteView cert_pem, ByteView key_pem) {
  PhoneIdentity id;
  CUCM_TRY(id.cert, signer::load_cert(cert_pem));
  CUCM_TRY(id.key, signer::load_private_key(key_pem));
  if (!signer::same_public_key(*X509_get0_pubkey(id.cert.get()), *id.key)) {
    return make_error(Errc::InvalidArgument, "phone: the MIC key does not match the MIC certificate");
  }
  CUCM_CHECK(save_pair(id, s.dir / "mic.pem", s.dir / "mic.key"));
  s.mic = std::move(id);
  return Ok{};
}

}  // namespace cucm::phone

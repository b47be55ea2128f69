#include "signer/lab_manufacturer.hpp"

#include <unistd.h>

#include <random>
#include <system_error>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {
namespace fs = std::filesystem;
namespace {

Result<LabManufacturer> load(const fs::path& dir) {
  CUCM_TRY(Bytes cert, read_file(dir / "ca.pem"));
  CUCM_TRY(Bytes key, read_file(dir / "ca.key"));
  LabManufacturer m;
  CUCM_TRY(m.cert, load_cert(cert));
  CUCM_TRY(m.key, load_private_key(key));
  if (!same_public_key(*X509_get0_pubkey(m.cert.get()), *m.key)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("lab manufacturing CA: {} does not match {}; remove the folder {} to make a new CA "
                                  "(simulated phones then need new MICs: remove their mic.pem)",
                                  (dir / "ca.key").string(), (dir / "ca.pem").string(), dir.string()));
  }
  return m;
}

// Made in a folder of its own and renamed into place: a second process racing this one either
// sees no CA or the whole of one, and the loser of the rename loads the winner's.
Result<LabManufacturer> create(const fs::path& data_dir, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  fs::path tmp = data_dir / fmt::format(".lab-manufacturing-{}-{}", ::getpid(), std::random_device{}());
  fs::create_directory(tmp, ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("lab manufacturing CA: cannot create {}: {}", tmp.string(), ec.message()));
  fs::permissions(tmp, fs::perms::owner_all, ec);
  auto made = [&]() -> Result<LabManufacturer> {
    LabManufacturer m;
    CUCM_TRY(m.key, generate_key({}));
    CUCM_TRY(m.cert, make_self_signed(*m.key, mkcert_profile(*m.key,
                                                             {{"CN", "cucm-emu Lab Manufacturing CA"},
                                                              {"O", "cucm-emu lab"},
                                                              {"OU", "simulated MICs"}},
                                                             7300, HashAlg::Sha256)));
    CUCM_TRY(Bytes key_pem, private_key_pem(*m.key));
    CUCM_CHECK(write_file_atomic(tmp / "ca.key", key_pem, 0600));
    CUCM_CHECK(write_file_atomic(tmp / "ca.pem", cert_pem(*m.cert)));
    return m;
  }();
  if (!made) {
    fs::remove_all(tmp, ec);
    return made;
  }
  fs::rename(tmp, dir, ec);
  if (ec) {  // another process made it first
    fs::remove_all(tmp, ec);
    return load(dir);
  }
  return made;
}

}  // namespace

fs::path LabManufacturer::folder(const fs::path& data_dir) { return data_dir / "lab-manufacturing"; }

Result<LabManufacturer> LabManufacturer::open(const fs::path& data_dir) {
  fs::path dir = folder(data_dir);
  std::error_code ec;
  bool present = fs::exists(dir / "ca.pem", ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("lab manufacturing CA: cannot check {}: {}", dir.string(), ec.message()));
  return present ? load(dir) : create(data_dir, dir);
}

Result<X509Ptr> LabManufacturer::issue_mic(EVP_PKEY& phone_key, const std::string& device, std::time_t now) const {
  CertRequest req;
  req.subject = {{"CN", device}, {"O", "cucm-emu lab manufacturing"}};
  req.is_ca = false;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  req.not_before = now;
  return issue_cert(phone_key, req, *cert, *key);
}

}  // namespace cucm::signer

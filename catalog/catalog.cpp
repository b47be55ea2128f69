// Building each variant on request. (Caching per config version comes with the servers.)
#include "catalog/catalog.hpp"

#include <ctime>

#include <fmt/format.h>

#include "cnf/full_config.hpp"
#include "cnf/partial_config.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/profile_store.hpp"
#include "db/settings_store.hpp"
#include "db/vpn_store.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"
#include "catalog/phone_config.hpp"

namespace cucm::catalog {
namespace {

std::uint32_t now() { return static_cast<std::uint32_t>(std::time(nullptr)); }

// Known device, or nullopt; errors other than "not found" propagate.
Result<std::optional<db::Device>> find_device(const db::Database& db, const std::string& name) {
  if (name.empty()) return std::optional<db::Device>{};
  auto d = db::DeviceStore(db).get(name);
  if (d) return std::optional<db::Device>(std::move(*d));
  if (d.error().code == Errc::NotFound) return std::optional<db::Device>{};
  return std::move(d).error();
}

// Static names are plain file names: no directories, no traversal, no control characters.
bool safe_static_name(std::string_view n) {
  if (n.empty() || n == "." || n == ".." || n.size() > 255) return false;
  for (char c : n) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Whether the device's recorded key is RSA, the only kind the config's AES key is wrapped for.
bool key_wraps(const db::Device& d) {
  if (!d.cert) return true;
  auto key = signer::load_public_key(d.cert->public_key);
  return key && signer::key_kind(**key) == signer::KeyKind::Rsa;
}

// A name in the static folder whose real path is still inside it: a symbolic link there that
// points elsewhere (/etc, the data folder's keys) is not served. Links within the folder are.
bool stays_inside(const std::filesystem::path& static_dir, std::string_view name) {
  std::error_code ec;
  auto root = std::filesystem::canonical(static_dir, ec);
  if (ec) return false;
  auto real = std::filesystem::canonical(static_dir / std::string(name), ec);
  if (ec) return true;  // not there: the open that follows says not found
  return real.parent_path() == root;
}

}  // namespace

Result<Decision> Catalog::decide_for(std::string_view name) const {
  RequestedFile file = classify(name);
  CUCM_TRY(auto settings, db::SettingsStore(db_).settings());
  CUCM_TRY(auto device, find_device(db_, file.device));
  std::optional<DeviceFacts> facts;
  if (device) {
    CUCM_TRY(auto profile, db::ProfileStore(db_).get(device->profile));
    facts = DeviceFacts{profile.security_mode, profile.tftp_encrypted, device->cert.has_value(), key_wraps(*device)};
  }
  return decide(file, facts, settings.mixed_mode);
}

Result<Bytes> Catalog::sign(ByteView payload, const std::string& filename) const {
  const auto& cm = pki_.identity(signer::PkiRole::CallManager);
  return signer::build_sgn(payload, {filename, opts_.hash, now()}, *cm.key, *cm.cert);
}

Result<Bytes> Catalog::trust_list(bool ctl, const std::string& filename) const {
  const auto& sast = pki_.identity(signer::PkiRole::ItlRecovery);
  auto entries = ctl ? pki_.ctl_entries() : pki_.itl_entries();
  signer::TrustListOptions o;
  o.filename = filename;
  o.hash = opts_.hash;
  o.timestamp = now();
  if (!ctl) {
    // ITL 1.1 (cluster set itl_version 1.1) is hashed with SHA-512 whatever --digest says: firmware
    // that reads 1.1 expects it, and fetches its config over HTTPS 6971 (PROTOCOLS §5.1, §8.1).
    CUCM_TRY(auto settings, db::SettingsStore(db_).settings());
    if (settings.itl_version == "1.1") {
      o.signer_version = {1, 1};
      o.hash = signer::HashAlg::Sha512;
    }
  }
  return signer::build_trust_list(entries, o, *sast.key, *sast.cert);
}

Result<Bytes> Catalog::static_file(std::string_view name) const {
  if (opts_.static_dir.empty() || !safe_static_name(name) || !stays_inside(opts_.static_dir, name)) {
    return make_error(Errc::NotFound, fmt::format("{}: not found", name));
  }
  auto bytes = read_file(opts_.static_dir / std::string(name));
  if (!bytes && bytes.error().code != Errc::ResourceExhausted) {
    return make_error(Errc::NotFound, fmt::format("{}: not found in the static directory", name));
  }
  return bytes;
}

Result<OpenedFile> open_static_file(const std::filesystem::path& static_dir, std::string_view name) {
  if (static_dir.empty() || !safe_static_name(name) || !stays_inside(static_dir, name)) {
    return make_error(Errc::NotFound, fmt::format("{}: not found", name));
  }
  auto file = open_regular_file(static_dir / std::string(name));
  if (!file) return make_error(Errc::NotFound, fmt::format("{}: not found in the static directory", name));
  return file;
}

Result<OpenedFile> Catalog::open_static(std::string_view name) const { return open_static_file(opts_.static_dir, name); }

Result<std::string> Catalog::full_config(std::string_view name) const {
  CUCM_TRY(auto d, db::DeviceStore(db_).get(name));
  CUCM_TRY(auto p, db::ProfileStore(db_).get(d.profile));
  CUCM_TRY(auto s, db::SettingsStore(db_).settings());
  std::optional<db::VpnGroup> vpn;
  if (!d.vpn_group.empty()) {
    CUCM_TRY(auto g, db::VpnStore(db_).get(d.vpn_group));
    vpn = std::move(g);
  }
  return cnf::build_full_config(phone_config(d, p, s, vpn));
}

// Just over 60 lines: one case per Variant, each a few lines, read best side by side with
// decision.cpp's table.
Result<Served> Catalog::fetch(std::string_view name) const {
  RequestedFile file = classify(name);
  CUCM_TRY(Decision decision, decide_for(name));
  Served out{{}, decision.variant, decision.rule, file.device};
  std::string n(name);
  switch (decision.variant) {
    case Variant::NotFound:
      return make_error(Errc::NotFound, fmt::format("{}: not found: {}", name, decision.rule));
    case Variant::Itl:
    case Variant::Ctl: {
      CUCM_TRY(out.bytes, trust_list(decision.variant == Variant::Ctl, n));
      return out;
    }
    case Variant::FullConfig: {
      CUCM_TRY(auto xml, full_config(file.device));
      out.bytes = to_bytes(xml);
      return out;
    }
    case Variant::FullConfigSigned: {
      CUCM_TRY(auto xml, full_config(file.device));
      CUCM_TRY(out.bytes, sign(as_bytes(xml), n));
      return out;
    }
    case Variant::PartialConfigSigned: {
      CUCM_TRY(auto xml, full_config(file.device));
      CUCM_TRY(auto d, db::DeviceStore(db_).get(file.device));
      CUCM_TRY(auto partial, cnf::make_partial_config(xml, d.md5hash));
      CUCM_TRY(out.bytes, sign(as_bytes(partial), n));
      return out;
    }
    case Variant::EncryptedConfig: {
      CUCM_TRY(auto xml, full_config(file.device));
      CUCM_TRY(auto d, db::DeviceStore(db_).get(file.device));
      CUCM_TRY(auto key, signer::load_public_key(d.cert->public_key));
      if (signer::key_kind(*key) != signer::KeyKind::Rsa) {
        return make_error(Errc::NotFound,
                          fmt::format("{}: not found: the key on record is {}; encrypted configs need an RSA key "
                                      "(how CUCM wraps for EC is unknown, PROTOCOLS §9.10)", name, signer::describe_key(*key)));
      }
      const auto& cm = pki_.identity(signer::PkiRole::CallManager);
      CUCM_TRY(out.bytes, signer::build_enc_sgn(as_bytes(xml), *key, {n, opts_.hash, now()}, *cm.key, *cm.cert));
      return out;
    }
    case Variant::XmlDefault:
    case Variant::XmlDefaultSigned: {
      CUCM_TRY(auto s, db::SettingsStore(db_).settings());
      CUCM_TRY(auto xml, cnf::build_xml_default(call_managers(s), tvs_members(s)));
      if (decision.variant == Variant::XmlDefault) {
        out.bytes = to_bytes(xml);
      } else {
        CUCM_TRY(out.bytes, sign(as_bytes(xml), n));
      }
      return out;
    }
    case Variant::Static: {
      CUCM_TRY(out.bytes, static_file(name));
      return out;
    }
  }
  return make_error(Errc::Internal, "catalog: unhandled variant");
}

}  // namespace cucm::catalog

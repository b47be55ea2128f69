// Building each variant on request; CachedCatalog keeps what is built per version.
#include "catalog/catalog.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "cnf/full_config.hpp"
#include "cnf/partial_config.hpp"
#include "core/file_io.hpp"
#include "db/device_view.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"
#include "catalog/phone_config.hpp"

namespace cucm::catalog {
namespace {

std::uint32_t now() { return static_cast<std::uint32_t>(std::time(nullptr)); }

// Known device, or nullopt; errors other than "not found" propagate.
Result<std::optional<db::DeviceView>> find_device(const db::Database& db, const std::string& name) {
  if (name.empty()) return std::optional<db::DeviceView>{};
  auto d = db::view_device(db, name);
  if (d) return std::optional<db::DeviceView>(std::move(*d));
  if (d.error().code == Errc::NotFound) return std::optional<db::DeviceView>{};
  return std::move(d).error();
}

// A device's config needs the VPN group it names (VpnStore::get's error when it is gone).
Status check_vpn(const db::DeviceView& v) {
  if (v.device.vpn_group.empty() || v.vpn) return Ok{};
  return make_error(Errc::NotFound, fmt::format("unknown vpn group '{}'", v.device.vpn_group));
}

// Static names are plain file names: no directories, no traversal, no control characters.
bool safe_static_name(std::string_view n) {
  if (n.empty() || n == "." || n == ".." || n.size() > 255) return false;
  for (char c : n) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// The device's key on record, parsed once for the decision and the .enc.sgn; nullptr when there
// is none or it does not parse.
signer::PkeyPtr key_on_record(const std::optional<db::DeviceView>& v) {
  if (!v || !v->device.cert) return nullptr;
  auto key = signer::load_public_key(v->device.cert->public_key);
  return key ? std::move(*key) : nullptr;
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

// The config model of a snapshot with a device; NotFound when its VPN group is gone.
Result<cnf::PhoneConfig> config_of(const Snapshot& s) {
  CUCM_CHECK(check_vpn(*s.device));
  return phone_config(s.device->device, s.device->profile, *s.settings.settings, s.device->vpn);
}

}  // namespace

const std::string& version_scope(const RequestedFile& file) {
  static const std::string kNone;
  switch (file.kind) {
    case FileKind::Config:
    case FileKind::ConfigSgn:
    case FileKind::ConfigEncSgn:
      return file.device;
    default:
      return kNone;
  }
}

std::string Snapshot::version() const {
  return fmt::format("{}/{}", settings.epoch, device ? device->device.config_version : -1);
}

// One read transaction for the epoch, the settings when they moved, and the device: one read
// lock, and no change can fall between them. It ends before anything is signed, so that a reader
// never holds the WAL's snapshot for the length of an RSA signature.
Result<Snapshot> Catalog::read(std::string_view name) const {
  Snapshot s;
  s.file = classify(name);
  CUCM_TRY(auto tx, db::ReadTransaction::begin(db_));
  CUCM_TRY(s.settings, settings_.get(db_));
  CUCM_TRY(s.device, find_device(db_, version_scope(s.file)));
  s.key = key_on_record(s.device);
  std::optional<DeviceFacts> facts;
  if (s.device) {
    const db::SecurityProfile& p = s.device->profile;
    bool on_record = s.device->device.cert.has_value();
    bool wraps = !on_record || (s.key && signer::key_kind(*s.key) == signer::KeyKind::Rsa);
    facts = DeviceFacts{p.security_mode, p.tftp_encrypted, on_record, wraps};
  }
  s.decision = decide(s.file, facts, s.settings.settings->mixed_mode);
  return s;
}

Result<Decision> Catalog::decide_for(std::string_view name) const {
  CUCM_TRY(Snapshot s, read(name));
  return std::move(s.decision);
}

Result<Served> Catalog::fetch(std::string_view name) const {
  CUCM_TRY(Snapshot s, read(name));
  return build(s);
}

Result<Bytes> Catalog::sign(ByteView payload, const std::string& filename) const {
  const auto& cm = pki_.identity(signer::PkiRole::CallManager);
  return signer::build_sgn(payload, {filename, opts_.hash, now()}, *cm.key, *cm.cert);
}

Result<Bytes> Catalog::trust_list(bool ctl, const std::string& filename, const db::ClusterSettings& settings,
                                  const TrustTweak& tweak) const {
  // The CTL is always signed by ITLRecovery here (a tokenless CTL, PROTOCOLS §5.5); the ITL by the
  // era's signer, and emptied of TFTP and TVS entries while the cluster prepares for rollback.
  signer::ItlLayout layout;
  if (!ctl && settings.itl_signed_by_callmanager) layout.signer = signer::PkiRole::CallManager;
  layout.rollback = !ctl && settings.rollback_prep;
  const auto& sast = pki_.identity(layout.signer);
  auto entries = ctl ? pki_.ctl_entries() : pki_.itl_entries(layout);
  std::erase_if(entries, [&](const signer::TrustEntry& e) {
    return std::find(tweak.without.begin(), tweak.without.end(), e.role) != tweak.without.end();
  });
  if (tweak.callmanager) {
    // Only the CCM+TFTP record: the SAST record of an ITL the CallManager certificate signs (before
    // 12.0) keeps the certificate phones already trust as the ITL's signer.
    for (auto& e : entries) {
      if (e.role == signer::Role::CcmTftp) e.cert = tweak.callmanager;
    }
  }
  signer::TrustListOptions o;
  o.filename = filename;
  o.hash = opts_.hash;
  o.timestamp = now();
  if (!ctl) {
    // ITL 1.1 (cluster set itl_version 1.1) is hashed with SHA-512 whatever --digest says: firmware
    // that reads 1.1 expects it, and fetches its config over HTTPS 6971 (PROTOCOLS §5.1, §8.1).
    if (settings.itl_version == "1.1") {
      o.signer_version = {1, 1};
      o.hash = signer::HashAlg::Sha512;
    }
  }
  if (tweak.signer) {
    // Another cluster's ITL, as a rogue TFTP server would serve it: its own signer as the SAST.
    std::erase_if(entries, [](const signer::TrustEntry& e) { return e.role == signer::Role::Sast; });
    entries.push_back({tweak.signer->cert.get(), signer::Role::Sast});
    return signer::build_trust_list(entries, o, *tweak.signer->key, *tweak.signer->cert);
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
  db::EpochSettings settings;
  std::optional<db::DeviceView> v;
  {
    CUCM_TRY(auto tx, db::ReadTransaction::begin(db_));
    CUCM_TRY(settings, settings_.get(db_));
    CUCM_TRY(v, db::view_device(db_, name));
  }
  CUCM_CHECK(check_vpn(*v));
  return cnf::build_full_config(phone_config(v->device, v->profile, *settings.settings, v->vpn));
}

// Just over 60 lines: one case per Variant, each a few lines, read best side by side with
// decision.cpp's table. Every per-device variant has its device: decide() says NotFound without.
Result<Served> Catalog::build(const Snapshot& s) const {
  const Decision& decision = s.decision;
  std::string_view name = s.file.name;
  Served out{{}, decision.variant, decision.rule, s.file.device};
  std::string n(name);
  switch (decision.variant) {
    case Variant::NotFound:
      return make_error(Errc::NotFound, fmt::format("{}: not found: {}", name, decision.rule));
    case Variant::Itl:
    case Variant::Ctl: {
      CUCM_TRY(out.bytes, trust_list(decision.variant == Variant::Ctl, n, *s.settings.settings, TrustTweak{}));
      return out;
    }
    case Variant::FullConfig: {
      CUCM_TRY(auto config, config_of(s));
      CUCM_TRY(auto xml, cnf::build_full_config(config));
      out.bytes = to_bytes(xml);
      return out;
    }
    case Variant::FullConfigSigned: {
      CUCM_TRY(auto config, config_of(s));
      CUCM_TRY(auto xml, cnf::build_full_config(config));
      CUCM_TRY(out.bytes, sign(as_bytes(xml), n));
      return out;
    }
    case Variant::PartialConfigSigned: {
      CUCM_TRY(auto config, config_of(s));
      CUCM_TRY(auto partial, cnf::build_partial_config(config, s.device->device.md5hash));
      CUCM_TRY(out.bytes, sign(as_bytes(partial), n));
      return out;
    }
    case Variant::EncryptedConfig: {
      CUCM_TRY(auto config, config_of(s));
      CUCM_TRY(auto xml, cnf::build_full_config(config));
      if (!s.key || signer::key_kind(*s.key) != signer::KeyKind::Rsa) {
        return make_error(Errc::NotFound,
                          fmt::format("{}: not found: the key on record is {}; encrypted configs need an RSA key "
                                      "(how CUCM wraps for EC is unknown, PROTOCOLS §9.10)", name,
                                      s.key ? signer::describe_key(*s.key) : "unreadable"));
      }
      const auto& cm = pki_.identity(signer::PkiRole::CallManager);
      CUCM_TRY(out.bytes, signer::build_enc_sgn(as_bytes(xml), *s.key, {n, opts_.hash, now()}, *cm.key, *cm.cert));
      return out;
    }
    case Variant::XmlDefault:
    case Variant::XmlDefaultSigned: {
      const db::ClusterSettings& settings = *s.settings.settings;
      CUCM_TRY(auto xml, cnf::build_xml_default(call_managers(settings), tvs_members(settings)));
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

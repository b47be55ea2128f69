// The catalog: one "file name -> bytes" service behind every protocol that serves phones, built
// from the database and signed with the cluster keys.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/file_io.hpp"
#include "core/result.hpp"
#include "cnf/full_config.hpp"
#include "db/device_view.hpp"
#include "db/settings_store.hpp"
#include "db/sqlite.hpp"
#include "fault/board.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/digest.hpp"
#include "catalog/decision.hpp"

namespace cucm::catalog {

struct CatalogOptions {
  std::filesystem::path static_dir;          // firmware loads, ring lists...; empty = none
  signer::HashAlg hash = signer::HashAlg::Sha1;  // for .sgn, .enc.sgn and trust lists
};

struct Served {
  Bytes bytes;
  Variant variant = Variant::NotFound;
  std::string rule;
  std::string device;
};

// A static file of `static_dir` opened for streaming; NotFound when there is no such regular file
// or the name is not a plain file name.
Result<OpenedFile> open_static_file(const std::filesystem::path& static_dir, std::string_view name);

// The device whose record a name's bytes depend on: a config's (SEP<MAC>.cnf.xml...). Empty for
// every other name, ITLSEP<MAC>.tlv and CTLSEP<MAC>.tlv included: a trust list is the cluster's
// whatever the device, so deciding on one reads no device and its version is the epoch's alone.
const std::string& version_scope(const RequestedFile& file);

// What one decision read from the database: the name asked for, the settings and their epoch,
// the device with its profile, the key on record, and the decision. Everything a build needs.
struct Snapshot {
  RequestedFile file;
  db::EpochSettings settings;
  std::optional<db::DeviceView> device;  // the version_scope device, when the database knows it
  signer::PkeyPtr key;                   // the device's key on record, parsed; nullptr: none or unreadable
  Decision decision{Variant::NotFound, {}};
  // "epoch/config_version" ("epoch/-1" without a device): what the built bytes depend on.
  std::string version() const;
};

// One decision reads the database once, in one read transaction: the device with its profile
// (db::view_device), and the settings from a cache that one query on the cluster epoch keeps
// current. Used by one thread at a time, like its connection.
class Catalog {
 public:
  Catalog(const db::Database& db, const signer::ClusterPki& pki, CatalogOptions opts)
      : db_(db), pki_(pki), opts_(std::move(opts)) {}

  // The decision for a name, from the current database state.
  Result<Decision> decide_for(std::string_view name) const;
  // What the decision for `name` reads, from one snapshot of the database. Errors are SQLite's.
  Result<Snapshot> read(std::string_view name) const;
  // The bytes for a snapshot; reads the static folder for static names, never the database.
  // NotFound carries the rule; other errors are real failures (an EC key on record that cannot
  // be wrapped, a VPN group that is gone).
  Result<Served> build(const Snapshot& s) const;
  // read() then build().
  Result<Served> fetch(std::string_view name) const;
  // The bytes a file fault makes of the snapshot's file instead of the normal ones
  // (catalog/faulted.cpp); never cached. NotFound for enc-missing, as the normal build's NotFound.
  Result<Served> build_faulted(const Snapshot& s, const fault::Applied& f) const;
  // The full config of a known device, unsigned (what .enc.sgn encrypts).
  Result<std::string> full_config(std::string_view device) const;
  // A static file opened for streaming (HTTP sends it with sendfile, of any size), for names
  // classify() calls FileKind::Other. NotFound when there is no such regular file; the bytes are
  // those fetch() would return.
  Result<OpenedFile> open_static(std::string_view name) const;

 private:
  // A key and self-signed certificate no trust list holds, made on first use (a fault's signer).
  struct Stranger {
    signer::PkeyPtr key;
    signer::X509Ptr cert;
  };
  Result<const Stranger*> stranger() const;
  // Which records a trust list leaves out, who signs it instead of the era's signer, and what its
  // CCM+TFTP record holds instead of the CallManager certificate (faults).
  struct TrustTweak {
    std::vector<signer::Role> without;
    const Stranger* signer = nullptr;
    const X509* callmanager = nullptr;
  };
  Result<Bytes> trust_list(bool ctl, const std::string& filename, const db::ClusterSettings& settings,
                           const TrustTweak& tweak) const;
  // The ITL or CTL a trust-list fault makes (catalog/faulted_trust.cpp).
  Result<Bytes> faulted_trust_list(const Snapshot& s, const fault::Applied& f) const;
  Result<Bytes> faulted_config(const Snapshot& s, const fault::Applied& f) const;
  Result<Bytes> faulted_encrypted(const Snapshot& s, const fault::Applied& f) const;
  Result<Bytes> static_file(std::string_view name) const;
  Result<Bytes> sign(ByteView payload, const std::string& filename) const;

  const db::Database& db_;
  const signer::ClusterPki& pki_;
  CatalogOptions opts_;
  mutable db::SettingsCache settings_;
  mutable std::optional<Stranger> stranger_;  // one per catalog, like its connection: one thread
};

}  // namespace cucm::catalog

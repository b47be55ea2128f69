// The catalog: one "file name -> bytes" service behind every protocol that serves phones, built
// from the database and signed with the cluster keys.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/file_io.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
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

class Catalog {
 public:
  Catalog(const db::Database& db, const signer::ClusterPki& pki, CatalogOptions opts)
      : db_(db), pki_(pki), opts_(std::move(opts)) {}

  // The decision for a name, from the current database state.
  Result<Decision> decide_for(std::string_view name) const;
  // The bytes a phone gets for `name`. NotFound carries the rule; other errors are real failures
  // (a database error, an EC key on record that cannot be wrapped).
  Result<Served> fetch(std::string_view name) const;
  // The full config of a known device, unsigned (what .enc.sgn encrypts).
  Result<std::string> full_config(std::string_view device) const;
  // A static file opened for streaming (HTTP sends it with sendfile, of any size), for names
  // classify() calls FileKind::Other. NotFound when there is no such regular file; the bytes are
  // those fetch() would return.
  Result<OpenedFile> open_static(std::string_view name) const;

 private:
  Result<Bytes> trust_list(bool ctl, const std::string& filename) const;
  Result<Bytes> static_file(std::string_view name) const;
  Result<Bytes> sign(ByteView payload, const std::string& filename) const;

  const db::Database& db_;
  const signer::ClusterPki& pki_;
  CatalogOptions opts_;
};

}  // namespace cucm::catalog

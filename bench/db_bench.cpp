// Config builds per second through the catalog over a 10,000-device cluster database (full,
// partial signed, encrypted signed), the parts they are made of, and CSV bulk-import throughput
// (bench/README.md explains the figures).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cnf/full_config.hpp"
#include "cnf/partial_config.hpp"
#include "core/bytes.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "core/result.hpp"
#include "db/csv.hpp"
#include "db/device_store.hpp"
#include "db/event_writer.hpp"
#include "db/profile_store.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "db/sqlite.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/digest.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "catalog/catalog.hpp"
#include "catalog/phone_config.hpp"

namespace cucm::catalog {
namespace {
namespace fs = std::filesystem;

constexpr std::size_t kDevices = 10'000;
constexpr std::uint64_t kFirstMac = 0x001122000000;
// The encrypted-config profile serves .sgn as a partial config and .enc.sgn as the encrypted full
// config; the non-secure one serves .sgn as the full config, signed.
constexpr std::string_view kEncProfile = "Cisco 7942 - Standard SCCP Encrypted Config";
constexpr std::string_view kPlainProfile = "Cisco 7942 - Standard SCCP Non-Secure Profile";

std::string device_name(std::size_t i) { return fmt::format("SEP{:012X}", kFirstMac + i); }

// A BAT-style sheet in the export format: one row per device with its first line.
std::string make_csv(std::string_view profile) {
  std::string out(db::kCsvColumns);
  out.push_back('\n');
  for (std::size_t i = 0; i < kDevices; ++i) {
    out += fmt::format("{},Bench phone {},Cisco 7942,SCCP,{},,,{},Bench {},,,none,\n", device_name(i), i,
                       db::csv_escape(profile), 20000 + i, i);
  }
  return out;
}

// What `cucm-emu device import` does: read, parse, map rows to devices, add all in one transaction.
Result<std::size_t> import_csv_file(const db::Database& db, const fs::path& file) {
  CUCM_TRY(Bytes bytes, read_file(file));
  CUCM_TRY(auto rows, db::parse_csv(as_chars(bytes)));
  std::vector<db::RowError> errors;
  auto devices = db::devices_from_csv(rows, errors);
  auto first_error = [&](std::string_view what) {
    return make_error(Errc::InvalidArgument, fmt::format("bench: {}: row {}: {} ({} bad rows)", what, errors[0].row,
                                                         errors[0].message, errors.size()));
  };
  if (!errors.empty()) return first_error("csv");
  auto added = db::DeviceStore(db).add_all(devices, errors);
  if (!added && !errors.empty()) return first_error("import");
  return added;
}

// One phone certificate: RSA-2048 key generation per device would take minutes and measure
// nothing the catalog does, so every device gets the same certificate on record.
Result<db::RecordedCert> phone_record(EVP_PKEY& key) {
  signer::CertRequest req;
  req.subject = {{"CN", "SEP001122000000"}, {"O", "cucm-emu bench"}};
  req.is_ca = false;
  CUCM_TRY(auto cert, signer::make_self_signed(key, req));
  db::RecordedCert c;
  c.type = "MIC";
  c.der = signer::cert_der(*cert);
  CUCM_TRY(c.public_key, signer::public_key_spki_der(key));
  c.md5hash = signer::cert_md5_hex(*cert);
  c.serial = to_hex(signer::serial_bytes(*cert));
  c.issuer = signer::issuer_name(*cert);
  c.not_before = signer::format_utc(signer::not_before(*cert));
  c.not_after = signer::format_utc(signer::not_after(*cert));
  return c;
}

Status record_for_all(const db::Database& db, const db::RecordedCert& c) {
  CUCM_TRY(auto tx, db::Transaction::begin(db));
  db::DeviceStore store(db);
  for (std::size_t i = 0; i < kDevices; ++i) CUCM_CHECK(store.record_certificate(device_name(i), c));
  return tx.commit();
}

struct Fixture {
  fs::path dir;  // removed with the fixture, after the databases are closed
  std::optional<signer::ClusterPki> pki;
  signer::PkeyPtr phone_key;
  std::string md5hash;
  std::optional<db::Database> enc_db;    // every device on kEncProfile
  std::optional<db::Database> plain_db;  // the same devices on kPlainProfile
  fs::path enc_csv;                      // the sheet BM_CsvImport10k imports again
  std::vector<std::string> names, cnf_names, sgn_names, enc_names;

  ~Fixture() {
    enc_db.reset();
    plain_db.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

Result<db::Database> make_cluster_db(const fs::path& data_dir, const fs::path& csv_file, std::string_view profile,
                                     const db::RecordedCert& cert) {
  CUCM_CHECK(write_file_atomic(csv_file, as_bytes(make_csv(profile))));
  CUCM_TRY(auto db, db::open_cluster_db(data_dir));
  CUCM_TRY(std::size_t added, import_csv_file(db, csv_file));
  if (added != kDevices) {
    return make_error(Errc::Internal, fmt::format("bench: imported {} devices vs expected {}", added, kDevices));
  }
  CUCM_CHECK(record_for_all(db, cert));
  return db;
}

Status expect_variant(const Served& s, Variant v) {
  if (s.variant == v) return Ok{};
  return make_error(Errc::Internal,
                    fmt::format("bench: {} served as {} vs expected {}", s.device, variant_name(s.variant), variant_name(v)));
}

// Checked once before anything is timed: each variant is what a phone would accept.
Status check_outputs(const Fixture& f) {
  Catalog enc(*f.enc_db, *f.pki, {}), plain(*f.plain_db, *f.pki, {});
  CUCM_TRY(auto tftp_key, signer::cert_public_key(*f.pki->identity(signer::PkiRole::CallManager).cert));
  const std::size_t last = kDevices - 1;

  CUCM_TRY(Served partial, enc.fetch(f.sgn_names[last]));
  CUCM_CHECK(expect_variant(partial, Variant::PartialConfigSigned));
  CUCM_TRY(auto p, signer::parse_sgn(partial.bytes));
  CUCM_CHECK(signer::verify_signature(partial.bytes, p, *tftp_key));
  CUCM_TRY(auto fields, cnf::read_decision_fields(as_chars(signer::sgn_payload(partial.bytes, p))));
  if (fields.full_config || !fields.encr_config || fields.cert_hash != f.md5hash) {
    return make_error(Errc::Internal, "bench: the partial config lacks encrConfig or the recorded certHash");
  }

  CUCM_TRY(Served encrypted, enc.fetch(f.enc_names[last]));
  CUCM_CHECK(expect_variant(encrypted, Variant::EncryptedConfig));
  CUCM_TRY(auto e, signer::parse_enc_sgn(encrypted.bytes));
  CUCM_CHECK(signer::verify_signature(encrypted.bytes, e, *tftp_key));
  CUCM_TRY(Bytes plaintext, signer::decrypt_enc_sgn(encrypted.bytes, e, *f.phone_key));
  CUCM_TRY(std::string full, enc.full_config(f.names[last]));
  if (as_chars(plaintext) != full) return make_error(Errc::Internal, "bench: .enc.sgn does not decrypt to the full config");

  CUCM_TRY(Served full_signed, plain.fetch(f.sgn_names[last]));
  CUCM_CHECK(expect_variant(full_signed, Variant::FullConfigSigned));
  CUCM_TRY(auto s, signer::parse_sgn(full_signed.bytes));
  CUCM_CHECK(signer::verify_signature(full_signed.bytes, s, *tftp_key));
  CUCM_TRY(Served cleartext, plain.fetch(f.cnf_names[last]));
  return expect_variant(cleartext, Variant::FullConfig);
}

Result<std::unique_ptr<Fixture>> make_fixture() {
  auto f = std::make_unique<Fixture>();
  f->dir = fs::temp_directory_path() / fmt::format("cucm-db-bench-{}", ::getpid());
  std::error_code ec;
  fs::remove_all(f->dir, ec);
  CUCM_TRY(auto pki, signer::ClusterPki::load_or_create(f->dir, {}));
  f->pki.emplace(std::move(pki));
  CUCM_TRY(f->phone_key, signer::generate_key(signer::KeySpec{}));
  CUCM_TRY(auto cert, phone_record(*f->phone_key));
  f->md5hash = cert.md5hash;
  f->enc_csv = f->dir / "devices-enc.csv";
  CUCM_TRY(auto enc_db, make_cluster_db(f->dir / "enc", f->enc_csv, kEncProfile, cert));
  f->enc_db.emplace(std::move(enc_db));
  CUCM_TRY(auto plain_db, make_cluster_db(f->dir / "plain", f->dir / "devices-plain.csv", kPlainProfile, cert));
  f->plain_db.emplace(std::move(plain_db));
  for (std::size_t i = 0; i < kDevices; ++i) {
    f->names.push_back(device_name(i));
    f->cnf_names.push_back(f->names.back() + ".cnf.xml");
    f->sgn_names.push_back(f->names.back() + ".cnf.xml.sgn");
    f->enc_names.push_back(f->names.back() + ".cnf.xml.enc.sgn");
  }
  CUCM_CHECK(check_outputs(*f));
  return f;
}

// Made once per run: 20,000 imported devices and five RSA key generations.
const Fixture* fixture(benchmark::State& state) {
  static const Result<std::unique_ptr<Fixture>> f = make_fixture();
  if (!f) {
    state.SkipWithError(f.error().message.c_str());
    return nullptr;
  }
  return f->get();
}

// Runs `op(i)` for i cycling over the 10,000 devices; `op` returns a Result. The size of an output
// that has one (a file, a config) is reported as the "bytes" counter.
template <class Op>
void cycle(benchmark::State& state, Op op) {
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto out = op(i);
    if (!out) {
      state.SkipWithError(out.error().message.c_str());
      break;
    }
    if constexpr (requires { out->size(); }) bytes = out->size();
    benchmark::DoNotOptimize(*out);
    if (++i == kDevices) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  if (bytes) state.counters["bytes"] = static_cast<double>(bytes);
}

// A fresh database per iteration (created and migrated while the timer is paused); timed are the
// file read, parse, validation, 10,000 inserts with their lines in one transaction, and the close
// (a WAL checkpoint), i.e. what an administrator waits for. Wall-clock time, since it writes.
void BM_CsvImport10k(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  fs::path dir;
  int n = 0;
  std::error_code ec;
  for (auto _ : state) {
    state.PauseTiming();
    if (!dir.empty()) fs::remove_all(dir, ec);
    dir = f->dir / fmt::format("import-{}", n++);
    auto db = db::open_cluster_db(dir);
    if (!db) {
      state.SkipWithError(db.error().message.c_str());
      break;
    }
    state.ResumeTiming();
    auto added = import_csv_file(*db, f->enc_csv);
    if (!added || *added != kDevices) {
      state.SkipWithError(added ? "bench: short import" : added.error().message.c_str());
      break;
    }
  }  // `db` closes here, inside the timed region
  if (!dir.empty()) fs::remove_all(dir, ec);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kDevices));
}
BENCHMARK(BM_CsvImport10k)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

// The event log as the servers feed it: 20,000 events (one per request served) posted to an
// EventWriter, then its destructor, which writes what is still queued. Wall-clock time, so the
// writer thread's work is what is measured; the posting itself is a small part of it.
void BM_EventLog20k(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  constexpr int kEvents = 20'000;
  fs::path dir = f->dir / "events";
  std::error_code ec;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir, ec);
    if (!db::open_cluster_db(dir)) {
      state.SkipWithError("bench: cannot create the event database");
      break;
    }
    auto writer = db::EventWriter::start(dir, kEvents);
    if (!writer) {
      state.SkipWithError(writer.error().message.c_str());
      break;
    }
    state.ResumeTiming();
    for (int i = 0; i < kEvents; ++i) {
      db::Event e;
      e.source = fmt::format("127.0.0.1:{}", 40000 + i % 20000);
      e.service = "http";
      e.device = "SEP0011223344AA";
      e.what = "GET SEP0011223344AA.cnf.xml.sgn variant=full-signed bytes=10240";
      e.result = "ok";
      (*writer)->post(std::move(e));
    }
    bool dropped = (*writer)->dropped() != 0;
    writer->reset();
    if (dropped) {
      state.SkipWithError("bench: events dropped");
      break;
    }
  }
  fs::remove_all(dir, ec);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_EventLog20k)->Iterations(5)->UseRealTime()->Unit(benchmark::kMillisecond);

// The part of an import that touches no database: read, parse_csv, devices_from_csv.
void BM_CsvParse10k(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  for (auto _ : state) {
    auto bytes = read_file(f->enc_csv);
    auto rows = bytes ? db::parse_csv(as_chars(*bytes)) : Result<std::vector<std::vector<std::string>>>(bytes.error());
    if (!rows) {
      state.SkipWithError(rows.error().message.c_str());
      break;
    }
    std::vector<db::RowError> errors;
    auto devices = db::devices_from_csv(*rows, errors);
    benchmark::DoNotOptimize(devices.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kDevices));
}
BENCHMARK(BM_CsvParse10k)->Unit(benchmark::kMillisecond);

// What the catalog serves, per requested file name.
void BM_FullConfig(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  Catalog c(*f->enc_db, *f->pki, {});
  cycle(state, [&](std::size_t i) { return c.full_config(f->names[i]); });
}
BENCHMARK(BM_FullConfig);

void fetch_each(benchmark::State& state, bool encrypted_profile, std::vector<std::string> Fixture::*files) {
  const Fixture* f = fixture(state);
  if (!f) return;
  Catalog c(encrypted_profile ? *f->enc_db : *f->plain_db, *f->pki, {});
  cycle(state, [&](std::size_t i) -> Result<Bytes> {
    CUCM_TRY(Served s, c.fetch((f->*files)[i]));
    return std::move(s.bytes);
  });
}
void BM_FullUnsigned(benchmark::State& s) { fetch_each(s, false, &Fixture::cnf_names); }
void BM_FullSigned(benchmark::State& s) { fetch_each(s, false, &Fixture::sgn_names); }
void BM_PartialSigned(benchmark::State& s) { fetch_each(s, true, &Fixture::sgn_names); }
void BM_EncSigned(benchmark::State& s) { fetch_each(s, true, &Fixture::enc_names); }
BENCHMARK(BM_FullUnsigned);
BENCHMARK(BM_FullSigned);
BENCHMARK(BM_PartialSigned);
BENCHMARK(BM_EncSigned);

// The parts a fetch is made of, to split its time between the database, XML and RSA.
void BM_DeviceGet(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  db::DeviceStore store(*f->enc_db);
  cycle(state, [&](std::size_t i) { return store.get(f->names[i]); });
}
BENCHMARK(BM_DeviceGet);

void BM_DecideFor(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  Catalog c(*f->enc_db, *f->pki, {});
  cycle(state, [&](std::size_t i) { return c.decide_for(f->sgn_names[i]); });
}
BENCHMARK(BM_DecideFor);

// cnf::build_full_config alone, from records read once: the XML cost of a full config.
void BM_BuildFullConfig(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  auto d = db::DeviceStore(*f->enc_db).get(f->names[0]);
  auto p = d ? db::ProfileStore(*f->enc_db).get(d->profile) : Result<db::SecurityProfile>(d.error());
  auto s = db::SettingsStore(*f->enc_db).settings();
  if (!p || !s) {
    state.SkipWithError("bench: cannot read the device, profile or settings");
    return;
  }
  cnf::PhoneConfig config = phone_config(*d, *p, *s, std::nullopt);
  cycle(state, [&](std::size_t) { return cnf::build_full_config(config); });
}
BENCHMARK(BM_BuildFullConfig);

void BM_MakePartial(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  auto full = Catalog(*f->enc_db, *f->pki, {}).full_config(f->names[0]);
  if (!full) {
    state.SkipWithError(full.error().message.c_str());
    return;
  }
  cycle(state, [&](std::size_t) { return cnf::make_partial_config(*full, f->md5hash); });
}
BENCHMARK(BM_MakePartial);

// The recorded key as the catalog reads it for every .enc.sgn (PEM attempt, then DER).
void BM_LoadPublicKey(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  auto spki = signer::public_key_spki_der(*f->phone_key);
  if (!spki) {
    state.SkipWithError(spki.error().message.c_str());
    return;
  }
  cycle(state, [&](std::size_t) { return signer::load_public_key(*spki); });
}
BENCHMARK(BM_LoadPublicKey);

// The signer alone over a full config from the database: what is left of a fetch without the
// database, the XML and the key parsing.
void sign_full_config(benchmark::State& state, bool encrypt) {
  const Fixture* f = fixture(state);
  if (!f) return;
  auto full = Catalog(*f->enc_db, *f->pki, {}).full_config(f->names[0]);
  if (!full) {
    state.SkipWithError(full.error().message.c_str());
    return;
  }
  const auto& cm = f->pki->identity(signer::PkiRole::CallManager);
  cycle(state, [&](std::size_t i) {
    if (!encrypt) return signer::build_sgn(as_bytes(*full), {f->sgn_names[i], signer::HashAlg::Sha1, 0}, *cm.key, *cm.cert);
    return signer::build_enc_sgn(as_bytes(*full), *f->phone_key, {f->enc_names[i], signer::HashAlg::Sha1, 0}, *cm.key,
                                 *cm.cert);
  });
}
void BM_SgnBuild(benchmark::State& s) { sign_full_config(s, false); }
void BM_EncSgnBuild(benchmark::State& s) { sign_full_config(s, true); }
BENCHMARK(BM_SgnBuild);
BENCHMARK(BM_EncSgnBuild);

// One RSASSA-PKCS1-v1_5 signature with the CallManager key through the path build_sgn uses.
void BM_RsaSign2048(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  auto& key = *f->pki->identity(signer::PkiRole::CallManager).key;
  Bytes data(32, 0x5a);
  cycle(state, [&](std::size_t) { return signer::sign(key, signer::HashAlg::Sha1, data); });
}
BENCHMARK(BM_RsaSign2048);

}  // namespace
}  // namespace cucm::catalog

BENCHMARK_MAIN();

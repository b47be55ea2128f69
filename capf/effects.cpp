// The engine's requests against SQLite, the event log and the data folder.
#include "capf/effects.hpp"

#include <fmt/format.h>

#include "capf/issued_log.hpp"
#include "capf/recorded_cert.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "db/device_store.hpp"
#include "db/device_view.hpp"
#include "signer/cert.hpp"

namespace cucm::capf {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;  // clang 14 does not deduce aggregates without it

void write_troubleshoot_copy(const Context& ctx, const FetchedRecord& r) {
  // A copy for people and scripts; the database is the record, so no fsync on the I/O thread.
  auto dir = ctx.cfg.data_dir / "capf" / "troubleshoot";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto cert = signer::load_cert(r.der);
  Status st = cert ? write_file_atomic(dir / fmt::format("{}-{}.pem", r.device, cert_kind_name(r.kind)),
                                       signer::cert_pem(**cert), 0644, Sync::No)
                   : Status(cert.error());
  if (!st) log::get("capf")->warn("capf {}: {}", r.device, st.error().message);
}

void append_issued_copy(const Context& ctx, const IssuedRecord& r) {
  auto cert = signer::load_cert(r.der);
  Status st = cert ? append_issued(ctx.cfg.data_dir, r.device, r.serial, r.at, **cert) : Status(cert.error());
  if (!st) log::get("capf")->warn("capf {}: {}", r.device, st.error().message);
}

}  // namespace

namespace {

Result<DeviceFacts> read_device(Context& ctx, const std::string& raw) {
  auto name = db::normalise_device_name(raw);
  if (!name) return make_error(Errc::NotFound, "unknown device: " + raw);
  std::lock_guard lock(ctx.db_mutex);
  auto v = db::view_device(ctx.db, *name);  // the device and its profile in one query
  if (!v) {
    if (v.error().code == Errc::NotFound) return make_error(Errc::NotFound, "unknown device " + *name);
    return std::move(v).error();
  }
  const db::Device& d = v->device;
  const db::SecurityProfile& p = v->profile;
  DeviceFacts f;
  f.name = *name;
  CUCM_TRY(f.operation, parse_operation(d.capf.operation));
  f.auth_string = d.capf.auth_string;
  f.deadline = d.capf.deadline;
  CUCM_TRY(f.auth_mode, parse_auth_mode(p.capf_auth_mode));
  CUCM_TRY(f.key_order, parse_key_order(p.key_order));
  f.rsa_key_size = p.rsa_key_size;
  f.ec_key_size = p.ec_key_size;
  return f;
}

}  // namespace

Result<DeviceFacts> look_up_device(Context& ctx, const std::string& raw) {
  CUCM_TRY(DeviceFacts f, read_device(ctx, raw));
  if (!ctx.faults) return f;
  // A fault that cannot act on this session's operation is left armed for one that can.
  auto applied = ctx.faults->take(fault::Layer::Capf, f.name, [&](const fault::FaultSpec& s) {
    auto k = parse_session_fault(s.name);
    return k && session_fault_applies(*k, f.operation);
  });
  if (applied) {
    f.fault = *parse_session_fault(applied->spec->name);
    f.fault_reason = static_cast<std::uint8_t>(applied->param("reason"));
  }
  return f;
}

Status apply_commit(Context& ctx, const Commit& c) {
  db::CapfOutcome o;
  if (c.certificate == Commit::Certificate::Record) {
    X509* cert = c.parsed.get();
    signer::X509Ptr parsed_here;
    if (!cert) {
      CUCM_TRY(parsed_here, signer::load_cert(c.der));
      cert = parsed_here.get();
    }
    CUCM_TRY(o.recorded, recorded_cert(*cert, std::string(cert_kind_name(c.kind))));
    o.certificate = db::CapfOutcome::Certificate::Record;
  }
  if (c.certificate == Commit::Certificate::Clear) o.certificate = db::CapfOutcome::Certificate::Clear;
  o.status = status_text(c.status, c.failure);
  o.at = c.at;
  o.operation_done = c.operation_done;
  o.expected_operation = std::string(operation_name(c.started_with));
  std::lock_guard lock(ctx.db_mutex);
  return db::DeviceStore(ctx.db).apply_capf_outcome(c.device, o);
}

void record_effects(Context& ctx, const std::string& peer, const std::vector<Effect>& effects) {
  for (const auto& effect : effects) {
    std::visit(Overloaded{[&](const EventRecord& e) {
                            if (ctx.events) ctx.events->post("capf", peer, e.device, e.what, e.result);
                          },
                          [&](const IssuedRecord& r) { append_issued_copy(ctx, r); },
                          [&](const FetchedRecord& r) { write_troubleshoot_copy(ctx, r); }},
               effect);
  }
}

}  // namespace cucm::capf

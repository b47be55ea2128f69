// What every CAPF session shares: configuration, the CAPF CA, the trust store for existing
// certificates, a database connection of its own, and the event log.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "capf/proto/engine.hpp"
#include "core/repeat_limiter.hpp"
#include "db/event_writer.hpp"
#include "db/sqlite.hpp"
#include "fault/board.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/tls_keylog.hpp"

namespace cucm::capf {

struct CapfConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 3804;
  std::chrono::milliseconds io_timeout{10'000};  // per read, write and handshake
  std::size_t max_sessions = 256;                // concurrent; more are closed before AuthRequest
  std::size_t max_per_address = 32;              // concurrent sessions from one address (0: no cap)
  std::string tls_min = "1.2";                   // "1.0" for 79xx firmware (seed 004's capture)
  int lsc_days = 365;
  int max_in_progress = 3;                       // RequestInProgress messages accepted per key generation
  std::filesystem::path data_dir;                // issued LSCs go to <data_dir>/capf/issued
  // Trust the lab manufacturing CA that signs the simulator's MICs (signer/lab_manufacturer.hpp),
  // making it on first use. Off: only what the CAPF-trust store holds.
  bool trust_lab_manufacturer = true;
  // When set, every handshake's secrets are appended to it (serve --tls-keylog), for Wireshark.
  std::shared_ptr<signer::TlsKeyLog> tls_keylog;
};

struct Context {
  CapfConfig cfg;
  const signer::ClusterPki& pki;
  // CAs trusted for "By Existing Certificate" besides the CAPF CA: the CAPF-trust store (e.g.
  // Cisco manufacturing roots for MICs), read when the server starts.
  std::vector<signer::X509Ptr> trust;
  std::mutex db_mutex;  // sessions on several threads share this connection
  db::Database db;
  db::EventWriter* events = nullptr;
  // What every session's engine is given: filled by CapfServer::start() from the fields above,
  // with `verifier` (the CAPF CA and `trust`) for the phones' certificates.
  EngineConfig engine;
  signer::ChainVerifier verifier;
  // Warnings about refused handshakes, per client address: a flood of them is a few lines a minute.
  core::RepeatLimiter refusal_lines{{.per_window = 5, .window = std::chrono::seconds(60), .max_keys = 1024}};
  // The armed faults (issue 18), as serve sees them; null: none is applied.
  fault::Board* faults = nullptr;
};

}  // namespace cucm::capf

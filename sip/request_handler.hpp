// One SIP request in, its answer out, whatever the transport: the registrar's decision
// (sip/proto) with its lookups done and its effects applied (the binding written in one
// transaction, the event posted, the counters moved).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "db/event_writer.hpp"
#include "db/sqlite.hpp"
#include "sip/config.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::sip {

class RequestHandler {
 public:
  // `events` may be null; `stats` and `events` must outlive the handler.
  RequestHandler(const SipConfig& cfg, SipStats& stats, db::EventWriter* events);

  // The bytes to send back: a response, a bare 400 for a message that cannot be answered properly,
  // or nothing (ACK). `db` is the calling loop's connection. `malformed`, when given, is set for
  // a message that did not parse (a stream closes after answering it).
  std::string handle(std::string_view bytes, const Peer& peer, const db::Database& db, bool* malformed = nullptr);

 private:
  std::time_t now() const;
  Decision decide(const Message& m, const Peer& peer, const db::Database& db, const RegistrarConfig& rc);
  Decision registration(const Message& m, const Peer& peer, const db::Database& db, const RegistrarConfig& rc);
  void count(const Message& m, const Decision& d);

  const SipConfig& cfg_;
  SipStats& stats_;
  db::EventWriter* events_;
  Bytes nonce_secret_;  // random, this process's: nonces of a restarted server are stale
};

// "SIP/2.0 400 Bad Request" with a Warning and nothing copied: the answer to a message too broken
// to echo its Via.
std::string bare_bad_request(std::string_view why);

}  // namespace cucm::sip

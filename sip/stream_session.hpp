// A SIP connection over TCP or TLS: messages framed out of the stream, each answered before the
// next is read, CRLF keepalives answered, deadlines kept by the loop's sweep. Internal to the SIP
// server.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "db/sqlite.hpp"
#include "sip/config.hpp"
#include "sip/peer_check.hpp"
#include "sip/request_handler.hpp"

namespace cucm::sip {

// What a server and its connections share; connections keep it alive past the server, until the
// loops that run them are gone.
struct ServerState {
  ServerState(SipConfig c, db::EventWriter* e) : cfg(std::move(c)), events(e), handler(cfg, stats, e) {}
  SipConfig cfg;
  SipStats stats;
  db::EventWriter* events;
  RequestHandler handler;  // after cfg and stats, which it uses
  std::optional<PeerCheck> peers;  // set by start(): the TLS port's certificate checks
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_server};
  // One connection per loop, used only by that loop's thread.
  std::vector<std::pair<boost::asio::io_context*, db::Database>> dbs;

  const db::Database* db_of(const boost::asio::io_context& loop) const {
    for (const auto& [l, db] : dbs) {
      if (l == &loop) return &db;
    }
    return nullptr;
  }
};

struct StreamStart {
  boost::asio::ip::tcp::socket socket;
  std::string peer;  // ip:port
  std::shared_ptr<ServerState> state;
  std::shared_ptr<core::DeadlineSweep> sweep;
  core::AddressSlots::Lease slot;
};

void start_tls_session(StreamStart&& s);
void start_tcp_session(StreamStart&& s);

}  // namespace cucm::sip

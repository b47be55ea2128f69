// One HTTPS connection of the admin site: TLS handshake, requests read under the limits and
// answered (pages from web/assets, the API from web/api), kept alive, or turned into an event
// stream. Internal to the server.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "core/address_slots.hpp"
#include "core/tcp_listener.hpp"
#include "web/server.hpp"

namespace cucm::web {

void start_connection(std::shared_ptr<WebServer::State> state, core::TcpListener::Socket&& socket,
                      const boost::asio::ip::tcp::endpoint& peer, core::AddressSlots::Lease lease);

}  // namespace cucm::web

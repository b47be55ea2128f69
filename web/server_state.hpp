// What the admin site's connections share. Internal to the server.
#pragma once

#include <atomic>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/address_slots.hpp"
#include "core/log.hpp"
#include "web/api.hpp"
#include "web/event_hub.hpp"
#include "web/server.hpp"

namespace cucm::web {

struct WebServer::State {
  explicit State(WebConfig c) : cfg(std::move(c)), log(log::get("web")) {}
  WebConfig cfg;
  std::shared_ptr<spdlog::logger> log;
  WebStats stats;
  AdminIdentity identity;
  std::unique_ptr<boost::asio::ssl::context> tls;
  std::unique_ptr<ApiShared> shared;
  // One Api per loop, each with that loop's database connection.
  std::map<const boost::asio::io_context*, std::unique_ptr<Api>> apis;
  std::unique_ptr<EventHub> hub;
  std::shared_ptr<core::AddressSlots> per_address;
  std::atomic<std::size_t> connections{0};
};

}  // namespace cucm::web

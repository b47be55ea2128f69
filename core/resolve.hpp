// A host name or address literal to an IP address, for the clients (the phone simulator, the load
// generators): "localhost" and "cucm.lab" work as well as "127.0.0.1" and "::1".
#pragma once

#include <string>

#include <boost/asio/ip/address.hpp>

#include "core/result.hpp"

namespace cucm::core {

// The literal itself, else the first address the system resolver gives. NotFound naming the host
// when it does not resolve; never throws.
Result<boost::asio::ip::address> resolve_host(const std::string& host);

}  // namespace cucm::core

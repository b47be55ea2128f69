// A minimal HTTP/1.1 GET client (Boost.Beast) with a deadline, for the phone's downloads on 6970.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::phone {

// NotFound for 404, Unavailable for connection problems and other statuses, DeadlineExceeded.
// `source`: the local address to connect from (none: the system's choice).
Result<Bytes> http_get(const std::string& host, std::uint16_t port, const std::string& name,
                       std::chrono::milliseconds timeout, std::size_t max_size = 64u << 20,
                       const std::optional<boost::asio::ip::address>& source = std::nullopt);

}  // namespace cucm::phone

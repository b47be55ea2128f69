// Name resolution through the system resolver (getaddrinfo, so /etc/hosts counts).
#include "core/resolve.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

namespace cucm::core {

Result<boost::asio::ip::address> resolve_host(const std::string& host) {
  boost::system::error_code ec;
  auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) return literal;
  if (host.empty()) return make_error(Errc::InvalidArgument, "no host given");
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(host, "", ec);
  if (ec || results.empty()) {
    return make_error(Errc::NotFound, fmt::format("cannot resolve host '{}': {}", host,
                                                  ec ? ec.message() : std::string("no address")));
  }
  return results.begin()->endpoint().address();
}

}  // namespace cucm::core

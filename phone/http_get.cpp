// Beast client: connect, GET /name, read the response, each under one deadline.
#include "phone/http_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "core/resolve.hpp"

namespace cucm::phone {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<Bytes> http_get(const std::string& host, std::uint16_t port, const std::string& name,
                       std::chrono::milliseconds timeout, std::size_t max_size,
                       const std::optional<asio::ip::address>& source) {
  asio::io_context io;
  auto addr = core::resolve_host(host);
  if (!addr) return make_error(addr.error().code, "http: " + addr.error().message);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req(http::verb::get, "/" + name, 11);
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "cucm-emu-phone");
  http::response_parser<http::vector_body<std::uint8_t>> parser;
  parser.body_limit(max_size);
  beast::error_code result;
  if (source) {
    auto& socket = stream.socket();
    socket.open(source->is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), result);
    if (!result) socket.bind(asio::ip::tcp::endpoint(*source, 0), result);
    if (result) return make_error(Errc::Unavailable, fmt::format("http: cannot connect from {}: {}", source->to_string(), result.message()));
  }
  stream.expires_after(timeout);  // one deadline for the whole exchange
  stream.async_connect(asio::ip::tcp::endpoint(*addr, port), [&](beast::error_code e) {
    if (e) { result = e; return; }
    http::async_write(stream, req, [&](beast::error_code we, std::size_t) {
      if (we) { result = we; return; }
      http::async_read(stream, buffer, parser, [&](beast::error_code re, std::size_t) { result = re; });
    });
  });
  io.run();
  if (result == beast::error::timeout) {
    return make_error(Errc::DeadlineExceeded, fmt::format("http: GET {} timed out after {} ms", name, timeout.count()));
  }
  if (result) return make_error(Errc::Unavailable, fmt::format("http: GET {}: {}", name, result.message()));
  auto res = parser.release();
  if (res.result() == http::status::not_found) return make_error(Errc::NotFound, fmt::format("http: {}: 404 Not Found", name));
  if (res.result() != http::status::ok) {
    return make_error(Errc::Unavailable, fmt::format("http: {}: status {}", name, res.result_int()));
  }
  return std::move(res.body());
}

}  // namespace cucm::phone

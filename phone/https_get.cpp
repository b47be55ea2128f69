// Beast over TLS: connect, handshake, judge the certificate, GET /name, each under one deadline.
#include "phone/https_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "core/resolve.hpp"

namespace cucm::phone {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Runs the exchange on `io` until it ends or the stream's deadline passes.
struct Exchange {
  beast::ssl_stream<beast::tcp_stream>& stream;
  const std::function<Status(const X509&)>& accept_server;
  http::request<http::empty_body>& req;
  http::response_parser<http::vector_body<std::uint8_t>>& parser;
  beast::flat_buffer buffer;
  beast::error_code result;
  std::optional<Error> refused;

  void start(const asio::ip::tcp::endpoint& to) {
    beast::get_lowest_layer(stream).async_connect(to, [this](beast::error_code e) {
      if (e) { result = e; return; }
      stream.async_handshake(asio::ssl::stream_base::client, [this](beast::error_code he) {
        if (he) { result = he; return; }
        const X509* peer = SSL_get0_peer_certificate(stream.native_handle());
        auto ok = peer ? accept_server(*peer) : Status(make_error(Errc::Unauthenticated, "https: the server sent no certificate"));
        if (!ok) {
          refused = ok.error();
          beast::get_lowest_layer(stream).close();
          return;
        }
        http::async_write(stream, req, [this](beast::error_code we, std::size_t) {
          if (we) { result = we; return; }
          http::async_read(stream, buffer, parser, [this](beast::error_code re, std::size_t) { result = re; });
        });
      });
    });
  }
};

}  // namespace

Result<HttpsGot> https_get(const HttpsGetOptions& opts, const std::string& name,
                           const std::function<Status(const X509&)>& accept_server) {
  TlsSettings tls{opts.tls_min, opts.tls_max, opts.tls_ciphers};  // the firmware's TLS, as for CAPF
  CUCM_TRY(auto ctx, opts.tls_contexts ? opts.tls_contexts->get(tls) : make_client_tls(tls));
  auto addr = core::resolve_host(opts.host);
  if (!addr) return make_error(addr.error().code, "https: " + addr.error().message);
  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, *ctx);
  http::request<http::empty_body> req(http::verb::get, "/" + name, 11);
  req.set(http::field::host, opts.host);
  req.set(http::field::user_agent, "cucm-emu-phone");
  http::response_parser<http::vector_body<std::uint8_t>> parser;
  parser.body_limit(opts.max_size);
  if (opts.source) {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream).socket();
    socket.open(opts.source->is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), ec);
    if (!ec) socket.bind(asio::ip::tcp::endpoint(*opts.source, 0), ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("https: cannot connect from {}: {}", opts.source->to_string(), ec.message()));
  }
  beast::get_lowest_layer(stream).expires_after(opts.timeout);  // one deadline for the whole exchange
  Exchange x{stream, accept_server, req, parser, {}, {}, {}};
  x.start(asio::ip::tcp::endpoint(*addr, opts.port));
  io.run();
  if (x.refused) return std::move(*x.refused);
  if (x.result == beast::error::timeout) {
    return make_error(Errc::DeadlineExceeded, fmt::format("https: GET {} timed out after {} ms", name, opts.timeout.count()));
  }
  if (x.result) return make_error(Errc::Unavailable, fmt::format("https: GET {}: {}", name, x.result.message()));
  HttpsGot got;
  SSL* ssl = stream.native_handle();
  got.tls = fmt::format("{} {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
  auto res = parser.release();
  if (res.result() == http::status::not_found) return make_error(Errc::NotFound, fmt::format("https: {}: 404 Not Found", name));
  if (res.result() != http::status::ok) {
    return make_error(Errc::Unavailable, fmt::format("https: {}: status {}", name, res.result_int()));
  }
  got.body = std::move(res.body());
  return got;
}

}  // namespace cucm::phone

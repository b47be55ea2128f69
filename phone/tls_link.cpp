// Phone-side TLS over a blocking-looking sequence of Asio operations, each with a deadline.
#include "phone/tls_link.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "core/resolve.hpp"
#include "signer/tls_versions.hpp"

namespace cucm::phone {
namespace asio = boost::asio;
using asio::ip::tcp;

Result<std::shared_ptr<asio::ssl::context>> make_client_tls(const TlsSettings& s) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  CUCM_CHECK(signer::set_tls_min_version(*ctx->native_handle(), s.tls_min));
  CUCM_CHECK(signer::set_tls_max_version(*ctx->native_handle(), s.tls_max, s.tls_ciphers));
  return ctx;
}

Result<std::shared_ptr<asio::ssl::context>> ClientTlsContexts::get(const TlsSettings& s) {
  std::string key = s.tls_min + '|' + s.tls_max + '|' + s.tls_ciphers;
  std::lock_guard lock(mutex_);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  CUCM_TRY(auto ctx, make_client_tls(s));
  if (keylog_) signer::TlsKeyLog::attach(keylog_, *ctx->native_handle());
  contexts_.emplace(key, ctx);
  return ctx;
}

TlsLink::TlsLink(TlsLinkOptions o, std::shared_ptr<asio::ssl::context> tls)
    : o_(std::move(o)), tls_(std::move(tls)), stream_(io_, *tls_) {}

Status TlsLink::connect() {
  boost::system::error_code ec;
  auto addr = core::resolve_host(o_.host);
  if (!addr) return make_error(addr.error().code, fmt::format("{} client: {}", o_.service, addr.error().message));
  if (o_.source) {
    auto& socket = stream_.next_layer();
    socket.open(o_.source->is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec) socket.bind(tcp::endpoint(*o_.source, 0), ec);
    if (ec) {
      return make_error(Errc::Unavailable, fmt::format("{} client: cannot connect from {}: {}", o_.service,
                                                       o_.source->to_string(), ec.message()));
    }
  }
  CUCM_CHECK(await([&](auto done) { stream_.next_layer().async_connect(tcp::endpoint(*addr, o_.port), done); }, "connect"));
  stream_.next_layer().set_option(tcp::no_delay(true), ec);
  if (!o_.sni.empty()) {
    // SSL_set_tlsext_host_name without its macro's C cast.
    SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(o_.sni.c_str()));  // NOLINT: OpenSSL's signature; the name is only read
  }
  if (o_.client_cert && o_.client_key) {
    SSL* ssl = stream_.native_handle();
    if (SSL_use_certificate(ssl, o_.client_cert) != 1 || SSL_use_PrivateKey(ssl, o_.client_key) != 1) {
      return make_error(Errc::InvalidArgument, fmt::format("{} client: my certificate and key do not go together", o_.service));
    }
  }
  auto hs = await([&](auto done) { stream_.async_handshake(asio::ssl::stream_base::client, done); }, "TLS handshake");
  if (!hs && !o_.tls.tls_max.empty() && hs.error().code == Errc::Unavailable) {
    // Old firmware: say what it offered, since that is the usual reason.
    return make_error(Errc::Unavailable,
                      fmt::format("{} (this phone offers at most TLS {}{}; a server whose floor is higher refuses it: "
                                  "cucm-emu serve {} {})",
                                  hs.error().message, o_.tls.tls_max,
                                  o_.tls.tls_ciphers.empty() ? "" : " with " + o_.tls.tls_ciphers, o_.floor_flag,
                                  o_.tls.tls_max));
  }
  return hs;
}

X509* TlsLink::peer_certificate() { return SSL_get0_peer_certificate(stream_.native_handle()); }

std::string TlsLink::negotiated() {
  SSL* ssl = stream_.native_handle();
  return fmt::format("{} {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}

Status TlsLink::read_exact(std::span<std::uint8_t> into, const char* what) {
  return await([&](auto done) { asio::async_read(stream_, asio::buffer(into.data(), into.size()), done); }, what);
}

Result<std::size_t> TlsLink::read_some(std::span<std::uint8_t> into, const char* what) {
  std::size_t got = 0;
  CUCM_CHECK(await(
      [&](auto done) {
        stream_.async_read_some(asio::buffer(into.data(), into.size()), [&got, done](boost::system::error_code ec, std::size_t n) {
          got = n;
          done(ec, n);
        });
      },
      what));
  return got;
}

tcp::endpoint TlsLink::local_endpoint() const {
  boost::system::error_code ec;
  return stream_.next_layer().local_endpoint(ec);
}

Status TlsLink::write(ByteView bytes, const char* what) {
  return await([&](auto done) { asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), done); }, what);
}

void TlsLink::close() {
  boost::system::error_code ec;
  stream_.next_layer().close(ec);
}

// Starts an async operation and runs the io_context until it completes or the deadline passes.
template <class Start>
Status TlsLink::await(Start start, const char* what) {
  bool done = false;
  boost::system::error_code result;
  start([&](boost::system::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  io_.restart();
  io_.run_for(o_.timeout);
  if (!done) {
    close();
    io_.restart();
    io_.run();
    return make_error(Errc::DeadlineExceeded, fmt::format("{} client: {} timed out after {} ms", o_.service, what, o_.timeout.count()));
  }
  if (result) return make_error(Errc::Unavailable, fmt::format("{} client: {} failed: {}", o_.service, what, result.message()));
  return Ok{};
}

}  // namespace cucm::phone

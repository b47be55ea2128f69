// HTTPS sessions on TCP 6971: the same requests and answers as HTTP (http/session.cpp) over TLS
// with the cluster's EC certificate, a deadline on the handshake and on every read and write.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/http_session.hpp"
#include "http/session.hpp"

namespace cucm::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

// One TLS connection. beast::ssl_stream gathers the head and a small body into one TLS record
// (asio's stream alone writes one record per buffer). Static files are read from their
// descriptor in chunks and written through TLS: no sendfile, the bytes must be encrypted here.
class TlsSession final : public Session {
 public:
  TlsSession(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
             core::AddressSlots::Lease slot)
      : Session(shared, std::move(slot), shared->sweeps.of(socket.get_executor().context()), peer_text(peer)),
        stream_(std::move(socket), *shared->tls) {}

  // On the loop that accepted the connection, the only thread its handlers run on.
  void run() {
    start_reading();
    stream_.async_handshake(asio::ssl::stream_base::server, [self = self()](beast::error_code ec) {
      if (ec) {
        // A client that does not trust the certificate, speaks no TLS, or is below --https-tls-min:
        // counted, and one debug line (phones retry; a warning per attempt would flood the log).
        ++self->shared_->stats->handshake_failed;
        self->shared_->log->debug("https {}: TLS handshake failed: {}", self->peer_, ec.message());
        return self->close();
      }
      self->read();
    });
  }

  void expire() override {
    if (!is_open()) return;
    shared_->log->debug("https {}: no progress for {} ms, closing", peer_, shared_->cfg.io_timeout.count());
    close();  // the pending handshake, read or write ends with an error
  }

 private:
  std::shared_ptr<TlsSession> self() { return std::static_pointer_cast<TlsSession>(shared_from_this()); }

  void async_read_request() override {
    bhttp::async_read(stream_, buffer_, *parser_, [self = self()](beast::error_code ec, std::size_t) {
      // A TLS record that does not decrypt or parse: no HTTP answer can reach the peer.
      if (ec && ec.category() == asio::error::get_ssl_category()) return self->close();
      self->on_read(ec);
    });
  }

  bool is_open() const override { return stream_.next_layer().is_open(); }
  asio::any_io_executor executor() override { return stream_.get_executor(); }

  void write_response(std::string_view body) override {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(out_), asio::buffer(body.data(), body.size())};
    asio::async_write(stream_, buffers, [self = self()](boost::system::error_code ec, std::size_t n) {
      self->count_sent(n);
      self->written(ec);
    });
  }

  void write_file() override {
    touch();
    asio::async_write(stream_, asio::buffer(out_), [self = self()](boost::system::error_code ec, std::size_t n) {
      self->count_sent(n);
      if (ec) return self->written(ec);
      self->next_chunk();
    });
  }

  // pread on the loop: a chunk of a file the page cache most often holds, as nginx reads files
  // it must encrypt. The file's descriptor is shared and its offset never moved.
  void next_chunk() {
    if (file_left_ == 0) return written({});
    chunk_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, kChunk)));
    ssize_t n = 0;
    do {
      n = ::pread(file_->get(), chunk_.data(), chunk_.size(), file_offset_);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {  // an error, or the file shrank under us: the promised length cannot be sent
      shared_->log->warn("https {}: static file could not be read while being sent; closing", peer_);
      return written(asio::error::eof);
    }
    file_offset_ += n;
    file_left_ -= static_cast<std::uint64_t>(n);
    touch();
    asio::async_write(stream_, asio::buffer(chunk_.data(), static_cast<std::size_t>(n)),
                      [self = self()](boost::system::error_code ec, std::size_t sent) {
                        self->count_sent(sent);
                        if (ec) return self->written(ec);
                        self->next_chunk();
                      });
  }

  // close_notify, then the socket: the client sees a clean end of the last response. Bounded by
  // the same deadline as every write, so a client that never answers cannot hold its slot.
  void finish() override {
    touch();
    stream_.async_shutdown([self = self()](beast::error_code) { self->close(); });
  }

  void close() override {
    boost::system::error_code ec;
    stream_.next_layer().close(ec);
  }

  static constexpr std::size_t kChunk = 64 * 1024;  // bytes per pread and TLS write of a static file

  beast::ssl_stream<Socket> stream_;
  std::vector<char> chunk_;
};

}  // namespace

void start_tls_session(Socket&& socket, const tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
                       core::AddressSlots::Lease slot) {
  std::make_shared<TlsSession>(std::move(socket), peer, std::move(shared), std::move(slot))->run();
}

}  // namespace cucm::http

// A small HTTPS client for the admin site's tests: one request per connection (Boost.Beast over
// OpenSSL, the certificate checked against the site's own), and an event-stream reader.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace cucm::test {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by "\n"
  std::string error;                           // the transport's, when there is no reply
};

class HttpsClient {
 public:
  explicit HttpsClient(std::uint16_t port) : port_(port), tls_(boost::asio::ssl::context::tls_client) {
    tls_.set_verify_mode(boost::asio::ssl::verify_none);  // tests that check the certificate use curl
  }

  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {}) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    Reply out;
    try {
      boost::asio::io_context io;
      beast::ssl_stream<beast::tcp_stream> s(io, tls_);
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
      beast::get_lowest_layer(s).connect(
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
      s.handshake(boost::asio::ssl::stream_base::client);
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, "localhost");
      for (const auto& [k, v] : headers) req.set(k, v);
      if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (!headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
      }
      req.keep_alive(false);
      http::write(s, req);
      beast::flat_buffer buf;
      http::response_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      http::read(s, buf, parser);
      auto& res = parser.get();
      out.status = res.result_int();
      out.body = res.body();
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& slot = out.headers[name];
        slot += (slot.empty() ? "" : "\n") + std::string(f.value());
      }
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    return out;
  }

 private:
  std::uint16_t port_;
  boost::asio::ssl::context tls_;
};

// An event stream held open: the request is sent and the head read on construction; next()
// returns the next event block ("id: ...\nevent: ...\ndata: ...") or "" past the deadline.
class EventStream {
 public:
  EventStream(std::uint16_t port, const std::string& target, const std::map<std::string, std::string>& headers)
      : tls_(boost::asio::ssl::context::tls_client), s_(io_, tls_) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    tls_.set_verify_mode(boost::asio::ssl::verify_none);
    try {
      beast::get_lowest_layer(s_).expires_after(std::chrono::seconds(10));
      beast::get_lowest_layer(s_).connect(
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
      s_.handshake(boost::asio::ssl::stream_base::client);
      http::request<http::empty_body> req{http::verb::get, target, 11};
      req.set(http::field::host, "localhost");
      req.set(http::field::accept, "text/event-stream");
      for (const auto& [k, v] : headers) req.set(k, v);
      http::write(s_, req);
      auto end = read_until("\r\n\r\n", std::chrono::seconds(10));
      if (end == std::string::npos) return;
      head_ = pending_.substr(0, end);
      pending_.erase(0, end + 4);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  const std::string& head() const { return head_; }
  const std::string& error() const { return error_; }

  // The next block with a data line (comments are skipped).
  std::string next(std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      auto end = read_until("\n\n", left);
      if (end == std::string::npos) return "";
      std::string block = pending_.substr(0, end);
      pending_.erase(0, end + 2);
      if (block.find("data: ") != std::string::npos) return block;
    }
  }

 private:
  std::size_t read_until(const std::string& mark, std::chrono::milliseconds within) {
    namespace beast = boost::beast;
    while (true) {
      if (auto at = pending_.find(mark); at != std::string::npos) return at;
      char buf[4096];
      beast::get_lowest_layer(s_).expires_after(within);
      boost::system::error_code ec;
      std::size_t n = s_.read_some(boost::asio::buffer(buf), ec);
      if (ec) {
        error_ = ec.message();
        return std::string::npos;
      }
      pending_.append(buf, n);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> s_;
  std::string head_, pending_, error_;
};

}  // namespace cucm::test

// Stream framing.
#include "sip/proto/framer.hpp"

#include <fmt/format.h>

#include "sip/proto/message.hpp"

namespace cucm::sip {

Result<std::optional<Frame>> StreamFramer::next() {
  if (header_end_ == 0) {
    // Between messages: a CRLFCRLF is a keepalive ping; a lone CRLF before a start line is
    // ignored (RFC 3261 §7.5).
    while (buf_.starts_with("\r\n")) {
      if (buf_.starts_with("\r\n\r\n")) {
        buf_.erase(0, 4);
        return std::optional<Frame>(Frame{Frame::Kind::Ping, {}});
      }
      if (buf_.size() < 4 && std::string_view("\r\n\r\n").starts_with(buf_)) return std::optional<Frame>();
      buf_.erase(0, 2);
    }
    // 0x16 starts a TLS handshake record, never a SIP start line: a client that expected TLS
    // would otherwise wait for our deadline.
    if (!buf_.empty() && static_cast<unsigned char>(buf_.front()) == 0x16) {
      return make_error(Errc::InvalidArgument, "sip: a TLS handshake on a port without TLS (SIP over TLS is on --sip-tls-port)");
    }
    auto end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buf_.size() > kMaxHeaderBytes) {
        return make_error(Errc::ResourceExhausted,
                          fmt::format("sip: headers past {} bytes without a blank line", kMaxHeaderBytes));
      }
      return std::optional<Frame>();
    }
    if (end + 4 > kMaxHeaderBytes) {
      return make_error(Errc::ResourceExhausted, fmt::format("sip: headers of {} bytes vs at most {}", end + 4, kMaxHeaderBytes));
    }
    CUCM_TRY(body_, content_length_of(std::string_view(buf_).substr(0, end + 4)));
    header_end_ = end + 4;
  }
  if (buf_.size() < header_end_ + body_) return std::optional<Frame>();
  Frame f{Frame::Kind::Message, buf_.substr(0, header_end_ + body_)};
  buf_.erase(0, header_end_ + body_);
  header_end_ = 0;
  body_ = 0;
  return std::optional<Frame>(std::move(f));
}

}  // namespace cucm::sip

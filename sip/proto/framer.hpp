// Messages out of a byte stream (TCP, TLS): RFC 3261 §18.3 frames a message by its blank line
// and its Content-Length. Also RFC 5626's keepalive: a CRLFCRLF "ping" between messages, to be
// answered with a CRLF "pong". No I/O: bytes in, frames out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cucm::sip {

struct Frame {
  enum class Kind { Message, Ping };
  Kind kind = Kind::Message;
  std::string bytes;  // the whole message (headers, blank line, body); empty for a ping
};

class StreamFramer {
 public:
  // Appends bytes read from the stream.
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next whole frame; nullopt while more bytes are needed. An error when the stream cannot be
  // framed any further (headers past kMaxHeaderBytes, a Content-Length that is not a number or is
  // past kMaxBodyBytes): the caller answers 400 if it can and closes.
  Result<std::optional<Frame>> next();
  // Bytes of a message begun and not yet whole.
  std::size_t pending() const { return buf_.size(); }

 private:
  std::string buf_;
  std::size_t header_end_ = 0;  // past the blank line, once found; 0 while not
  std::size_t body_ = 0;        // the Content-Length of the message being read
};

}  // namespace cucm::sip

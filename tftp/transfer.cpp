// Transfer state machine.
#include "tftp/transfer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

namespace cucm::tftp {
namespace {

std::optional<std::uint64_t> to_u64(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

TransferOptions negotiate(const Request& req, std::size_t file_size, const TransferLimits& limits) {
  TransferOptions o;
  o.timeout = limits.default_timeout;
  for (const auto& [name, value] : req.options) {
    // An option repeated in one request is answered once, the first time (RFC 2347 allows each
    // option once; echoing both would give the client two values for one setting).
    bool answered = false;
    for (const auto& answer : o.oack) answered = answered || answer.first == name;
    auto v = to_u64(value);
    if (!v || answered) continue;
    if (name == "blksize" && *v >= 8 && *v <= 65464) {
      o.blksize = std::min<std::size_t>(*v, limits.max_blksize);
      o.oack.emplace_back(name, std::to_string(o.blksize));
    } else if (name == "timeout" && *v >= 1 && *v <= 255) {
      o.timeout = std::chrono::seconds(*v);
      o.oack.emplace_back(name, value);
    } else if (name == "tsize" && *v == 0) {
      o.oack.emplace_back(name, std::to_string(file_size));
    } else if (name == "windowsize" && *v >= 1 && *v <= 65535) {
      o.windowsize = static_cast<std::uint16_t>(std::min<std::uint64_t>(*v, limits.max_windowsize));
      o.oack.emplace_back(name, std::to_string(o.windowsize));
    }
  }
  return o;
}

Bytes to_netascii(ByteView data) {
  Bytes out;
  out.reserve(data.size() + data.size() / 16);
  for (auto c : data) {
    if (c == '\n') { out.push_back('\r'); out.push_back('\n'); }
    else if (c == '\r') { out.push_back('\r'); out.push_back(0); }
    else out.push_back(c);
  }
  return out;
}

TransferData::TransferData(std::shared_ptr<const Bytes> bytes) : bytes_(std::move(bytes)), size_(bytes_->size()) {}

TransferData::TransferData(std::shared_ptr<const FileHandle> file, std::uint64_t size)
    : file_(std::move(file)), size_(size) {}

bool TransferData::append(std::uint64_t offset, std::size_t n, Bytes& out) const {
  if (offset > size_ || n > size_ - offset) return false;
  if (bytes_) {
    auto begin = bytes_->begin() + static_cast<std::ptrdiff_t>(offset);
    out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(n));
    return true;
  }
  std::size_t at = out.size();
  out.resize(at + n);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(file_->get(), out.data() + at + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;  // an error, or the end came early: the file shrank
    got += static_cast<std::size_t>(r);
  }
  return true;
}

Transfer::Transfer(std::shared_ptr<const Bytes> data, TransferOptions opts, int max_retries)
    : Transfer(TransferData(std::move(data)), std::move(opts), max_retries) {}

Transfer::Transfer(TransferData data, TransferOptions opts, int max_retries)
    : data_(std::move(data)),
      opts_(std::move(opts)),
      max_retries_(max_retries),
      total_blocks_(data_.size() / opts_.blksize + 1),
      oack_pending_(!opts_.oack.empty()) {}

bool Transfer::data_packet(std::uint64_t block, Bytes& out) const {
  std::uint64_t begin = (block - 1) * opts_.blksize;
  std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(opts_.blksize, data_.size() - begin));
  // Block numbers wrap to 0 after 65535 (PROTOCOLS §8.2 [EMU]).
  out = build_data_head(static_cast<std::uint16_t>(block & 0xffff), len);
  return data_.append(begin, len, out);
}

void Transfer::send_window(Step& s, std::uint64_t from) {
  std::uint64_t last = std::min<std::uint64_t>(acked_ + opts_.windowsize, total_blocks_);
  for (std::uint64_t b = from; b <= last; ++b) {
    if (b <= highest_sent_) ++retransmitted_;
    Bytes packet;
    if (!data_packet(b, packet)) {
      s.send.clear();
      s.failed = true;
      s.error = "the file changed on the server during the transfer";
      return;
    }
    s.send.push_back(std::move(packet));
  }
  highest_sent_ = std::max(highest_sent_, last);
}

Transfer::Step Transfer::start() {
  Step s;
  if (oack_pending_) {
    s.send.push_back(build_oack(opts_.oack));
    return s;
  }
  send_window(s, 1);
  return s;
}

Transfer::Step Transfer::on_ack(std::uint16_t block) {
  Step s;
  if (oack_pending_) {
    if (block != 0) return s;  // only ACK 0 acknowledges the OACK
    oack_pending_ = false;
    retries_ = 0;
    send_window(s, 1);
    return s;
  }
  // Map the 16-bit number onto the outstanding range (acked_, highest_sent_]. Anything else is a
  // duplicate or stale ACK and sends nothing: resending on it doubles traffic for good.
  std::uint64_t distance = (static_cast<std::uint64_t>(block) - (acked_ & 0xffff)) & 0xffff;
  if (distance == 0 || acked_ + distance > highest_sent_) return s;
  acked_ += distance;
  retries_ = 0;
  if (acked_ == total_blocks_) {
    s.done = true;
    return s;
  }
  // In a window, an ACK short of the last block sent reports a gap (RFC 7440): resume after it.
  send_window(s, acked_ < highest_sent_ ? acked_ + 1 : highest_sent_ + 1);
  return s;
}

Transfer::Step Transfer::on_timeout() {
  Step s;
  if (++retries_ > max_retries_) {
    s.failed = true;
    return s;
  }
  if (oack_pending_) {
    s.send.push_back(build_oack(opts_.oack));
    return s;
  }
  send_window(s, acked_ + 1);
  return s;
}

}  // namespace cucm::tftp

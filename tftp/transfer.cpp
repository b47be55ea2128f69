// Transfer state machine.
#include "tftp/transfer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

#include <fmt/format.h>

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
    } else if (name == "timeout" && *v >= 1 && *v <= 255 && std::chrono::seconds(*v) <= limits.max_timeout) {
      o.timeout = std::chrono::seconds(*v);
      o.oack.emplace_back(name, value);
    } else if (name == "tsize" && *v == 0 && req.mode != "netascii") {
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

TransferData::TransferData(std::shared_ptr<const Bytes> bytes, Mode mode)
    : bytes_(std::move(bytes)), size_(bytes_->size()), mode_(mode) {
  if (mode_ == Mode::Netascii) cursors_.push_back(Cursor{});
}

TransferData::TransferData(std::shared_ptr<const FileHandle> file, std::uint64_t size, Mode mode)
    : file_(std::move(file)), size_(size), mode_(mode) {
  if (mode_ == Mode::Netascii) cursors_.push_back(Cursor{});
}

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

Result<std::size_t> TransferData::append_block(std::uint64_t block, std::size_t blksize, Bytes& out) {
  if (mode_ == Mode::Netascii) return append_netascii(block, blksize, out);
  std::uint64_t begin = (block - 1) * blksize;
  if (begin > size_) return make_error(Errc::Internal, fmt::format("tftp: block {} is past the end", block));
  auto len = static_cast<std::size_t>(std::min<std::uint64_t>(blksize, size_ - begin));
  if (!append(begin, len, out)) return make_error(Errc::Unavailable, "the file changed on the server during the transfer");
  return len;
}

Result<std::size_t> TransferData::append_netascii(std::uint64_t block, std::size_t blksize, Bytes& out) {
  if (cursors_.empty() || block < cursors_.front().block || block > cursors_.back().block) {
    return make_error(Errc::Internal, fmt::format("tftp: netascii block {} asked out of order", block));
  }
  Cursor at = cursors_[static_cast<std::size_t>(block - cursors_.front().block)];
  std::size_t start = out.size();
  auto produced = [&] { return out.size() - start; };
  if (at.pending >= 0) out.push_back(static_cast<std::uint8_t>(at.pending));
  at.pending = -1;
  // Each source byte gives one or two bytes: what is left of the block is enough source.
  auto need = static_cast<std::size_t>(std::min<std::uint64_t>(blksize - produced(), size_ - at.source));
  ByteView src;
  if (bytes_) {
    src = ByteView(*bytes_).subspan(static_cast<std::size_t>(at.source), need);
  } else {
    scratch_.clear();
    if (!append(at.source, need, scratch_)) {
      return make_error(Errc::Unavailable, "the file changed on the server during the transfer");
    }
    src = ByteView(scratch_);
  }
  for (std::size_t i = 0; i < src.size() && produced() < blksize; ++i) {
    std::uint8_t c = src[i];
    ++at.source;
    if (c != '\n' && c != '\r') {
      out.push_back(c);
      continue;
    }
    std::uint8_t second = c == '\n' ? '\n' : 0;
    out.push_back('\r');
    if (produced() < blksize) out.push_back(second);
    else at.pending = second;  // the block is full: the next one starts with it
  }
  at.block = block + 1;
  if (block == cursors_.back().block) cursors_.push_back(at);  // a new block: where the next starts
  return produced();
}

void TransferData::forget_before(std::uint64_t block) {
  // The newest cursor stays: it is where the next new block starts.
  while (cursors_.size() > 1 && cursors_.front().block < block) cursors_.pop_front();
}

Transfer::Transfer(std::shared_ptr<const Bytes> data, TransferOptions opts, int max_retries)
    : Transfer(TransferData(std::move(data)), std::move(opts), max_retries) {}

Transfer::Transfer(TransferData data, TransferOptions opts, int max_retries)
    : data_(std::move(data)),
      opts_(std::move(opts)),
      max_retries_(max_retries),
      total_blocks_(data_.length() ? *data_.length() / opts_.blksize + 1 : 0),
      oack_pending_(!opts_.oack.empty()) {}

Status Transfer::data_packet(std::uint64_t block, Bytes& out) {
  // Block numbers wrap to 0 after 65535 (PROTOCOLS §8.2 [EMU]).
  out = build_data_head(static_cast<std::uint16_t>(block & 0xffff), opts_.blksize);
  CUCM_TRY(std::size_t len, data_.append_block(block, opts_.blksize, out));
  if (len < opts_.blksize) total_blocks_ = block;  // the short block ends the stream
  return Ok{};
}

void Transfer::send_window(Step& s, std::uint64_t from) {
  std::uint64_t last = acked_ + opts_.windowsize;
  if (total_blocks_ != 0) last = std::min(last, total_blocks_);
  for (std::uint64_t b = from; b <= last; ++b) {
    if (b <= highest_sent_) ++retransmitted_;
    Bytes packet;
    if (auto st = data_packet(b, packet); !st) {
      s.send.clear();
      s.failed = true;
      s.error = st.error().message;
      return;
    }
    s.send.push_back(std::move(packet));
    highest_sent_ = std::max(highest_sent_, b);
    if (b == total_blocks_) break;  // learnt just now, for a netascii stream
  }
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
  data_.forget_before(acked_ + 1);
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

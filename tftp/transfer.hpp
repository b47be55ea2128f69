// One TFTP read transfer as a state machine (RFC 1350, 2347-2349, 7440): option negotiation,
// windows, block-number rollover, retransmission on timeout, and no resend on duplicate ACKs
// (the Sorcerer's Apprentice bug). Bytes in, packets out; the server moves them. A large static
// file is the one exception to "no I/O": its blocks are read with pread as they are sent.
// netascii is converted block by block as it is sent, never as a whole copy of the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/file_io.hpp"
#include "core/result.hpp"
#include "tftp/packet.hpp"

namespace cucm::tftp {

struct TransferLimits {
  std::size_t max_blksize = 65464;   // RFC 2348 maximum; lower it to stay under the path MTU
  std::uint16_t max_windowsize = 64;  // bounds the burst one client can ask for
  int max_retries = 5;
  std::chrono::milliseconds default_timeout{1000};
  // The longest `timeout` option accepted (RFC 2349: 1-255 s). A longer one is ignored (the
  // server keeps default_timeout): a transfer whose client went silent holds its slot for at
  // most max_timeout x (max_retries + 1), 60 s by default, not 255 s x 6.
  std::chrono::seconds max_timeout{10};
};

struct TransferOptions {
  std::size_t blksize = 512;
  std::uint16_t windowsize = 1;
  std::chrono::milliseconds timeout{1000};
  std::vector<std::pair<std::string, std::string>> oack;  // empty: no option accepted, start with DATA 1
};

// Accepts the options of `req` that are valid, clamped to `limits`; ignores the others (RFC 2347
// lets a server ignore any option; RFC 2349 wants a timeout acknowledged as asked, so one over
// limits.max_timeout is ignored, not lowered). `file_size` answers tsize in octet mode; a
// netascii transfer's size is known only once converted, so tsize is not answered for it (as
// tftp-hpa does).
TransferOptions negotiate(const Request& req, std::size_t file_size, const TransferLimits& limits);

// LF -> CR LF and CR -> CR NUL (RFC 1350 netascii), of a whole buffer: what TransferData's
// block-by-block conversion must add up to.
Bytes to_netascii(ByteView data);

enum class Mode { Octet, Netascii };

// What a transfer sends: bytes in memory (catalog artefacts, small static files), or an open
// file read one block at a time, so a firmware load of any size costs a block of memory; either
// as they are (octet) or converted to netascii a block at a time. Conversion grows the data, so
// a block of the converted stream does not start at blksize x n of the source: a cursor (source
// offset, and a CR's second byte left over for the next block) is kept for each block from the
// lowest one not yet acknowledged, which is all a window resend can ask for.
class TransferData {
 public:
  explicit TransferData(std::shared_ptr<const Bytes> bytes, Mode mode = Mode::Octet);
  TransferData(std::shared_ptr<const FileHandle> file, std::uint64_t size, Mode mode = Mode::Octet);
  std::uint64_t size() const { return size_; }  // of the source (the file)
  Mode mode() const { return mode_; }
  // The length of what is sent: size() in octet mode; unknown in netascii mode (the transfer
  // learns it at the short block that ends it).
  std::optional<std::uint64_t> length() const {
    return mode_ == Mode::Octet ? std::optional<std::uint64_t>(size_) : std::nullopt;
  }
  // Appends block `block` (from 1) of `blksize` bytes of the stream to `out`: blksize bytes, or
  // fewer for the last. Unavailable when the file no longer holds them (it was truncated after
  // the transfer began); Internal for a netascii block asked out of order (a block before the
  // lowest not forgotten, or past the next new one).
  Result<std::size_t> append_block(std::uint64_t block, std::size_t blksize, Bytes& out);
  // Blocks before `block` will not be asked for again (they are acknowledged).
  void forget_before(std::uint64_t block);

 private:
  bool append(std::uint64_t offset, std::size_t n, Bytes& out) const;  // source bytes, as they are
  Result<std::size_t> append_netascii(std::uint64_t block, std::size_t blksize, Bytes& out);

  struct Cursor {
    std::uint64_t block = 1;   // the netascii block that starts here
    std::uint64_t source = 0;  // at this offset of the source
    int pending = -1;          // the second byte of a CR LF or CR NUL cut by the block before, or -1
  };
  std::shared_ptr<const Bytes> bytes_;
  std::shared_ptr<const FileHandle> file_;
  std::uint64_t size_;
  Mode mode_;
  std::deque<Cursor> cursors_;  // netascii: one per block from the lowest not acknowledged
  Bytes scratch_;               // netascii from a file: the source bytes of one block
};

class Transfer {
 public:
  Transfer(std::shared_ptr<const Bytes> data, TransferOptions opts, int max_retries);
  Transfer(TransferData data, TransferOptions opts, int max_retries);

  struct Step {
    std::vector<Bytes> send;
    bool done = false;    // every block acknowledged
    bool failed = false;  // retries exhausted, or `error` says why
    std::string error;    // set when the transfer cannot go on for another reason than timeouts
  };

  Step start();                       // OACK, or the first window of DATA
  Step on_ack(std::uint16_t block);   // stale and duplicate ACKs send nothing
  Step on_timeout();                  // resend the unacknowledged window (or the OACK)

  // 0 while unknown: a netascii transfer learns it at its short block.
  std::uint64_t total_blocks() const { return total_blocks_; }
  std::uint64_t size() const { return data_.size(); }
  std::uint64_t acked() const { return acked_; }
  int retries() const { return retries_; }
  std::uint64_t retransmitted() const { return retransmitted_; }
  const TransferOptions& options() const { return opts_; }

 private:
  Status data_packet(std::uint64_t block, Bytes& out);
  void send_window(Step& s, std::uint64_t from);

  TransferData data_;
  TransferOptions opts_;
  int max_retries_;
  std::uint64_t total_blocks_;   // last block is short (possibly empty); 0 while unknown
  bool oack_pending_;
  std::uint64_t acked_ = 0;      // highest block acknowledged, counted from 1 without wrapping
  std::uint64_t highest_sent_ = 0;
  int retries_ = 0;
  std::uint64_t retransmitted_ = 0;
};

}  // namespace cucm::tftp

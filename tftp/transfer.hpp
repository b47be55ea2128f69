// One TFTP read transfer as a state machine (RFC 1350, 2347-2349, 7440): option negotiation,
// windows, block-number rollover, retransmission on timeout, and no resend on duplicate ACKs
// (the Sorcerer's Apprentice bug). Bytes in, packets out; the server moves them. A large static
// file is the one exception to "no I/O": its blocks are read with pread as they are sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
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
};

struct TransferOptions {
  std::size_t blksize = 512;
  std::uint16_t windowsize = 1;
  std::chrono::milliseconds timeout{1000};
  std::vector<std::pair<std::string, std::string>> oack;  // empty: no option accepted, start with DATA 1
};

// Accepts the options of `req` that are valid, clamped to `limits`; ignores the others (RFC 2347
// lets a server ignore any option). `file_size` answers tsize.
TransferOptions negotiate(const Request& req, std::size_t file_size, const TransferLimits& limits);

// LF -> CR LF and CR -> CR NUL (RFC 1350 netascii).
Bytes to_netascii(ByteView data);

// What a transfer sends: bytes in memory (catalog artefacts, small static files, netascii), or
// an open file read one block at a time, so a firmware load of any size costs a block of memory.
class TransferData {
 public:
  explicit TransferData(std::shared_ptr<const Bytes> bytes);
  TransferData(std::shared_ptr<const FileHandle> file, std::uint64_t size);
  std::uint64_t size() const { return size_; }
  // Appends bytes [offset, offset + n) to `out`; false when the file no longer holds them (it
  // was truncated after the transfer began).
  bool append(std::uint64_t offset, std::size_t n, Bytes& out) const;

 private:
  std::shared_ptr<const Bytes> bytes_;
  std::shared_ptr<const FileHandle> file_;
  std::uint64_t size_;
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

  std::uint64_t total_blocks() const { return total_blocks_; }
  std::uint64_t size() const { return data_.size(); }
  std::uint64_t acked() const { return acked_; }
  int retries() const { return retries_; }
  std::uint64_t retransmitted() const { return retransmitted_; }
  const TransferOptions& options() const { return opts_; }

 private:
  bool data_packet(std::uint64_t block, Bytes& out) const;
  void send_window(Step& s, std::uint64_t from);

  TransferData data_;
  TransferOptions opts_;
  int max_retries_;
  std::uint64_t total_blocks_;   // last block is short (possibly empty)
  bool oack_pending_;
  std::uint64_t acked_ = 0;      // highest block acknowledged, counted from 1 without wrapping
  std::uint64_t highest_sent_ = 0;
  int retries_ = 0;
  std::uint64_t retransmitted_ = 0;
};

}  // namespace cucm::tftp

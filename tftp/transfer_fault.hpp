// What an armed TFTP fault (issue 18) does to one transfer, without I/O: a DATA block left out or
// sent twice the first time it goes, an OACK that names a larger blksize than the client asked
// for, or how long every DATA block waits (the session holds it: the waiting is I/O). The transfer
// itself is unchanged, so its retransmission mends a dropped block as it mends a lost one.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "tftp/transfer.hpp"

namespace cucm::tftp {

class TransferFault {
 public:
  enum class Kind : std::uint8_t { None, DropBlock, DuplicateBlock, Delay };
  TransferFault() = default;
  // From a fault's name (tftp-drop-block, tftp-duplicate-block: `block` says which; tftp-delay:
  // `ms` says how long); any other name does nothing.
  TransferFault(std::string_view fault, std::int64_t block, std::int64_t ms = 0);

  // The packets a step sends, as the fault sends them (at most once per transfer). Unchanged
  // for tftp-delay, which changes when they go, not what goes.
  std::vector<Bytes> shape(std::vector<Bytes> packets);
  Kind kind() const { return kind_; }
  bool shapes() const { return kind_ == Kind::DropBlock || kind_ == Kind::DuplicateBlock; }  // shape() changes packets
  // How long a step that carries DATA waits before it is sent (tftp-delay); 0 for the others.
  std::chrono::milliseconds delay() const { return delay_; }

 private:
  Kind kind_ = Kind::None;
  std::uint16_t block_ = 0;
  std::chrono::milliseconds delay_{0};
  bool used_ = false;
};

// tftp-blksize-mismatch: the OACK names twice the blksize negotiated (at most RFC 2348's 65464),
// while the blocks keep the negotiated size. Nothing when no blksize was accepted.
void announce_larger_blksize(TransferOptions& o);

// Whether any of `packets` is a DATA packet: what tftp-delay holds back (an OACK or an ERROR
// goes at once).
bool carries_data(const std::vector<Bytes>& packets);

}  // namespace cucm::tftp

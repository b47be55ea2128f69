// What an armed TFTP fault (issue 18) does to one transfer, without I/O: a DATA block left out or
// sent twice the first time it goes, or an OACK that names a larger blksize than the client asked
// for. The transfer itself is unchanged, so its retransmission mends a dropped block as it mends a
// lost one.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "tftp/transfer.hpp"

namespace cucm::tftp {

class TransferFault {
 public:
  enum class Kind : std::uint8_t { None, DropBlock, DuplicateBlock };
  TransferFault() = default;
  // From a fault's name (tftp-drop-block, tftp-duplicate-block) and its `block` parameter; any
  // other name does nothing.
  TransferFault(std::string_view fault, std::int64_t block);

  // The packets a step sends, as the fault sends them (at most once per transfer).
  std::vector<Bytes> shape(std::vector<Bytes> packets);
  Kind kind() const { return kind_; }

 private:
  Kind kind_ = Kind::None;
  std::uint16_t block_ = 0;
  bool used_ = false;
};

// tftp-blksize-mismatch: the OACK names twice the blksize negotiated (at most RFC 2348's 65464),
// while the blocks keep the negotiated size. Nothing when no blksize was accepted.
void announce_larger_blksize(TransferOptions& o);

}  // namespace cucm::tftp

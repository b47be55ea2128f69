// TFTP packet faults.
#include "tftp/transfer_fault.hpp"

#include <algorithm>
#include <string>

#include "tftp/packet.hpp"

namespace cucm::tftp {
namespace {

bool is_data(const Bytes& p, std::uint16_t block) {
  return p.size() >= 4 && p[0] == 0 && p[1] == static_cast<std::uint8_t>(Opcode::Data) &&
         static_cast<std::uint16_t>((p[2] << 8) | p[3]) == block;
}

}  // namespace

TransferFault::TransferFault(std::string_view fault, std::int64_t block, std::int64_t ms)
    : block_(static_cast<std::uint16_t>(block)) {
  if (fault == "tftp-drop-block") kind_ = Kind::DropBlock;
  if (fault == "tftp-duplicate-block") kind_ = Kind::DuplicateBlock;
  // The catalog bounds ms to 1..60000; a delay of 0 would be no fault at all.
  if (fault == "tftp-delay" && ms > 0) {
    kind_ = Kind::Delay;
    delay_ = std::chrono::milliseconds(ms);
  }
}

std::vector<Bytes> TransferFault::shape(std::vector<Bytes> packets) {
  if (!shapes() || used_) return packets;
  std::vector<Bytes> out;
  for (auto& p : packets) {
    if (!used_ && is_data(p, block_)) {
      used_ = true;
      if (kind_ == Kind::DropBlock) continue;
      if (kind_ == Kind::DuplicateBlock) out.push_back(p);
    }
    out.push_back(std::move(p));
  }
  return out;
}

bool carries_data(const std::vector<Bytes>& packets) {
  return std::any_of(packets.begin(), packets.end(), [](const Bytes& p) {
    return p.size() >= 4 && p[0] == 0 && p[1] == static_cast<std::uint8_t>(Opcode::Data);
  });
}

void announce_larger_blksize(TransferOptions& o) {
  for (auto& [name, value] : o.oack) {
    if (name == "blksize") value = std::to_string(std::min<std::size_t>(o.blksize * 2, 65464));
  }
}

}  // namespace cucm::tftp

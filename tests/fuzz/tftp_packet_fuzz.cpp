// Feeds bytes to the TFTP packet parser, and drives a transfer with ACK numbers taken from the
// input: whatever arrives, the state machine never sends a block past the file, never counts
// more acknowledged blocks than exist, and a parsed request rebuilds into an equal request.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tftp/packet.hpp"
#include "tftp/transfer.hpp"

using namespace cucm;
using namespace cucm::tftp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView in(data, size);
  auto p = parse_packet(in);
  if (p && p->request) {
    // Names of options are lower-cased and the mode normalised on parse, so a rebuilt request
    // parses back to the same Request.
    auto again = parse_packet(build_request(*p->request));
    if (!again || !again->request || again->request->filename != p->request->filename ||
        again->request->mode != p->request->mode || again->request->options != p->request->options) {
      __builtin_trap();
    }
    // Negotiate against a small file and run the transfer with ACKs read from the input.
    auto file = std::make_shared<const Bytes>(3000, 0x41);
    auto opts = negotiate(*p->request, file->size(), {});
    if (opts.blksize < 8 || opts.blksize > 65464 || opts.windowsize < 1) __builtin_trap();
    Transfer t(file, opts, 3);
    auto step = t.start();
    for (std::size_t i = 0; i + 1 < size && !step.done && !step.failed; i += 2) {
      std::uint16_t block = static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]);
      step = (block % 7 == 0) ? t.on_timeout() : t.on_ack(block);
      for (const auto& pkt : step.send) {
        if (pkt[1] == 3 && pkt.size() > 4 + opts.blksize) __builtin_trap();  // DATA only
      }
      if (t.acked() > t.total_blocks()) __builtin_trap();
    }
  }
  return 0;
}

// Who holds a port: the sockets /proc/net lists for it, and the processes whose descriptors lead
// to them. For `cucm-emu doctor`, so that "address in use" can name the program to stop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cucm::core {

enum class Transport { Tcp, Udp };
const char* transport_name(Transport t);  // "tcp", "udp"

// One line of /proc/net/{tcp,tcp6,udp,udp6}.
struct ProcNetSocket {
  std::string local_address;  // "127.0.0.1", "::"
  std::uint16_t local_port = 0;
  std::uint8_t state = 0;     // the kernel's TCP state; 0x0A is LISTEN (UDP sockets show 07)
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};
inline constexpr std::uint8_t kTcpListen = 0x0A;

// One line of such a file; nullopt for the header and for any line that does not have the
// expected fields (the file is the kernel's, but a line we cannot read is skipped, not trusted).
std::optional<ProcNetSocket> parse_proc_net_line(std::string_view line);
// Every socket line of a whole file.
std::vector<ProcNetSocket> parse_proc_net(std::string_view text);

// A socket bound to the port asked about, and who holds it when /proc shows it.
struct PortHolder {
  ProcNetSocket socket;
  std::optional<int> pid;  // nullopt: no process of those we may look into holds it (another
                           // user's, seen only by root), or it was closed meanwhile
  std::string program;     // the executable's file name, else /proc/<pid>/comm; "" without a pid
};

// The sockets of this network namespace bound to `port` (TCP: listening ones only; UDP: any), with
// their processes. `proc` is the procfs root. Unavailable when /proc/net cannot be read.
Result<std::vector<PortHolder>> find_port_holders(Transport t, std::uint16_t port,
                                                  const std::filesystem::path& proc = "/proc");

// A /proc text file whole (procfs reports size 0, so file_io's read_file reads nothing).
// NotFound, PermissionDenied or Unavailable naming the file.
Result<std::string> read_proc_file(const std::filesystem::path& path);

}  // namespace cucm::core

// /proc/net/{tcp,udp}[6] and /proc/<pid>/fd read to find who holds a port.
#include "core/port_owner.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/file_io.hpp"

namespace cucm::core {
namespace fs = std::filesystem;

const char* transport_name(Transport t) { return t == Transport::Tcp ? "tcp" : "udp"; }

namespace {

// Whitespace-separated fields, at most `max` of them (the rest of the line is not needed).
std::vector<std::string_view> fields(std::string_view line, std::size_t max) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (out.size() < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back(line.substr(start, i - start));
  }
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out, int base) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc{} && end == text.data() + text.size();
}

// The kernel prints each 32-bit word of the address as the hex of its value in host order, so
// the word's bytes in memory are the address's bytes: IPv4 "0100007F" is 127.0.0.1 on x86.
std::optional<std::string> decode_address(std::string_view hex) {
  if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
  std::array<unsigned char, 16> bytes{};
  for (std::size_t w = 0; w < hex.size() / 8; ++w) {
    std::uint32_t word = 0;
    if (!parse_number(hex.substr(w * 8, 8), word, 16)) return std::nullopt;
    std::memcpy(bytes.data() + w * 4, &word, sizeof word);
  }
  std::array<char, INET6_ADDRSTRLEN> text{};
  int family = hex.size() == 8 ? AF_INET : AF_INET6;
  if (!::inet_ntop(family, bytes.data(), text.data(), static_cast<socklen_t>(text.size()))) return std::nullopt;
  return std::string(text.data());
}

}  // namespace

std::optional<ProcNetSocket> parse_proc_net_line(std::string_view line) {
  // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
  auto f = fields(line, 10);
  if (f.size() < 10 || f[0].size() < 2 || f[0].back() != ':') return std::nullopt;
  std::string_view local = f[1];
  auto colon = local.rfind(':');
  if (colon == std::string_view::npos || local.size() - colon - 1 != 4) return std::nullopt;
  ProcNetSocket s;
  auto address = decode_address(local.substr(0, colon));
  if (!address) return std::nullopt;
  s.local_address = std::move(*address);
  if (!parse_number(local.substr(colon + 1), s.local_port, 16)) return std::nullopt;
  if (f[3].size() != 2 || !parse_number(f[3], s.state, 16)) return std::nullopt;
  if (!parse_number(f[7], s.uid, 10) || !parse_number(f[9], s.inode, 10)) return std::nullopt;
  return s;
}

std::vector<ProcNetSocket> parse_proc_net(std::string_view text) {
  std::vector<ProcNetSocket> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (auto s = parse_proc_net_line(text.substr(0, nl))) out.push_back(std::move(*s));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

Result<std::string> read_proc_file(const fs::path& path) {
  // /proc/net/tcp takes about 150 bytes a socket: 64 MiB is far more than a lab host holds.
  constexpr std::size_t kMax = 64u << 20;
  FileHandle fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    Errc code = err == ENOENT ? Errc::NotFound : err == EACCES ? Errc::PermissionDenied : Errc::Unavailable;
    return make_error(code, fmt::format("cannot read {}: {}", path.string(), std::strerror(err)));
  }
  std::string out;
  std::array<char, 16384> buf{};
  while (out.size() < kMax) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::Unavailable, fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    if (n == 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  return out;
}

namespace {

// "socket:[12345]" -> 12345.
std::optional<std::uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix || link.back() != ']') {
    return std::nullopt;
  }
  std::uint64_t inode = 0;
  if (!parse_number(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), inode, 10)) return std::nullopt;
  return inode;
}

// The executable's file name (comm is cut to 15 characters), else comm.
std::string program_name(const fs::path& pid_dir) {
  std::error_code ec;
  fs::path exe = fs::read_symlink(pid_dir / "exe", ec);
  if (!ec) {
    std::string name = exe.filename().string();
    constexpr std::string_view kDeleted = " (deleted)";  // an executable replaced since it started
    if (name.size() > kDeleted.size() && name.ends_with(kDeleted)) name.resize(name.size() - kDeleted.size());
    return name;
  }
  auto comm = read_proc_file(pid_dir / "comm");
  if (!comm) return "";
  while (!comm->empty() && (comm->back() == '\n' || comm->back() == ' ')) comm->pop_back();
  return *comm;
}

// Looks through every process's descriptors we may read for the inodes in `wanted` (inode ->
// holder index), filling in the pid and program of each found. A process that ends meanwhile, or
// whose fd/ we may not read, is skipped.
void find_processes(const fs::path& proc, const std::map<std::uint64_t, std::size_t>& wanted,
                    std::vector<PortHolder>& holders) {
  std::size_t left = wanted.size();
  std::error_code ec;
  for (fs::directory_iterator it(proc, ec), end; !ec && it != end && left > 0; it.increment(ec)) {
    int pid = 0;
    if (!parse_number(it->path().filename().string(), pid, 10)) continue;
    std::error_code fd_ec;
    for (fs::directory_iterator fd(it->path() / "fd", fd_ec), fd_end; !fd_ec && fd != fd_end; fd.increment(fd_ec)) {
      std::error_code link_ec;
      auto inode = socket_inode(fs::read_symlink(fd->path(), link_ec).string());
      if (link_ec || !inode) continue;
      auto w = wanted.find(*inode);
      if (w == wanted.end() || holders[w->second].pid) continue;
      holders[w->second].pid = pid;
      holders[w->second].program = program_name(it->path());
      --left;
    }
  }
}

}  // namespace

Result<std::vector<PortHolder>> find_port_holders(Transport t, std::uint16_t port, const fs::path& proc) {
  std::vector<PortHolder> holders;
  std::map<std::uint64_t, std::size_t> wanted;
  for (const char* file : t == Transport::Tcp ? std::array{"net/tcp", "net/tcp6"} : std::array{"net/udp", "net/udp6"}) {
    auto text = read_proc_file(proc / file);
    if (!text && text.error().code == Errc::NotFound) continue;  // no IPv6 in this kernel
    if (!text) return std::move(text).error();
    for (auto& s : parse_proc_net(*text)) {
      if (s.local_port != port || (t == Transport::Tcp && s.state != kTcpListen)) continue;
      // The inode is 0 for a socket being torn down: it has no owner to find.
      if (s.inode != 0) wanted.emplace(s.inode, holders.size());
      holders.push_back(PortHolder{std::move(s), std::nullopt, ""});
    }
  }
  if (!wanted.empty()) find_processes(proc, wanted, holders);
  return holders;
}

}  // namespace cucm::core

// A TCP socket this test process listens on, at a loopback port the kernel picks: a port "held by
// another program" for the tests of who holds a port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "core/file_io.hpp"

namespace cucm::test {

struct ListeningSocket {
  FileHandle fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  std::uint16_t port = 0;
  ListeningSocket() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    auto* sa = reinterpret_cast<sockaddr*>(&a);  // NOLINT: the socket API's own type
    EXPECT_EQ(::bind(fd.get(), sa, len), 0) << std::strerror(errno);
    EXPECT_EQ(::listen(fd.get(), 1), 0);
    EXPECT_EQ(::getsockname(fd.get(), sa, &len), 0);
    port = ntohs(a.sin_port);
  }
};

}  // namespace cucm::test

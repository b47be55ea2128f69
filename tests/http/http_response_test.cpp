// The HTTP response head as phones and curl read it, and the Range header as clients send it.
#include <gtest/gtest.h>

#include "http/http_response.hpp"

namespace cucm::http {
namespace {

std::string render(const ResponseHead& h) {
  std::string out;
  render_head(h, out);
  return out;
}

TEST(HttpResponse, OkHeadAsTheSeedCaptureShows) {
  ResponseHead h;
  h.content_type = "*/*";
  h.content_length = 10240;
  EXPECT_EQ(render(h),
            "HTTP/1.1 200 OK\r\nServer: cucm-emu\r\nContent-Type: */*\r\nCache-Control: no-store\r\n"
            "Content-Length: 10240\r\n\r\n");
}

TEST(HttpResponse, ConnectionHeaderOnlyWhereItDiffersFromTheVersionDefault) {
  ResponseHead h;
  h.keep_alive = false;
  EXPECT_NE(render(h).find("Connection: close\r\n"), std::string::npos);
  h.version = 10;
  EXPECT_EQ(render(h).find("Connection:"), std::string::npos);
  EXPECT_EQ(render(h).rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  h.keep_alive = true;
  EXPECT_NE(render(h).find("Connection: keep-alive\r\n"), std::string::npos);
  h.version = 11;
  EXPECT_EQ(render(h).find("Connection:"), std::string::npos);
}

TEST(HttpResponse, PartialContentAndMethodNotAllowed) {
  ResponseHead h;
  h.status = 206;
  h.accept_ranges = true;
  h.content_range = "bytes 0-9/100";
  h.content_length = 10;
  auto s = render(h);
  EXPECT_EQ(s.rfind("HTTP/1.1 206 Partial Content\r\n", 0), 0u);
  EXPECT_NE(s.find("Accept-Ranges: bytes\r\nContent-Range: bytes 0-9/100\r\nContent-Length: 10\r\n\r\n"), std::string::npos);
  ResponseHead m;
  m.status = 405;
  m.allow = "GET, HEAD";
  EXPECT_NE(render(m).find("405 Method Not Allowed\r\n"), std::string::npos);
  EXPECT_NE(render(m).find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(reason_phrase(416), "Range Not Satisfiable");
}

TEST(HttpResponse, RangesWithinTheFile) {
  auto r = parse_range("bytes=0-9", 100);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->last, 9u);
  r = parse_range("bytes=90-", 100);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 90u);
  EXPECT_EQ(r->last, 99u);
  r = parse_range("bytes=-10", 100);  // the last ten bytes
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 90u);
  r = parse_range("bytes=-1000", 100);  // more than the file: all of it
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 0u);
  r = parse_range("bytes=50-5000", 100);  // clipped to the end
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, 99u);
  r = parse_range("bytes=4294967296-4294967300", 8'000'000'000ULL);  // past 4 GiB
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 4294967296ULL);
}

TEST(HttpResponse, RangesThatCannotBeServed) {
  for (const char* bad : {"bytes=100-", "bytes=9-1", "bytes=-0", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=",
                          "bytes=-", "bytes=1-2-3", "bytes=99999999999999999999-"}) {
    EXPECT_FALSE(parse_range(bad, 100)) << bad;
  }
  EXPECT_FALSE(parse_range("bytes=0-0", 0));  // an empty file has no byte to give
}

}  // namespace
}  // namespace cucm::http

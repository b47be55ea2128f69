// The admin site's reading of untrusted request text: the target (path, %-escapes, query), the
// Cookie and Authorization headers, a JSON body read field by field, and a count (a query
// parameter or Last-Event-ID). The first byte picks
// which; every answer must be a value or an error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "web/json_fields.hpp"
#include "web/request_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);  // NOLINT: bytes as text
  using namespace cucm::web;
  switch (data[0] % 5) {
    case 0:
      if (auto t = parse_target(text)) {
        auto clean = [](const std::string& s) {
          for (char c : s) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) __builtin_trap();
          }
        };
        clean(t->path);
        for (const auto& [k, v] : t->query) {
          clean(k);
          clean(v);
        }
        if (t->path.empty() || t->path.front() != '/') __builtin_trap();
        (void)path_segments(t->path);
      }
      break;
    case 1:
      (void)cookie_value(text, "cucm_session");
      break;
    case 2:
      (void)bearer_token(text);
      break;
    case 4:
      if (auto n = parse_count(text, "offset", 1000); n && *n > 1000) __builtin_trap();
      break;
    default:
      if (auto f = Fields::parse(text)) {
        (void)f->only({"name", "product", "lines"});
        (void)f->text("name");
        (void)f->flag("tftp_encrypted");
        (void)f->integer("rsa_key_size");
        (void)f->texts("params");
        (void)f->lines("lines");
      }
      break;
  }
  return 0;
}

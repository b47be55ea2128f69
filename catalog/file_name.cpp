// File name classification.
#include "catalog/file_name.hpp"

#include <algorithm>
#include <cctype>

namespace cucm::catalog {
namespace {

bool is_device_name(std::string_view s) {
  return s.size() == 15 && s.starts_with("SEP") &&
         std::all_of(s.begin() + 3, s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

RequestedFile classify(std::string_view name) {
  RequestedFile r{FileKind::Other, {}, std::string(name)};
  std::string low = lower(name);
  if (low == "xmldefault.cnf.xml") { r.kind = FileKind::XmlDefault; return r; }
  if (low == "xmldefault.cnf.xml.sgn") { r.kind = FileKind::XmlDefaultSgn; return r; }
  if (name == "ITLFile.tlv") { r.kind = FileKind::Itl; return r; }
  if (name == "CTLFile.tlv") { r.kind = FileKind::Ctl; return r; }
  auto per_device = [&](std::string_view prefix, std::string_view suffix, FileKind kind) {
    if (name.size() != prefix.size() + 15 + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix)) return false;
    auto dev = name.substr(prefix.size(), 15);
    if (!is_device_name(dev)) return false;
    r.kind = kind;
    r.device = std::string(dev);
    return true;
  };
  if (per_device("ITL", ".tlv", FileKind::Itl) || per_device("CTL", ".tlv", FileKind::Ctl) ||
      per_device("", ".cnf.xml", FileKind::Config) || per_device("", ".cnf.xml.sgn", FileKind::ConfigSgn) ||
      per_device("", ".cnf.xml.enc.sgn", FileKind::ConfigEncSgn)) {
    return r;
  }
  return r;
}

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::Itl: return "itl";
    case FileKind::Ctl: return "ctl";
    case FileKind::Config: return "config";
    case FileKind::ConfigSgn: return "config.sgn";
    case FileKind::ConfigEncSgn: return "config.enc.sgn";
    case FileKind::XmlDefault: return "xmldefault";
    case FileKind::XmlDefaultSgn: return "xmldefault.sgn";
    case FileKind::Other: return "other";
  }
  return "other";
}

}  // namespace cucm::catalog

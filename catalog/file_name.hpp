// What a requested file name asks for (PROTOCOLS §8.1).
#pragma once

#include <string>
#include <string_view>

namespace cucm::catalog {

enum class FileKind {
  Itl,            // ITLFile.tlv, ITLSEP<MAC>.tlv
  Ctl,            // CTLFile.tlv, CTLSEP<MAC>.tlv
  Config,         // SEP<MAC>.cnf.xml
  ConfigSgn,      // SEP<MAC>.cnf.xml.sgn
  ConfigEncSgn,   // SEP<MAC>.cnf.xml.enc.sgn
  XmlDefault,     // XMLDefault.cnf.xml (any case: CUCM documents XmlDefault.cnf.xml)
  XmlDefaultSgn,  // XMLDefault.cnf.xml.sgn
  Other,          // anything else: a static file, or not found
};

struct RequestedFile {
  FileKind kind = FileKind::Other;
  std::string device;  // SEP<MAC> for per-device names, else empty
  std::string name;    // as requested
};

// Device names must be upper case, as phones request them; anything else is FileKind::Other.
RequestedFile classify(std::string_view name);
const char* kind_name(FileKind k);

}  // namespace cucm::catalog

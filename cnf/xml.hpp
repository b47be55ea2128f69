// libxml2 ownership and the one safe way we parse untrusted XML (no network, no entity
// expansion, a size cap, errors returned instead of printed).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/result.hpp"

namespace cucm::cnf {

struct XmlDocFree {
  void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

// 1 MiB: far above any phone config (a full 8845 config is ~10 KiB).
inline constexpr std::size_t kMaxXml = 1u << 20;

// InvalidArgument with line and libxml2's message for malformed input, ResourceExhausted over
// kMaxXml.
Result<XmlDocPtr> parse_xml(std::string_view text, std::string_view what);

// Serialises with the declaration, two-space indentation, LF line ends and a final LF.
std::string serialise(xmlDoc& doc);

// The first direct child element called `name`, or nullptr.
xmlNode* child(xmlNode* parent, std::string_view name);
// Text content of a node ("" for nullptr).
std::string text(xmlNode* node);
// Appends <name>value</name>; the value is escaped by libxml2.
xmlNode* add_text_child(xmlNode* parent, std::string_view name, std::string_view value);

}  // namespace cucm::cnf

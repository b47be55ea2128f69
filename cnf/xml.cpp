// libxml2 parsing and serialisation helpers.
#include "cnf/xml.hpp"

#include <fmt/format.h>

namespace cucm::cnf {
namespace {
const xmlChar* xc(const char* s) { return reinterpret_cast<const xmlChar*>(s); }  // NOLINT
std::string_view sv(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view{};  // NOLINT
}
struct CtxtFree {
  void operator()(xmlParserCtxt* c) const noexcept { xmlFreeParserCtxt(c); }
};
}  // namespace

Result<XmlDocPtr> parse_xml(std::string_view text_in, std::string_view what) {
  if (text_in.size() > kMaxXml) {
    return make_error(Errc::ResourceExhausted,
                      fmt::format("cnf: {} is {} bytes, over the {} byte limit", what, text_in.size(), kMaxXml));
  }
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return make_error(Errc::Internal, "cnf: cannot create an XML parser");
  // NONET: never fetch; no NOENT: entities are not substituted; NOBLANKS: re-indent on output.
  int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;
  xmlDoc* doc = xmlCtxtReadMemory(ctxt.get(), text_in.data(), static_cast<int>(text_in.size()),
                                  nullptr, nullptr, opts);
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string msg = err && err->message ? err->message : "unknown error";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return make_error(Errc::InvalidArgument,
                      fmt::format("cnf: {} is not well-formed XML at line {}: {}", what, err ? err->line : 0, msg));
  }
  XmlDocPtr owned(doc);
  // Configs never carry a DTD; one could declare entities whose references survive a copy into
  // a new document and make the output malformed.
  if (doc->intSubset || doc->extSubset) {
    return make_error(Errc::InvalidArgument, fmt::format("cnf: {} has a DOCTYPE, which phone configs never have", what));
  }
  return owned;
}

std::string serialise(xmlDoc& doc) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(&doc, &mem, &size, "UTF-8", 1);
  std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));  // NOLINT
  xmlFree(mem);
  return out;
}

xmlNode* child(xmlNode* parent, std::string_view name) {
  if (!parent) return nullptr;
  for (xmlNode* n = parent->children; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && sv(n->name) == name) return n;
  }
  return nullptr;
}

std::string text(xmlNode* node) {
  if (!node) return {};
  xmlChar* c = xmlNodeGetContent(node);
  std::string out(sv(c));
  xmlFree(c);
  return out;
}

xmlNode* add_text_child(xmlNode* parent, std::string_view name, std::string_view value) {
  std::string n(name);
  xmlNode* node = xmlNewChild(parent, nullptr, xc(n.c_str()), nullptr);
  std::string v(value);
  xmlNodeAddContent(node, xc(v.c_str()));  // escapes & < >
  return node;
}

}  // namespace cucm::cnf

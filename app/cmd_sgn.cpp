// cucm-emu sgn build|parse|verify|strip: signed files (.sgn).
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/dissect.hpp"
#include "core/file_io.hpp"
#include "signer/sgn_file.hpp"

namespace cucm::app {
namespace {

struct SgnArgs {
  std::string input, out, filename, digest = "sha1", cert, key, itl;
  bool json = false;
};

int build(const GlobalOptions& g, const SgnArgs& a) {
  auto payload = read_file(a.input);
  if (!payload) return fail(payload.error());
  auto hash = signer::parse_hash_name(a.digest);
  if (!hash) return fail(hash.error());
  auto id = signing_identity(g, a.cert, a.key, signer::PkiRole::CallManager);
  if (!id) return fail(id.error());
  signer::SgnOptions o;
  o.filename = a.filename.empty() ? std::filesystem::path(a.input).filename().string() + ".sgn" : a.filename;
  o.hash = *hash;
  o.timestamp = now_timestamp();
  auto file = signer::build_sgn(*payload, o, *id->key, *id->cert);
  if (!file) return fail(file.error());
  std::string out = a.out.empty() ? a.input + ".sgn" : a.out;
  if (auto st = write_output(out, *file); !st) return fail(st.error());
  if (out != "-") std::cerr << fmt::format("wrote {} ({} bytes, {} signed)\n", out, file->size(), a.digest);
  return 0;
}

int parse(const SgnArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto parsed = signer::parse_sgn(*file);
  if (!parsed) return fail(parsed.error());
  auto payload = signer::sgn_payload(*file, *parsed);
  if (a.json) {
    print_json({{"file", a.input}, {"size", file->size()}, {"header", header_json(*parsed)},
                {"fields", trace_json(parsed->trace)}, {"payload_offset", parsed->header_length},
                {"payload_length", payload.size()}});
    return 0;
  }
  std::cout << fmt::format("{}: {} bytes, signed file version {}.{}\n", a.input, file->size(),
                           parsed->header.version[0], parsed->header.version[1]);
  print_trace(parsed->trace);
  std::cout << fmt::format("{:>#8x}  payload, {} bytes\n", parsed->header_length, payload.size());
  return 0;
}

int verify(const GlobalOptions& g, const SgnArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto parsed = signer::parse_sgn(*file);
  if (!parsed) return fail(parsed.error());
  std::string source;
  auto key = verification_key(g, a.cert, a.itl, parsed->header, source);
  if (!key) return fail(key.error());
  if (auto st = signer::verify_signature(*file, *parsed, **key); !st) {
    return fail(make_error(st.error().code, fmt::format("{}: BAD signature: {}", a.input, st.error().message)));
  }
  std::cout << fmt::format("{}: signature OK ({}, signer {}, checked with {})\n", a.input,
                           signer::hash_name(parsed->header.hash), parsed->header.signer_name, source);
  return 0;
}

int strip(const SgnArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto parsed = signer::parse_sgn(*file);
  if (!parsed) return fail(parsed.error());
  std::string out = a.out;
  if (out.empty()) {
    out = a.input.size() > 4 && a.input.ends_with(".sgn") ? a.input.substr(0, a.input.size() - 4) : a.input + ".payload";
  }
  if (auto st = write_output(out, signer::sgn_payload(*file, *parsed)); !st) return fail(st.error());
  return 0;
}

}  // namespace

void add_sgn_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* sgn = app.add_subcommand("sgn", "Signed files: SEP<MAC>.cnf.xml.sgn and other .sgn");
  sgn->require_subcommand(1);
  auto a = std::make_shared<SgnArgs>();

  auto* b = sgn->add_subcommand("build", "Sign a file with the TFTP (CallManager) key");
  b->add_option("input", a->input, "File to sign")->required();
  b->add_option("-o,--out", a->out, "Output file (default INPUT.sgn; - for stdout)");
  b->add_option("--filename", a->filename, "Name written into the header (default INPUT's name + .sgn)");
  b->add_option("--digest", a->digest, "sha1 or sha512")->capture_default_str();
  b->add_option("--cert", a->cert, "Signer certificate (default: the cluster CallManager)");
  b->add_option("--key", a->key, "Signer private key");
  b->callback([&g, &rc, a] { rc = build(g, *a); });

  auto* p = sgn->add_subcommand("parse", "Show every header field with offset, tag and length");
  p->add_option("input", a->input, "A .sgn file")->required();
  p->add_flag("--json", a->json, "Machine-readable output");
  p->callback([&rc, a] { rc = parse(*a); });

  auto* v = sgn->add_subcommand("verify", "Check the signature; exit 1 when it is bad");
  v->add_option("input", a->input, "A .sgn file")->required();
  v->add_option("--cert", a->cert, "Verify with this certificate");
  v->add_option("--itl", a->itl, "Verify with the matching record of this ITL/CTL");
  v->callback([&g, &rc, a] { rc = verify(g, *a); });

  auto* s = sgn->add_subcommand("strip", "Write the payload without the signed header");
  s->add_option("input", a->input, "A .sgn file")->required();
  s->add_option("-o,--out", a->out, "Output (default INPUT without .sgn; - for stdout)");
  s->callback([&rc, a] { rc = strip(*a); });
}

}  // namespace cucm::app

// cucm-emu enc build|parse|decrypt: encrypted configs (.cnf.xml.enc.sgn) and their partial .sgn.
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/dissect.hpp"
#include "cnf/partial_config.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"

namespace cucm::app {
namespace fs = std::filesystem;
namespace {

struct EncArgs {
  std::string input, out_dir, device_cert, device_pubkey, cert_hash, digest = "sha1", cert, key;
  std::string device_key, out, itl;
  bool json = false, no_verify = false, no_partial = false;
};

// The device key and its certHash, from the device certificate or a bare public key.
Result<signer::PkeyPtr> device_public_key(const EncArgs& a, std::string& cert_hash) {
  if (!a.device_cert.empty()) {
    CUCM_TRY(Bytes bytes, read_file(a.device_cert));
    CUCM_TRY(auto cert, signer::load_cert(bytes));
    cert_hash = signer::cert_md5_hex(*cert);
    return signer::cert_public_key(*cert);
  }
  if (!a.device_pubkey.empty()) {
    CUCM_TRY(Bytes bytes, read_file(a.device_pubkey));
    cert_hash = a.cert_hash;
    return signer::load_public_key(bytes);
  }
  return make_error(Errc::InvalidArgument, "give --device-cert (the phone's LSC or MIC) or --device-pubkey");
}

int build(const GlobalOptions& g, const EncArgs& a) {
  auto plaintext = read_file(a.input);
  if (!plaintext) return fail(plaintext.error());
  auto hash = signer::parse_hash_name(a.digest);
  if (!hash) return fail(hash.error());
  std::string cert_hash;
  auto device_key = device_public_key(a, cert_hash);
  if (!device_key) return fail(device_key.error());
  auto id = signing_identity(g, a.cert, a.key, signer::PkiRole::CallManager);
  if (!id) return fail(id.error());

  std::string base = fs::path(a.input).filename().string();  // SEP<MAC>.cnf.xml
  fs::path dir = a.out_dir.empty() ? fs::path(a.input).parent_path() : fs::path(a.out_dir);
  std::uint32_t now = now_timestamp();

  signer::EncOptions eo{base + ".enc.sgn", *hash, now};
  auto enc = signer::build_enc_sgn(*plaintext, **device_key, eo, *id->key, *id->cert);
  if (!enc) return fail(enc.error());
  fs::path enc_path = dir / eo.filename;
  if (auto st = write_file_atomic(enc_path, *enc); !st) return fail(st.error());
  std::cout << fmt::format("wrote {} ({} bytes)\n", enc_path.string(), enc->size());
  if (a.no_partial) return 0;

  auto partial = cnf::make_partial_config(as_chars(*plaintext), cert_hash);
  if (!partial) return fail(partial.error());
  signer::SgnOptions so{base + ".sgn", *hash, now};
  auto sgn = signer::build_sgn(as_bytes(*partial), so, *id->key, *id->cert);
  if (!sgn) return fail(sgn.error());
  fs::path sgn_path = dir / so.filename;
  if (auto st = write_file_atomic(sgn_path, *sgn); !st) return fail(st.error());
  std::cout << fmt::format("wrote {} ({} bytes, partial config, certHash {})\n", sgn_path.string(),
                           sgn->size(), cert_hash.empty() ? "empty" : cert_hash);
  return 0;
}

int parse(const EncArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto parsed = signer::parse_enc_sgn(*file);
  if (!parsed) return fail(parsed.error());
  std::size_t ct = file->size() - parsed->header_length;
  if (a.json) {
    print_json({{"file", a.input}, {"size", file->size()}, {"header", header_json(*parsed)},
                {"fields", trace_json(parsed->trace)}, {"ciphertext_offset", parsed->header_length},
                {"ciphertext_length", ct}});
    return 0;
  }
  std::cout << fmt::format("{}: {} bytes, encrypted file version {}.{}\n", a.input, file->size(),
                           parsed->header.version[0], parsed->header.version[1]);
  print_trace(parsed->trace);
  std::cout << fmt::format("{:>#8x}  ciphertext, {} bytes (AES-128-CBC, {} bytes of 0D padding)\n",
                           parsed->header_length, ct, parsed->header.encryption->pad_count);
  return 0;
}

int decrypt(const GlobalOptions& g, const EncArgs& a) {
  auto file = read_file(a.input);
  if (!file) return fail(file.error());
  auto parsed = signer::parse_enc_sgn(*file);
  if (!parsed) return fail(parsed.error());
  if (!a.no_verify) {
    std::string source;
    auto key = verification_key(g, a.cert, a.itl, parsed->header, source);
    if (!key) {
      return fail(make_error(key.error().code, key.error().message + " (or pass --no-verify)"));
    }
    if (auto st = signer::verify_signature(*file, *parsed, **key); !st) {
      return fail(make_error(st.error().code, fmt::format("{}: BAD signature: {}", a.input, st.error().message)));
    }
    std::cerr << fmt::format("signature OK (checked with {})\n", source);
  }
  auto key_pem = read_file(a.device_key);
  if (!key_pem) return fail(key_pem.error());
  auto dkey = signer::load_private_key(*key_pem);
  if (!dkey) return fail(dkey.error());
  auto plain = signer::decrypt_enc_sgn(*file, *parsed, **dkey);
  if (!plain) return fail(plain.error());
  std::string out = a.out.empty() ? "-" : a.out;
  if (auto st = write_output(out, *plain); !st) return fail(st.error());
  if (out != "-") std::cerr << fmt::format("wrote {} ({} bytes, digest OK)\n", out, plain->size());
  return 0;
}

}  // namespace

void add_enc_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* enc = app.add_subcommand("enc", "Encrypted configs: SEP<MAC>.cnf.xml.enc.sgn");
  enc->require_subcommand(1);
  auto a = std::make_shared<EncArgs>();

  auto* b = enc->add_subcommand("build", "Encrypt a full config for one phone, and write its partial .sgn");
  b->add_option("input", a->input, "The full config, e.g. SEP001122334455.cnf.xml")->required();
  b->add_option("--device-cert", a->device_cert, "The phone's LSC or MIC (gives the key and certHash)");
  b->add_option("--device-pubkey", a->device_pubkey, "Or: the phone's RSA public key (PEM/DER)");
  b->add_option("--cert-hash", a->cert_hash, "certHash for the partial config with --device-pubkey");
  b->add_option("--out-dir", a->out_dir, "Where to write (default: beside the input)");
  b->add_option("--digest", a->digest, "sha1 or sha512")->capture_default_str();
  b->add_option("--cert", a->cert, "Signer certificate (default: the cluster CallManager)");
  b->add_option("--key", a->key, "Signer private key");
  b->add_flag("--no-partial", a->no_partial, "Write only the .enc.sgn");
  b->callback([&g, &rc, a] { rc = build(g, *a); });

  auto* p = enc->add_subcommand("parse", "Show every header field with offset, tag and length");
  p->add_option("input", a->input, "A .enc.sgn file")->required();
  p->add_flag("--json", a->json, "Machine-readable output");
  p->callback([&rc, a] { rc = parse(*a); });

  auto* d = enc->add_subcommand("decrypt", "Verify, unwrap with the phone's key, decrypt, check the digest");
  d->add_option("input", a->input, "A .enc.sgn file")->required();
  d->add_option("--device-key", a->device_key, "The phone's private key (PEM)")->required();
  d->add_option("-o,--out", a->out, "Where to write the config (default stdout)");
  d->add_option("--cert", a->cert, "Verify the signature with this certificate");
  d->add_option("--itl", a->itl, "Verify with the matching record of this ITL/CTL");
  d->add_flag("--no-verify", a->no_verify, "Skip the signature check");
  d->callback([&g, &rc, a] { rc = decrypt(g, *a); });
}

}  // namespace cucm::app

// Builds per second of .sgn and .enc.sgn files for a typical 8 KB phone config, next to the raw
// RSA-2048 signature rate that bounds them (bench/README.md explains the figures).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/digest.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/ossl.hpp"
#include "signer/sgn_file.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {
namespace {

// A SEP<MAC>.cnf.xml from a mid-range SIP phone with a few lines comes to about 8 KB; that is the
// size the TFTP server signs on every request when a config is not cached.
constexpr std::size_t kConfigBytes = 8192;
constexpr const char* kDevice = "SEP001122334455";
constexpr std::uint32_t kTimestamp = 1795392000;  // 2026-11-23 00:00:00 UTC

std::string config_head() {
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<device xsi:type="axl:XIPPhone" ctiid="1766" uuid="{{5f1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}}">
  <fullConfig>true</fullConfig>
  <deviceProtocol>SIP</deviceProtocol>
  <sshUserId>admin</sshUserId>
  <ipAddressMode>0</ipAddressMode>
  <allowAutoConfig>true</allowAutoConfig>
  <devicePool uuid="{{1b1b9eb6-7803-11d3-bdf0-00108302ead1}}">
    <revertPriority>0</revertPriority>
    <name>Default</name>
    <dateTimeSetting uuid="{{9ec4850a-7748-11d3-bdf0-00108302ead1}}">
      <name>CMLocal</name>
      <dateTemplate>D/M/Y</dateTemplate>
      <timeZone>GMT Standard/Daylight Time</timeZone>
      <olsonTimeZone>Europe/London</olsonTimeZone>
      <ntps><ntp><name>10.0.0.1</name><ntpMode>Unicast</ntpMode></ntp></ntps>
    </dateTimeSetting>
    <callManagerGroup>
      <name>Default</name>
      <tftpDefault>true</tftpDefault>
      <members>
        <member priority="0">
          <callManager>
            <name>cucm-emu</name>
            <description>cucm-emu</description>
            <ports>
              <ethernetPhonePort>2000</ethernetPhonePort>
              <sipPort>5060</sipPort>
              <securedSipPort>5061</securedSipPort>
            </ports>
            <processNodeName>cucm-emu.lab.example</processNodeName>
          </callManager>
        </member>
      </members>
    </callManagerGroup>
    <srstInfo uuid="{{cd241e11-4a58-4d3d-9661-f06c912a18a3}}">
      <name>Disable</name>
      <srstOption>Disable</srstOption>
      <isSecure>false</isSecure>
    </srstInfo>
    <connectionMonitorDuration>120</connectionMonitorDuration>
  </devicePool>
  <TVS><members><member priority="0"><port>2445</port>
    <address>cucm-emu.lab.example</address></member></members></TVS>
  <sipProfile>
    <sipProxies>
      <backupProxy>USECALLMANAGER</backupProxy>
      <backupProxyPort>5060</backupProxyPort>
      <emergencyProxy>USECALLMANAGER</emergencyProxy>
      <emergencyProxyPort>5060</emergencyProxyPort>
      <outboundProxy>USECALLMANAGER</outboundProxy>
      <outboundProxyPort>5060</outboundProxyPort>
      <registerWithProxy>true</registerWithProxy>
    </sipProxies>
    <sipCallFeatures>
      <cnfJoinEnabled>true</cnfJoinEnabled>
      <callForwardURI>x-cisco-serviceuri-cfwdall</callForwardURI>
      <callPickupURI>x-cisco-serviceuri-pickup</callPickupURI>
      <meetMeServiceURI>x-cisco-serviceuri-meetme</meetMeServiceURI>
      <abbreviatedDialURI>x-cisco-serviceuri-abbrdial</abbreviatedDialURI>
      <rfc2543Hold>false</rfc2543Hold>
      <callHoldRingback>2</callHoldRingback>
      <localCfwdEnable>true</localCfwdEnable>
      <semiAttendedTransfer>true</semiAttendedTransfer>
      <anonymousCallBlock>2</anonymousCallBlock>
      <callerIdBlocking>2</callerIdBlocking>
      <dndControl>0</dndControl>
      <remoteCcEnable>true</remoteCcEnable>
    </sipCallFeatures>
    <sipStack>
      <sipInviteRetx>6</sipInviteRetx>
      <sipRetx>10</sipRetx>
      <timerInviteExpires>180</timerInviteExpires>
      <timerRegisterExpires>3600</timerRegisterExpires>
      <timerRegisterDelta>5</timerRegisterDelta>
      <timerKeepAliveExpires>120</timerKeepAliveExpires>
      <timerSubscribeExpires>120</timerSubscribeExpires>
      <timerSubscribeDelta>5</timerSubscribeDelta>
      <timerT1>500</timerT1>
      <timerT2>4000</timerT2>
      <maxRedirects>70</maxRedirects>
      <remotePartyID>true</remotePartyID>
      <userInfo>None</userInfo>
    </sipStack>
    <autoAnswerTimer>1</autoAnswerTimer>
    <autoAnswerAltBehavior>false</autoAnswerAltBehavior>
    <transferOnhookEnabled>false</transferOnhookEnabled>
    <enableVad>false</enableVad>
    <preferredCodec>none</preferredCodec>
    <dtmfAvtPayload>101</dtmfAvtPayload>
    <dtmfDbLevel>3</dtmfDbLevel>
    <dtmfOutofBand>avt</dtmfOutofBand>
    <kpml>3</kpml>
    <phoneLabel>{0}</phoneLabel>
    <stutterMsgWaiting>0</stutterMsgWaiting>
    <callStats>true</callStats>
    <natEnabled>false</natEnabled>
    <dscpForAudio>184</dscpForAudio>
    <dscpVideo>136</dscpVideo>
    <sipLines>
)",
      kDevice);
}

std::string config_line(int button) {
  return fmt::format(R"(      <line button="{0}" lineIndex="{0}">
        <featureID>9</featureID>
        <featureLabel>Line {0}</featureLabel>
        <proxy>USECALLMANAGER</proxy>
        <port>5060</port>
        <name>{1}</name>
        <displayName>Lab Phone {1}</displayName>
        <autoAnswer><autoAnswerEnabled>2</autoAnswerEnabled></autoAnswer>
        <callWaiting>3</callWaiting>
        <authName>{1}</authName>
        <sharedLine>false</sharedLine>
        <messageWaitingLampPolicy>3</messageWaitingLampPolicy>
        <messagesNumber>8000</messagesNumber>
        <ringSettingIdle>4</ringSettingIdle>
        <ringSettingActive>5</ringSettingActive>
        <contact>{1}</contact>
        <maxNumCalls>4</maxNumCalls>
        <busyTrigger>2</busyTrigger>
      </line>
)",
                     button, 1000 + button);
}

std::string config_tail() {
  return fmt::format(R"(    </sipLines>
  </sipProfile>
  <commonProfile>
    <phonePassword></phonePassword>
    <backgroundImageAccess>true</backgroundImageAccess>
    <callLogBlfEnabled>2</callLogBlfEnabled>
  </commonProfile>
  <loadInformation>sip88xx.14-2-1-0101-14</loadInformation>
  <userLocale><name>English_United_States</name><langCode>en_US</langCode></userLocale>
  <networkLocale>United_States</networkLocale>
  <deviceSecurityMode>3</deviceSecurityMode>
  <authenticationURL>http://cucm-emu.lab.example:6970/authenticate</authenticationURL>
  <directoryURL>http://cucm-emu.lab.example:6970/directory</directoryURL>
  <servicesURL>http://cucm-emu.lab.example:6970/services</servicesURL>
  <transportLayerProtocol>4</transportLayerProtocol>
  <capfAuthMode>0</capfAuthMode>
  <capfList><capf><phonePort>3804</phonePort>
    <processNodeName>cucm-emu.lab.example</processNodeName></capf></capfList>
  <certHash>0123456789abcdef0123456789abcdef</certHash>
  <encrConfig>false</encrConfig>
  <versionStamp>1795392000-{}</versionStamp>
</device>
)",
                     kDevice);
}

// Lines until the next one would not fit, then an XML comment that brings it to exactly `size`.
Bytes make_config(std::size_t size) {
  std::string head = config_head(), tail = config_tail();
  constexpr std::size_t kCommentOverhead = 8;  // "<!--", "-->" and a newline
  for (int button = 1;; ++button) {
    std::string line = config_line(button);
    if (head.size() + line.size() + tail.size() + kCommentOverhead > size) break;
    head += line;
  }
  if (head.size() + tail.size() + kCommentOverhead <= size) {
    std::size_t fill = size - head.size() - tail.size() - kCommentOverhead;
    tail += "<!--" + std::string(fill, ' ') + "-->\n";
  }
  return to_bytes(head + tail);
}

struct Fixture {
  PkeyPtr signer_key;  // the CallManager (TFTP role) key that signs configs
  X509Ptr signer_cert;
  PkeyPtr signer_public;  // the same key as a phone has it, from the certificate in its ITL
  PkeyPtr device_key;     // the phone's LSC key; only its public half wraps the AES key
  Bytes config;
  Bytes sgn;  // a SHA-1 .sgn of `config` for the parse and verify benchmark
};

Result<Fixture> make_fixture() {
  Fixture f;
  CUCM_TRY(f.signer_key, generate_key(KeySpec{}));
  auto req =
      mkcert_profile(*f.signer_key, {{"CN", "cucm-emu"}, {"OU", "cucm-emu"}, {"O", "cucm-emu Lab"}},
                     3650, HashAlg::Sha256);
  CUCM_TRY(f.signer_cert, make_self_signed(*f.signer_key, req));
  CUCM_TRY(f.signer_public, cert_public_key(*f.signer_cert));
  CUCM_TRY(f.device_key, generate_key(KeySpec{}));
  f.config = make_config(kConfigBytes);
  if (f.config.size() != kConfigBytes) {
    return make_error(Errc::Internal, fmt::format("bench: config is {} bytes vs expected {}",
                                                  f.config.size(), kConfigBytes));
  }
  SgnOptions opts{.filename = fmt::format("{}.cnf.xml.sgn", kDevice),
                  .hash = HashAlg::Sha1,
                  .timestamp = kTimestamp};
  CUCM_TRY(f.sgn, build_sgn(f.config, opts, *f.signer_key, *f.signer_cert));
  // Check once that what is measured is a file a phone would accept.
  CUCM_TRY(ParsedHeader parsed, parse_sgn(f.sgn));
  CUCM_CHECK(verify_signature(f.sgn, parsed, *f.signer_public));
  EncOptions enc{.filename = fmt::format("{}.cnf.xml.enc.sgn", kDevice),
                 .hash = HashAlg::Sha1,
                 .timestamp = kTimestamp};
  CUCM_TRY(Bytes enc_file,
           build_enc_sgn(f.config, *f.device_key, enc, *f.signer_key, *f.signer_cert));
  CUCM_TRY(ParsedHeader enc_parsed, parse_enc_sgn(enc_file));
  CUCM_CHECK(verify_signature(enc_file, enc_parsed, *f.signer_public));
  CUCM_TRY(Bytes plain, decrypt_enc_sgn(enc_file, enc_parsed, *f.device_key));
  if (plain != f.config) {
    return make_error(Errc::Internal, "bench: .enc.sgn does not decrypt to the config");
  }
  return f;
}

// Made once per run: two RSA key generations cost more than hundreds of measured builds.
const Fixture* fixture(benchmark::State& state) {
  static const Result<Fixture> f = make_fixture();
  if (!f) {
    state.SkipWithError(f.error().message.c_str());
    return nullptr;
  }
  return &*f;
}

void BM_SgnBuild(benchmark::State& state, HashAlg hash) {
  const Fixture* f = fixture(state);
  if (!f) return;
  SgnOptions opts{
      .filename = fmt::format("{}.cnf.xml.sgn", kDevice), .hash = hash, .timestamp = kTimestamp};
  for (auto _ : state) {
    auto file = build_sgn(f->config, opts, *f->signer_key, *f->signer_cert);
    if (!file) {
      state.SkipWithError(file.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(file->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SgnBuild, sha1, HashAlg::Sha1);
BENCHMARK_CAPTURE(BM_SgnBuild, sha512, HashAlg::Sha512);

void BM_EncSgnBuild(benchmark::State& state, HashAlg hash) {
  const Fixture* f = fixture(state);
  if (!f) return;
  EncOptions opts{.filename = fmt::format("{}.cnf.xml.enc.sgn", kDevice),
                  .hash = hash,
                  .timestamp = kTimestamp};
  for (auto _ : state) {
    auto file = build_enc_sgn(f->config, *f->device_key, opts, *f->signer_key, *f->signer_cert);
    if (!file) {
      state.SkipWithError(file.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(file->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_EncSgnBuild, sha1, HashAlg::Sha1);

// One RSASSA-PKCS1-v1_5 signature over a digest-sized input: the ceiling for anything that signs
// once per file, measured through the same EVP path the builders use.
void BM_RsaSign2048(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  Bytes data(32, 0x5a);
  for (auto _ : state) {
    auto sig = sign(*f->signer_key, HashAlg::Sha1, data);
    if (!sig) {
      state.SkipWithError(sig.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(sig->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RsaSign2048);

// The phone's side: parse the header and verify against the certificate's public key.
void BM_SgnParseVerify(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (!f) return;
  for (auto _ : state) {
    auto parsed = parse_sgn(f->sgn);
    if (!parsed) {
      state.SkipWithError(parsed.error().message.c_str());
      break;
    }
    auto ok = verify_signature(f->sgn, *parsed, *f->signer_public);
    if (!ok) {
      state.SkipWithError(ok.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(parsed->header_length);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SgnParseVerify);

}  // namespace
}  // namespace cucm::signer

BENCHMARK_MAIN();

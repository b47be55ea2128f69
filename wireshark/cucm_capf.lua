-- cucm_capf.lua: Wireshark dissector for CAPF (Certificate Authority Proxy Function) as CUCM
-- and cucm-emu speak it on TLS port 3804 (PROTOCOLS §3 of cucm-emu): an 8-byte header (protocol
-- id 0x55, command, SID u32 BE, body length u16 BE), then elements `u8 tag | u16 BE length |
-- value`. Command and element names as in cucm-emu's capf/proto/message.cpp.
--
-- Registered for the application data of TLS on port 3804 (decrypt with a key log, see
-- README.md). Several messages in one TLS record and one message over several records are both
-- handled (desegmentation). Over plain TCP: Decode As "cucm_capf" (tshark -d tcp.port==N,cucm_capf).

local C = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "") .. "cucm_common.lua")

local p = Proto("cucm_capf", "CUCM CAPF")

local commands = {
  [1] = "AuthRequest", [2] = "AuthResponse", [3] = "KeyGenRequest", [4] = "KeyGenResponse",
  [5] = "EncryptResponse", [6] = "EncryptRequest", [7] = "DecryptRequest", [8] = "DecryptResponse",
  [9] = "StoreCertRequest", [10] = "StoreCertResponse", [11] = "FetchCertRequest",
  [12] = "FetchCertResponse", [13] = "DeleteCertRequest", [14] = "DeleteCertResponse", [15] = "End",
  [16] = "RetryLater", [17] = "RequestInProgress", [18] = "StatusRequest", [19] = "StatusResponse",
  [20] = "AbortRequest", [21] = "AbortResponse", [22] = "SignCertRequest", [23] = "SignCertResponse",
}
local elements = {
  [1] = "Reason", [2] = "ReasonInfo", [3] = "CertificateType", [4] = "Certificate",
  [5] = "CertificateId", [6] = "SignedData", [7] = "Version", [8] = "AuthType", [9] = "PublicKey",
  [10] = "KeySize", [11] = "Password", [12] = "RetryDelay", [13] = "DeviceName", [16] = "SudiData",
  [17] = "KeyType", [18] = "Curve", [19] = "DigestType", [20] = "Sha2SignedData",
}
local reasons = { [0] = "no action", [1] = "update certificate (success)", [7] = "invalid element",
                  [9] = "unknown device" }
local cert_types = { [1] = "LSC", [2] = "MIC" }
local auth_types = { [0] = "none", [1] = "password (auth string)", [2] = "no password (null string)",
                     [3] = "LSC", [4] = "MIC" }
local key_types = { [0] = "RSA", [1] = "EC" }
local curves = { [0] = "secp256r1 (prime256v1)", [1] = "secp384r1", [2] = "secp521r1" }
local sudi_types = { [0] = "certificate", [1] = "SHA-1 signature", [3] = "SHA-512 signature" }

local f = {
  protocol_id = ProtoField.uint8("cucm_capf.protocol_id", "Protocol id", base.HEX),
  command = ProtoField.uint8("cucm_capf.command", "Command", base.DEC, commands),
  sid = ProtoField.uint32("cucm_capf.sid", "SID", base.DEC),
  body_length = ProtoField.uint16("cucm_capf.body_length", "Body length", base.DEC),
  element = ProtoField.none("cucm_capf.element", "Element"),
  tag = ProtoField.uint8("cucm_capf.element.tag", "Tag", base.DEC, elements),
  length = ProtoField.uint16("cucm_capf.element.length", "Length", base.DEC),
  reason = ProtoField.uint8("cucm_capf.reason", "Reason", base.DEC, reasons),
  reason_info = ProtoField.string("cucm_capf.reason_info", "ReasonInfo"),
  certificate_type = ProtoField.uint8("cucm_capf.certificate_type", "CertificateType", base.DEC, cert_types),
  cert_inner_tag = ProtoField.uint8("cucm_capf.certificate.inner_tag", "Inner tag", base.DEC),
  cert_inner_length = ProtoField.uint16("cucm_capf.certificate.inner_length", "Inner length (DER + 2)", base.DEC),
  cert_zero = ProtoField.uint8("cucm_capf.certificate.zero", "Zero byte", base.HEX),
  cert_tt = ProtoField.uint8("cucm_capf.certificate.tt", "TT", base.DEC),
  certificate = ProtoField.bytes("cucm_capf.certificate", "Certificate DER"),
  certificate_id = ProtoField.bytes("cucm_capf.certificate_id", "CertificateId"),
  signed_data = ProtoField.bytes("cucm_capf.signed_data", "SignedData"),
  version = ProtoField.uint8("cucm_capf.version", "Version", base.DEC),
  auth_type = ProtoField.uint8("cucm_capf.auth_type", "AuthType", base.DEC, auth_types),
  public_key = ProtoField.bytes("cucm_capf.public_key", "PublicKey (SubjectPublicKeyInfo DER)"),
  key_size = ProtoField.uint16("cucm_capf.key_size", "KeySize", base.DEC),
  password = ProtoField.string("cucm_capf.password", "Password"),
  retry_delay = ProtoField.bytes("cucm_capf.retry_delay", "RetryDelay"),
  device_name = ProtoField.string("cucm_capf.device_name", "DeviceName"),
  sudi_item = ProtoField.none("cucm_capf.sudi", "SudiData item"),
  sudi_type = ProtoField.uint8("cucm_capf.sudi.type", "Type", base.DEC, sudi_types),
  sudi_length = ProtoField.uint16("cucm_capf.sudi.length", "Length", base.DEC),
  sudi_value = ProtoField.bytes("cucm_capf.sudi.value", "Value"),
  key_type = ProtoField.uint8("cucm_capf.key_type", "KeyType", base.DEC, key_types),
  curve = ProtoField.uint8("cucm_capf.curve", "Curve", base.DEC, curves),
  digest_type = ProtoField.bytes("cucm_capf.digest_type", "DigestType"),
  sha2_hash = ProtoField.uint8("cucm_capf.sha2.hash", "Hash code", base.DEC, C.hash_names),
  sha2_length = ProtoField.uint16("cucm_capf.sha2.length", "Signature length", base.DEC),
  sha2_signature = ProtoField.bytes("cucm_capf.sha2.signature", "Signature"),
  unknown = ProtoField.bytes("cucm_capf.unknown", "Unknown element value"),
  der_length = ProtoField.uint32("cucm_capf.cert.der_length", "Certificate DER length", base.DEC),
  md5 = ProtoField.string("cucm_capf.cert.md5", "Certificate MD5 (certHash)"),
  cert_subject = ProtoField.string("cucm_capf.cert.subject", "Certificate subject"),
  cert_issuer = ProtoField.string("cucm_capf.cert.issuer", "Certificate issuer"),
}
p.fields = f

local e = {
  malformed = ProtoExpert.new("cucm_capf.malformed", "Malformed CAPF", expert.group.MALFORMED, expert.severity.ERROR),
  not_capf = ProtoExpert.new("cucm_capf.not_capf", "Not a CAPF message (protocol id is not 0x55)",
                             expert.group.MALFORMED, expert.severity.ERROR),
  unknown = ProtoExpert.new("cucm_capf.unknown", "Unknown command or element", expert.group.UNDECODED, expert.severity.NOTE),
}
p.experts = e

local cert_fields = { der_length = f.der_length, md5 = f.md5, subject = f.cert_subject, issuer = f.cert_issuer }

local function text(r)
  local s = r:raw()
  if s:sub(-1) == "\0" then return s:sub(1, -2), true end
  return s, false
end

local function show_der_certificate(r, pinfo, tree)
  local info, md5, why = C.show_certificate(r, pinfo, tree, cert_fields)
  if not info then tree:add_proto_expert_info(e.malformed, "certificate: " .. why) end
  return string.format("%d bytes DER, MD5 %s%s", r:len(), md5, info and (", " .. info.subject) or "")
end

-- One element's value. Returns the text shown after the element's name.
local function element_value(tag, r, len, pinfo, it)
  local one = { [1] = f.reason, [3] = f.certificate_type, [7] = f.version, [8] = f.auth_type,
                [17] = f.key_type, [18] = f.curve }
  if one[tag] then
    if len ~= 1 then
      it:add_proto_expert_info(e.malformed, string.format("%s: length %d vs expected 1", elements[tag], len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(one[tag], r)
    local v = r:uint()
    local names = ({ [1] = reasons, [3] = cert_types, [8] = auth_types, [17] = key_types, [18] = curves })[tag]
    return names and string.format("%s (%d)", names[v] or "unknown", v) or tostring(v)
  elseif tag == 10 then
    if len ~= 2 then
      it:add_proto_expert_info(e.malformed, string.format("KeySize: length %d vs expected 2", len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(f.key_size, r)
    return tostring(r:uint()) .. " bits"
  elseif tag == 2 or tag == 11 or tag == 13 then
    local field = ({ [2] = f.reason_info, [11] = f.password, [13] = f.device_name })[tag]
    if not r then it:add(field, ""); return '""' end
    local s, nul = text(r)
    it:add(field, r, s)
    if tag ~= 2 and not nul then
      it:add_proto_expert_info(e.malformed, elements[tag] .. " has no terminating NUL")
    end
    return '"' .. s .. '"'
  elseif tag == 4 then
    -- Nested: 01 MMMM | 00 TT | DER, MMMM = DER length + 2 (PROTOCOLS §3.4).
    if len < 5 then
      it:add_proto_expert_info(e.malformed, string.format("Certificate: length %d, the nested header alone is 5", len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(f.cert_inner_tag, r(0, 1))
    it:add(f.cert_inner_length, r(1, 2))
    it:add(f.cert_zero, r(3, 1))
    it:add(f.cert_tt, r(4, 1))
    if r(0, 1):uint() ~= 1 or r(1, 2):uint() ~= len - 3 or r(3, 1):uint() ~= 0 then
      it:add_proto_expert_info(e.malformed, string.format("Certificate: nested header %s vs expected 01 %04x 00 TT",
                                                          tostring(r(0, 4):bytes()):lower(), len - 3))
    end
    if len == 5 then return "empty" end
    local der = r(5)
    local ct = it:add(f.certificate, der)
    return show_der_certificate(der, pinfo, ct)
  elseif tag == 16 then
    -- Three sub-items `u8 type | u16 BE length | value` (PROTOCOLS §3.5).
    local q, n = 0, 0
    while q < len do
      n = n + 1
      if q + 3 > len then
        it:add_proto_expert_info(e.malformed, string.format("SudiData item %d: %d bytes left, a header needs 3", n, len - q))
        break
      end
      local ty, l = r(q, 1):uint(), r(q + 1, 2):uint()
      if q + 3 + l > len then
        it:add_proto_expert_info(e.malformed, string.format("SudiData item %d: length %d runs past the element", n, l))
        break
      end
      local st = it:add(f.sudi_item, r(q, 3 + l))
      st:set_text(string.format("SudiData item %d: %s (type %d), %d bytes", n, sudi_types[ty] or "unknown", ty, l))
      st:add(f.sudi_type, r(q, 1))
      st:add(f.sudi_length, r(q + 1, 2))
      if l > 0 then
        local vt = st:add(f.sudi_value, r(q + 3, l))
        if ty == 0 then show_der_certificate(r(q + 3, l), pinfo, vt) end
      end
      q = q + 3 + l
    end
    if n ~= 3 then it:add_proto_expert_info(e.malformed, string.format("SudiData: %d items vs expected 3", n)) end
    return string.format("%d items", n)
  elseif tag == 20 then
    -- u8 hash code, u16 BE length, signature.
    if len < 3 then
      it:add_proto_expert_info(e.malformed, string.format("Sha2SignedData: length %d, its header alone is 3", len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(f.sha2_hash, r(0, 1))
    it:add(f.sha2_length, r(1, 2))
    local l = r(1, 2):uint()
    if l ~= len - 3 then
      it:add_proto_expert_info(e.malformed, string.format("Sha2SignedData: signature length %d vs %d bytes left", l, len - 3))
    end
    if len > 3 then it:add(f.sha2_signature, r(3)) end
    return string.format("%s, %d-byte signature", C.hash_names[r(0, 1):uint()] or "unknown hash", len - 3)
  else
    local field = ({ [5] = f.certificate_id, [6] = f.signed_data, [9] = f.public_key, [12] = f.retry_delay,
                     [19] = f.digest_type })[tag]
    if not field then
      field = f.unknown
      it:add_proto_expert_info(e.unknown, string.format("element tag %d (%d bytes), skipped by its length", tag, len))
    end
    if r then it:add(field, r) end
    return string.format("%d bytes", len)
  end
end

-- One whole message (header and body present) at tvb[off, off + 8 + body).
local function message(tvb, off, pinfo, tree)
  local cmd, sid, blen = tvb(off + 1, 1):uint(), tvb(off + 2, 4):uint(), tvb(off + 6, 2):uint()
  local name = commands[cmd] or string.format("unknown command %d", cmd)
  local mt = tree:add(p, tvb(off, 8 + blen))
  mt:append_text(string.format(", %s, SID %d", name, sid))
  mt:add(f.protocol_id, tvb(off, 1))
  local ct = mt:add(f.command, tvb(off + 1, 1))
  if not commands[cmd] then ct:add_proto_expert_info(e.unknown, string.format("command %d", cmd)) end
  mt:add(f.sid, tvb(off + 2, 4))
  mt:add(f.body_length, tvb(off + 6, 2))
  local read = C.add_elements{tvb = tvb, pinfo = pinfo, tree = mt, off = off, start = off + 8, stop = off + 8 + blen,
                              names = elements, fields = {element = f.element, tag = f.tag, length = f.length},
                              malformed = e.malformed, value = element_value}
  local names = {}
  for _, el in ipairs(read) do names[#names + 1] = el.name end
  pinfo.cols.info:append(string.format(" %s%s", name, #names > 0 and ("{" .. table.concat(names, ",") .. "}") or ""))
end

-- Messages: the 8-byte header holds the body length at offset 6.
p.dissector = C.framed_dissector{proto = p, label = "CAPF", id = 0x55, header = 8, length_at = 6,
                                 not_ours = e.not_capf, message = message}

DissectorTable.get("tls.port"):add(3804, p)
-- Wireshark gives TCP 3804 to Harman HiQnet; in a CUCM capture it is CAPF over TLS.
local tcp_port = DissectorTable.get("tcp.port")
tcp_port:add(3804, Dissector.get("tls"))
tcp_port:add_for_decode_as(p)

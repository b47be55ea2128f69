-- cucm_files.lua: Wireshark dissector for the signed files a CUCM cluster serves to phones over
-- TFTP (UDP 69) and HTTP (TCP 6970, or HTTPS 6971 once decrypted): `.sgn` (header 1.0),
-- `.enc.sgn` (2.0) and the ITL/CTL trust lists `.tlv` (1.2). Wire format: PROTOCOLS §5 of
-- cucm-emu; names as in cucm-emu's signer/tlv_header.cpp and signer/trust_list.cpp.
--
-- Found by its first bytes (a heuristic on the TFTP and HTTP payloads): tag 1 Version, length 2,
-- then tag 2 HeaderLength, length 2. Over TFTP the whole file is seen only with the TFTP
-- preference "Reassemble fragmented TFTP files" (tftp.defragment); without it the first block is
-- decoded and what lies past it is flagged.

local C = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "") .. "cucm_common.lua")

local p = Proto("cucm_files", "CUCM signed file (.sgn, .enc.sgn, ITL/CTL)")

-- Header tags (PROTOCOLS §5.1, §5.3), named as signer::header_tag_name names them.
local tag_names = {
  [1] = "Version", [2] = "HeaderLength", [3] = "SignerInfo", [4] = "SignerName",
  [5] = "SerialNumber", [6] = "IssuerName", [7] = "SignatureInfo", [8] = "HashAlgorithm",
  [9] = "SignatureAlgorithmInfo", [10] = "SignatureAlgorithm", [11] = "SignatureModulus",
  [12] = "Signature", [13] = "Padding", [14] = "Filename", [15] = "Timestamp",
  [16] = "EncryptionInfo", [17] = "IvInfo", [18] = "IvFlag", [19] = "Iv", [20] = "PadCount",
  [21] = "KeyInfo", [22] = "KeyFlag", [23] = "KeyBits", [24] = "Cipher", [25] = "WrappedKey",
  [26] = "DigestAlgorithm", [27] = "Digest", [28] = "SignerVersion",
}
local containers = { [3] = true, [7] = true, [9] = true, [16] = true, [17] = true, [21] = true }
-- ITL/CTL record tags (PROTOCOLS §5.4), named as signer::record_tag_name names them.
local record_tag_names = {
  [1] = "RecordLength", [2] = "DnsName", [3] = "Subject", [4] = "Role", [5] = "Issuer",
  [6] = "Serial", [7] = "PublicKey", [8] = "Signature", [9] = "Certificate", [10] = "IpAddress",
  [11] = "CertHash", [12] = "HashAlgorithm",
}
local modulus_names = { [0] = "64-byte signature", [1] = "128-byte signature",
                        [2] = "256-byte signature", [3] = "512-byte signature" }

local f = {
  item = ProtoField.none("cucm_files.item", "Item"),
  tag = ProtoField.uint8("cucm_files.tag", "Tag", base.DEC, tag_names),
  length = ProtoField.uint16("cucm_files.length", "Length", base.DEC),
  version = ProtoField.string("cucm_files.version", "Version"),
  header_length = ProtoField.uint16("cucm_files.header_length", "HeaderLength", base.DEC),
  signer_version = ProtoField.string("cucm_files.signer_version", "SignerVersion"),
  signer_name = ProtoField.string("cucm_files.signer_name", "SignerName"),
  serial_number = ProtoField.bytes("cucm_files.serial_number", "SerialNumber"),
  issuer_name = ProtoField.string("cucm_files.issuer_name", "IssuerName"),
  hash_algorithm = ProtoField.uint8("cucm_files.hash_algorithm", "HashAlgorithm", base.DEC, C.hash_names),
  signature_algorithm = ProtoField.uint8("cucm_files.signature_algorithm", "SignatureAlgorithm",
                                         base.DEC, { [0] = "RSA" }),
  signature_modulus = ProtoField.uint8("cucm_files.signature_modulus", "SignatureModulus",
                                       base.DEC, modulus_names),
  signature = ProtoField.bytes("cucm_files.signature", "Signature"),
  padding = ProtoField.uint8("cucm_files.padding", "Padding", base.HEX),
  filename = ProtoField.string("cucm_files.filename", "Filename"),
  timestamp = ProtoField.absolute_time("cucm_files.timestamp", "Timestamp", base.UTC),
  iv_flag = ProtoField.uint8("cucm_files.iv_flag", "IvFlag", base.DEC),
  iv = ProtoField.bytes("cucm_files.iv", "Iv"),
  pad_count = ProtoField.uint16("cucm_files.pad_count", "PadCount", base.DEC),
  key_flag = ProtoField.uint8("cucm_files.key_flag", "KeyFlag", base.DEC),
  key_bits = ProtoField.uint16("cucm_files.key_bits", "KeyBits", base.DEC),
  cipher = ProtoField.uint8("cucm_files.cipher", "Cipher", base.DEC, { [1] = "AES-128-CBC (presumed)" }),
  wrapped_key = ProtoField.bytes("cucm_files.wrapped_key", "WrappedKey"),
  digest_algorithm = ProtoField.uint8("cucm_files.digest_algorithm", "DigestAlgorithm", base.DEC, C.hash_names),
  digest = ProtoField.bytes("cucm_files.digest", "Digest"),
  unknown = ProtoField.bytes("cucm_files.unknown", "Unknown item value"),
  payload = ProtoField.bytes("cucm_files.payload", "Payload"),
  ciphertext = ProtoField.bytes("cucm_files.ciphertext", "Ciphertext"),
  -- ITL/CTL records
  record = ProtoField.none("cucm_files.record", "Record"),
  record_tag = ProtoField.uint8("cucm_files.record.tag", "Tag", base.DEC, record_tag_names),
  record_length = ProtoField.uint16("cucm_files.record.length", "RecordLength", base.DEC),
  dns_name = ProtoField.string("cucm_files.record.dns_name", "DnsName"),
  subject = ProtoField.string("cucm_files.record.subject", "Subject"),
  role = ProtoField.uint16("cucm_files.record.role", "Role", base.DEC, C.roles),
  issuer = ProtoField.string("cucm_files.record.issuer", "Issuer"),
  serial = ProtoField.bytes("cucm_files.record.serial", "Serial"),
  public_key = ProtoField.bytes("cucm_files.record.public_key", "PublicKey"),
  record_signature = ProtoField.bytes("cucm_files.record.signature", "Signature"),
  certificate = ProtoField.bytes("cucm_files.record.certificate", "Certificate"),
  ip_address = ProtoField.bytes("cucm_files.record.ip_address", "IpAddress"),
  cert_hash = ProtoField.bytes("cucm_files.record.cert_hash", "CertHash"),
  record_hash_algorithm = ProtoField.uint8("cucm_files.record.hash_algorithm", "HashAlgorithm",
                                           base.DEC, C.hash_names),
  record_unknown = ProtoField.bytes("cucm_files.record.unknown", "Unknown item value"),
  -- what we compute from a certificate
  der_length = ProtoField.uint32("cucm_files.cert.der_length", "Certificate DER length", base.DEC),
  md5 = ProtoField.string("cucm_files.cert.md5", "Certificate MD5 (certHash)"),
  cert_subject = ProtoField.string("cucm_files.cert.subject", "Certificate subject"),
  cert_issuer = ProtoField.string("cucm_files.cert.issuer", "Certificate issuer"),
}
p.fields = f

local e = {
  malformed = ProtoExpert.new("cucm_files.malformed", "Malformed item", expert.group.MALFORMED, expert.severity.ERROR),
  truncated = ProtoExpert.new("cucm_files.truncated", "File continues past the captured bytes",
                              expert.group.UNDECODED, expert.severity.WARN),
  missing = ProtoExpert.new("cucm_files.missing", "Required item missing", expert.group.PROTOCOL, expert.severity.WARN),
  unknown = ProtoExpert.new("cucm_files.unknown_tag", "Unknown tag (skipped by its length)",
                            expert.group.UNDECODED, expert.severity.NOTE),
}
p.experts = e

local cert_fields = { der_length = f.der_length, md5 = f.md5, subject = f.cert_subject, issuer = f.cert_issuer }

-- Text of a NUL-terminated value (the NUL counts in the length, PROTOCOLS §5.1).
local function text(r)
  local s = r:raw()
  if s:sub(-1) == "\0" then s = s:sub(1, -2) end
  return s
end

-- Adds one header item's value (range r, nil when empty) under its item st, checking fixed sizes;
-- returns the value as text for the item's label.
local function header_value(tag, r, st)
  local len = r and r:len() or 0
  local function fixed(n)
    if len ~= n then
      st:add_proto_expert_info(e.malformed, string.format("%s: length %d vs expected %d", tag_names[tag], len, n))
      if r then st:add(f.unknown, r) end
      return false
    end
    return true
  end
  if tag == 1 or tag == 28 then
    if fixed(2) then
      local v = string.format("%d.%d", r(0, 1):uint(), r(1, 1):uint())
      st:add(tag == 1 and f.version or f.signer_version, r, v)
      return v
    end
  elseif tag == 2 then
    if fixed(2) then st:add(f.header_length, r); return tostring(r:uint()) end
  elseif tag == 4 or tag == 6 or tag == 14 then
    local field = tag == 4 and f.signer_name or tag == 6 and f.issuer_name or f.filename
    local v = len > 0 and text(r) or ""
    if len > 0 then st:add(field, r, v) else st:add(field, v) end
    return v
  elseif tag == 5 then
    if len > 0 then st:add(f.serial_number, r) end
    return len > 0 and tostring(r:bytes()):lower() or ""
  elseif tag == 8 or tag == 10 or tag == 11 or tag == 18 or tag == 22 or tag == 24 or tag == 26 then
    local field = ({ [8] = f.hash_algorithm, [10] = f.signature_algorithm, [11] = f.signature_modulus,
                     [18] = f.iv_flag, [22] = f.key_flag, [24] = f.cipher, [26] = f.digest_algorithm })[tag]
    if fixed(1) then
      st:add(field, r)
      local v = r:uint()
      if tag == 8 or tag == 26 then return string.format("%s (%d)", C.hash_names[v] or "unknown", v) end
      if tag == 11 then return string.format("%d (%s)", v, modulus_names[v] or "unknown") end
      return tostring(v)
    end
  elseif tag == 15 then
    if fixed(4) then
      st:add(f.timestamp, r, NSTime.new(r:uint(), 0))
      return os.date("!%Y-%m-%d %H:%M:%S UTC", r:uint())
    end
  elseif tag == 20 or tag == 23 then
    if fixed(2) then st:add(tag == 20 and f.pad_count or f.key_bits, r); return tostring(r:uint()) end
  elseif tag == 12 or tag == 19 or tag == 25 or tag == 27 then
    local field = ({ [12] = f.signature, [19] = f.iv, [25] = f.wrapped_key, [27] = f.digest })[tag]
    if len > 0 then st:add(field, r) end
    return string.format("%d bytes", len)
  else
    st:add_proto_expert_info(e.unknown, string.format("tag %d, %d bytes", tag, len))
    if len > 0 then st:add(f.unknown, r) end
    return string.format("%d bytes", len)
  end
  return "?"
end

-- Walks the items in [off, stop) of the header into tree, noting each tag's value text in seen.
-- An item that runs past the captured bytes while staying inside the header is truncation, not a
-- fault. Returns false when the walk had to stop early.
local function walk(tvb, off, stop, tree, seen)
  local captured = tvb:len()
  while off < stop do
    if off >= captured then
      tree:add_proto_expert_info(e.truncated, string.format("header continues to offset %d, captured %d bytes", stop, captured))
      return false
    end
    local tag = tvb(off, 1):uint()
    local name = tag_names[tag] or "unknown"
    if tag == 13 then                                   -- the one-byte pad, no length
      local st = tree:add(f.padding, tvb(off, 1))
      st:set_text(string.format("Padding (tag 13, no length) at offset %d", off))
      seen[13] = true
      off = off + 1
    else
      if off + 3 > stop or off + 3 > captured then
        local st = tree:add(f.item, tvb(off, math.min(stop, captured) - off))
        if off + 3 > stop then
          st:add_proto_expert_info(e.malformed, string.format("%s (tag %d) at offset %d: no room for its length (%d bytes left)",
                                                              name, tag, off, stop - off))
        else
          st:add_proto_expert_info(e.truncated, string.format("%s (tag %d) at offset %d continues past the captured bytes", name, tag, off))
        end
        return false
      end
      local len = tvb(off + 1, 2):uint()
      local vend = off + 3 + len
      local st = tree:add(f.item, tvb(off, math.min(vend, captured, stop) - off))
      st:add(f.tag, tvb(off, 1))
      st:add(f.length, tvb(off + 1, 2))
      if vend > stop then
        st:set_text(string.format("%s (tag %d, length %d) at offset %d", name, tag, len, off))
        st:add_proto_expert_info(e.malformed, string.format("%s (tag %d) at offset %d: length %d runs past its container (ends at %d)",
                                                            name, tag, off, len, stop))
        return false
      end
      if vend > captured then
        st:set_text(string.format("%s (tag %d, length %d) at offset %d", name, tag, len, off))
        st:add_proto_expert_info(e.truncated, string.format("%s (tag %d) at offset %d: %d value bytes, %d captured",
                                                            name, tag, off, len, captured - off - 3))
        return false
      end
      local r = len > 0 and tvb(off + 3, len) or nil
      if containers[tag] then
        st:set_text(string.format("%s (tag %d, length %d): container", name, tag, len))
        seen[tag] = "container"
        if not walk(tvb, off + 3, vend, st, seen) then return false end
      else
        local v = header_value(tag, r, st)
        st:set_text(string.format("%s (tag %d, length %d): %s", name, tag, len, v))
        if seen[tag] and (tag == 8 or tag == 12) then
          st:add_proto_expert_info(e.malformed, string.format("%s repeated", name))
        end
        seen[tag] = v
      end
      off = vend
    end
  end
  return true
end

-- ITL/CTL records from `off` to the end of the bytes (PROTOCOLS §5.4).
local function records(tvb, pinfo, off, tree)
  local captured, n = tvb:len(), 0
  while off < captured do
    n = n + 1
    if off + 5 > captured then
      local st = tree:add(f.record, tvb(off))
      st:set_text(string.format("Record %d at offset %d", n, off))
      st:add_proto_expert_info(e.truncated, string.format("record %d: %d bytes captured, its length item needs 5", n, captured - off))
      return n - 1
    end
    local t, l, total = tvb(off, 1):uint(), tvb(off + 1, 2):uint(), tvb(off + 3, 2):uint()
    local rec_end = off + total
    local st = tree:add(f.record, tvb(off, math.min(rec_end, captured) - off))
    st:set_text(string.format("Record %d at offset %d", n, off))
    if t ~= 1 or l ~= 2 or total < 5 then
      st:add_proto_expert_info(e.malformed, string.format("record at offset %d: starts %d/%d/%d vs expected 1 (RecordLength), length 2, total >= 5",
                                                          off, t, l, total))
      return n - 1
    end
    local lt = st:add(f.item, tvb(off, 5))
    lt:set_text(string.format("RecordLength (tag 1, length 2): %d", total))
    lt:add(f.record_tag, tvb(off, 1))
    lt:add(f.length, tvb(off + 1, 2))
    lt:add(f.record_length, tvb(off + 3, 2))
    local stop = math.min(rec_end, captured)
    if rec_end > captured then
      st:add_proto_expert_info(e.truncated, string.format("record %d: %d bytes, %d captured", n, total, captured - off))
    end
    local q, role, subject = off + 5, nil, nil
    while q < stop do
      if q + 3 > stop then
        st:add_proto_expert_info(rec_end > captured and e.truncated or e.malformed,
                                 string.format("record item at offset %d: no room for its tag and length", q))
        break
      end
      local tg, len = tvb(q, 1):uint(), tvb(q + 1, 2):uint()
      local name = record_tag_names[tg] or "unknown"
      local it = st:add(f.item, tvb(q, math.min(q + 3 + len, stop) - q))
      it:add(f.record_tag, tvb(q, 1))
      it:add(f.length, tvb(q + 1, 2))
      if q + 3 + len > stop then
        it:set_text(string.format("%s (tag %d, length %d) at offset %d", name, tg, len, q))
        it:add_proto_expert_info(rec_end > captured and q + 3 + len <= rec_end and e.truncated or e.malformed,
                                 string.format("%s at offset %d: length %d runs past the record's %s", name, q, len,
                                               rec_end > captured and "captured bytes" or "end"))
        break
      end
      local r = len > 0 and tvb(q + 3, len) or nil
      local v = string.format("%d bytes", len)
      if tg == 2 or tg == 3 or tg == 5 then
        v = r and text(r) or ""
        local field = ({ [2] = f.dns_name, [3] = f.subject, [5] = f.issuer })[tg]
        if r then it:add(field, r, v) else it:add(field, v) end
        if tg == 3 then subject = v end
      elseif tg == 4 then
        if len == 2 then
          role = r:uint()
          it:add(f.role, r)
          v = string.format("%s (%d)", C.role_name(role), role)
        else
          it:add_proto_expert_info(e.malformed, string.format("Role: length %d vs expected 2", len))
        end
      elseif tg == 12 then
        if len == 1 then
          it:add(f.record_hash_algorithm, r)
          v = C.hash_names[r:uint()] or tostring(r:uint())
        elseif r then it:add(f.record_unknown, r) end
      elseif r then
        local field = ({ [6] = f.serial, [7] = f.public_key, [8] = f.record_signature, [9] = f.certificate,
                         [10] = f.ip_address, [11] = f.cert_hash })[tg]
        if not field then
          field = f.record_unknown
          it:add_proto_expert_info(e.unknown, string.format("record tag %d, %d bytes", tg, len))
        end
        local vt = it:add(field, r)
        if tg == 6 or tg == 11 then v = tostring(r:bytes()):lower() end
        if tg == 7 and r(0, 1):uint() == 0x30 then
          C.call_rsa_public_key(r:tvb(), pinfo, vt)
        elseif tg == 9 then
          local info, md5, why = C.show_certificate(r, pinfo, vt, cert_fields)
          v = string.format("%d bytes DER, MD5 %s%s", len, md5, info and (", " .. info.subject) or "")
          if not info then vt:add_proto_expert_info(e.malformed, "certificate: " .. why) end
        end
      end
      it:set_text(string.format("%s (tag %d, length %d): %s", name, tg, len, v))
      q = q + 3 + len
    end
    st:append_text(string.format(", %d bytes: %s %s", total, role and C.role_name(role) or "no role", subject or ""))
    off = rec_end
  end
  return n
end

local xml = Dissector.get("xml")

function p.dissector(tvb, pinfo, tree)
  local captured = tvb:len()
  if captured < 10 then return 0 end
  local hl = tvb(8, 2):uint()
  local top = tree:add(p, tvb(0, math.min(hl, captured)))
  local ht = top:add(f.item, tvb(0, math.min(hl, captured)))
  ht:set_text(string.format("Header (%d bytes)", hl))
  local seen = {}
  walk(tvb, 0, hl, ht, seen)
  for _, need in ipairs({ 8, 12 }) do
    if not seen[need] and hl <= captured then
      ht:add_proto_expert_info(e.missing, tag_names[need] .. " (tag " .. need .. ") is missing")
    end
  end
  local version = seen[1] or "?"
  local major = tvb(3, 1):uint()
  local kind
  if major == 2 or seen[16] then kind = ".enc.sgn"
  elseif seen[28] or version == "1.2" then kind = "ITL/CTL"
  else kind = ".sgn" end
  top:append_text(string.format(", %s, version %s, %s", kind, version, seen[14] or "no Filename"))
  local info = string.format("%s %s", kind, seen[14] or "")
  if hl > captured then
    top:add_proto_expert_info(e.truncated, string.format("header is %d bytes, %d captured (over TFTP: enable tftp.defragment)", hl, captured))
  elseif hl < 10 then
    top:add_proto_expert_info(e.malformed, string.format("HeaderLength %d is inside its own first items", hl))
  elseif hl < captured then
    local body = tvb(hl)
    if kind == "ITL/CTL" then
      local rt = top:add(f.item, body)
      local n = records(tvb, pinfo, hl, rt)
      rt:set_text(string.format("Records (%d, from offset %d)", n, hl))
      info = info .. string.format(", %d records", n)
    elseif kind == ".enc.sgn" then
      local ct = top:add(f.ciphertext, body)
      ct:append_text(string.format(" (%d bytes)", body:len()))
      if body:len() % 16 ~= 0 then
        ct:add_proto_expert_info(e.truncated, "AES-CBC ciphertext is not a multiple of 16 bytes")
      end
    else
      local pt = top:add(f.payload, body)
      pt:append_text(string.format(" (%d bytes)", body:len()))
      if xml and body(0, 1):uint() == 0x3c then pcall(function() xml:call(body:tvb(), pinfo, pt) end) end
    end
  end
  pinfo.cols.protocol:set("CUCM-FILE")
  pinfo.cols.info:append(" [" .. info .. "]")
  return captured
end

-- The first bytes of every header: 01 0002 <major> <minor> 02 0002 <HeaderLength>.
local function heuristic(tvb, pinfo, tree)
  if tvb:len() < 10 then return false end
  if tvb(0, 1):uint() ~= 1 or tvb(1, 2):uint() ~= 2 or tvb(5, 1):uint() ~= 2 or tvb(6, 2):uint() ~= 2 then
    return false
  end
  local major = tvb(3, 1):uint()
  if major ~= 1 and major ~= 2 then return false end
  p.dissector(tvb, pinfo, tree)
  return true
end

p:register_heuristic("tftp", heuristic)
p:register_heuristic("http", heuristic)

-- HTTPS on 6971 (PROTOCOLS §8.1): TLS on that TCP port, HTTP inside; unless already taken.
local tcp_port, tls_port = DissectorTable.get("tcp.port"), DissectorTable.get("tls.port")
if not tcp_port:get_dissector(6971) then tcp_port:add(6971, Dissector.get("tls")) end
if not tls_port:get_dissector(6971) then tls_port:add(6971, Dissector.get("http-over-tls")) end

-- TFTP without reassembly (tftp.defragment off, Wireshark's default) hands no DATA block to the
-- heuristics. A post-dissector then decodes the first block of a transfer on its own: what fits
-- in 512 bytes, with the rest flagged as "continues past the captured bytes".
local first_block = Proto("cucm_files_tftp", "CUCM signed file, first TFTP block")
local tftp_opcode = Field.new("tftp.opcode")
local tftp_block = Field.new("tftp.block")
local tftp_reassembled_in = Field.new("tftp.reassembled_in")
local tftp_reassembled_length = Field.new("tftp.reassembled.length")
local own_header_length = Field.new("cucm_files.header_length")

function first_block.dissector(tvb, pinfo, tree)
  local op, block = tftp_opcode(), tftp_block()
  if not op or op.value ~= 3 or not block or block.value ~= 1 then return end
  if tftp_reassembled_in() or tftp_reassembled_length() or own_header_length() then return end
  local data_at = op.offset + 4
  if data_at + 10 > tvb:len() then return end
  local data = tvb(data_at):tvb()
  heuristic(data, pinfo, tree)
end
register_postdissector(first_block)

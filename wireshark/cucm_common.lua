-- cucm_common.lua: helpers shared by the cucm-emu dissectors (cucm_capf.lua, cucm_tvs.lua,
-- cucm_files.lua). Each of those loads this file from its own folder with dofile(); Wireshark
-- also runs it as a plugin of its own when it sits in the plugin folder, which does nothing.
--
-- What is here:
--   md5_hex(s)            MD5 (RFC 1321) of a Lua string, lowercase hex: the certHash of a
--                         certificate's DER (PROTOCOLS §7.3). Wireshark 4.0's Lua API has no hash.
--   cert_names(der)       subject and issuer of a DER certificate, as "CN=…,O=…" in the
--                         certificate's own RDN order, or nil and a reason.
--   call_x509(...)        hands certificate bytes to Wireshark's X.509 dissector (x509af).
--   role_name(code)       ITL/CTL and TVS role names (PROTOCOLS §5.5).
-- Nothing here raises a Lua error on bad bytes: every read is bounds-checked.

local M = {}

local band, bor, bxor, bnot, lrot = bit32.band, bit32.bor, bit32.bxor, bit32.bnot, bit32.lrotate

-- MD5 per RFC 1321: 64 steps per 64-byte block, four rounds with their own function and shifts.
local md5_k, md5_s = {}, {}
for i = 0, 63 do md5_k[i] = math.floor(math.abs(math.sin(i + 1)) * 4294967296) % 4294967296 end
do
  local shifts = { {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21} }
  for i = 0, 63 do md5_s[i] = shifts[math.floor(i / 16) + 1][i % 4 + 1] end
end

local function le32(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256,
                     math.floor(n / 16777216) % 256)
end

function M.md5_hex(msg)
  local bits = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) ..
        le32(bits % 4294967296) .. le32(math.floor(bits / 4294967296))
  local a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
  local w = {}
  for chunk = 1, #msg, 64 do
    for j = 0, 15 do
      local p = chunk + j * 4
      local b1, b2, b3, b4 = msg:byte(p, p + 3)
      w[j] = b1 + b2 * 256 + b3 * 65536 + b4 * 16777216
    end
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then
        f, g = bor(band(b, c), band(bnot(b), d)), i
      elseif i < 32 then
        f, g = bor(band(d, b), band(bnot(d), c)), (5 * i + 1) % 16
      elseif i < 48 then
        f, g = bxor(b, c, d), (3 * i + 5) % 16
      else
        f, g = bxor(c, bor(b, bnot(d))), (7 * i) % 16
      end
      f = (f + a + md5_k[i] + w[g]) % 4294967296
      a, d, c = d, c, b
      b = (b + lrot(f, md5_s[i])) % 4294967296
    end
    a0, b0 = (a0 + a) % 4294967296, (b0 + b) % 4294967296
    c0, d0 = (c0 + c) % 4294967296, (d0 + d) % 4294967296
  end
  local out = le32(a0) .. le32(b0) .. le32(c0) .. le32(d0)
  return (out:gsub(".", function(ch) return string.format("%02x", ch:byte()) end))
end

-- DER: one TLV at 1-based position p of s, within limit (last index). Returns tag, value start,
-- value end (inclusive), next position; or nil when the bytes do not hold a whole TLV.
local function der_tlv(s, p, limit)
  if p + 1 > limit then return nil end
  local tag, len = s:byte(p), s:byte(p + 1)
  local vstart = p + 2
  if len >= 0x80 then
    local n = len - 0x80
    if n < 1 or n > 3 or p + 1 + n > limit then return nil end
    len = 0
    for i = 1, n do len = len * 256 + s:byte(p + 1 + i) end
    vstart = p + 2 + n
  end
  local vend = vstart + len - 1
  if vend > limit then return nil end
  return tag, vstart, vend, vend + 1
end

local function oid_string(s, a, b)
  local parts, n = {}, 0
  for i = a, b do
    local byte = s:byte(i)
    n = n * 128 + (byte % 128)
    if byte < 128 then
      if #parts == 0 then
        local first = n < 80 and math.floor(n / 40) or 2
        parts[1], parts[2] = tostring(first), tostring(n - first * 40)
      else
        parts[#parts + 1] = tostring(n)
      end
      n = 0
    end
  end
  return table.concat(parts, ".")
end

-- Short names as the usecallmanager tools write them (PROTOCOLS §5.1 "Names"); others dotted.
local attr_names = {
  ["2.5.4.3"] = "CN", ["2.5.4.6"] = "C", ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST",
  ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU", ["2.5.4.9"] = "STREET",
  ["0.9.2342.19200300.100.1.25"] = "DC", ["0.9.2342.19200300.100.1.1"] = "UID",
}

local function der_name(s, a, b)
  local out, p = {}, a
  while p <= b do
    local tag, sa, sb, nxt = der_tlv(s, p, b)           -- SET of AttributeTypeAndValue
    if not tag or tag ~= 0x31 then return nil end
    local q = sa
    while q <= sb do
      local t2, va, vb, n2 = der_tlv(s, q, sb)          -- SEQUENCE { type, value }
      if not t2 or t2 ~= 0x30 then return nil end
      local t3, oa, ob, n3 = der_tlv(s, va, vb)
      if not t3 or t3 ~= 0x06 then return nil end
      local t4, xa, xb = der_tlv(s, n3, vb)
      if not t4 then return nil end
      local oid = oid_string(s, oa, ob)
      local value = s:sub(xa, xb):gsub('[\\",+;<>]', function(c) return "\\" .. c end)
      out[#out + 1] = (attr_names[oid] or oid) .. "=" .. value
      q = n2
    end
    p = nxt
  end
  return table.concat(out, ",")
end

-- Subject and issuer of a DER certificate, or nil and why not.
function M.cert_names(s)
  local tag, ca, cb = der_tlv(s, 1, #s)
  if not tag or tag ~= 0x30 then return nil, "not a DER SEQUENCE" end
  if cb ~= #s then return nil, string.format("DER length %d vs %d bytes", cb, #s) end
  local t, ta, tb = der_tlv(s, ca, cb)                  -- tbsCertificate
  if not t or t ~= 0x30 then return nil, "no tbsCertificate" end
  local fields, p = {}, ta
  while p <= tb and #fields < 7 do
    local ft, fa, fb, nxt = der_tlv(s, p, tb)
    if not ft then return nil, "tbsCertificate field runs past its end" end
    if not (#fields == 0 and ft == 0xa0) then fields[#fields + 1] = { fa, fb } end
    p = nxt
  end
  if #fields < 5 then return nil, "tbsCertificate too short" end
  local issuer = der_name(s, fields[3][1], fields[3][2])
  local subject = der_name(s, fields[5][1], fields[5][2])
  if not issuer or not subject then return nil, "a Name does not parse" end
  return { subject = subject, issuer = issuer }
end

-- Hands a certificate to Wireshark's X.509 dissector (BER syntax "Certificate"). Only whole DER
-- SEQUENCEs go there, and any error it raises is kept out of the caller (pcall).
local x509 = nil
pcall(function() x509 = DissectorTable.get("ber.syntax"):get_dissector("Certificate") end)
function M.call_x509(tvb, pinfo, tree)
  if not x509 then return false end
  return (pcall(function() x509:call(tvb, pinfo, tree) end))
end

-- Wireshark's PKCS#1 RSAPublicKey dissector, registered under the rsaEncryption OID.
local rsa_key = nil
pcall(function() rsa_key = DissectorTable.get("ber.oid"):get_dissector("1.2.840.113549.1.1.1") end)
function M.call_rsa_public_key(tvb, pinfo, tree)
  if not rsa_key then return false end
  return (pcall(function() rsa_key:call(tvb, pinfo, tree) end))
end

M.roles = { [0] = "SAST", [1] = "CCM", [2] = "CCM+TFTP", [3] = "TFTP", [4] = "CAPF",
            [7] = "APP-SERVER", [21] = "TVS" }
function M.role_name(code) return M.roles[code] or ("ROLE-" .. code) end

-- Hash codes shared by CAPF and the TLV files (PROTOCOLS §3.4).
M.hash_names = { [1] = "SHA-1", [2] = "SHA-256", [3] = "SHA-512" }

-- A certificate's DER at range r, shown in tree: subject, issuer, MD5 (certHash), then
-- Wireshark's own X.509 tree. Returns the info table (or nil) for the caller's summary.
function M.show_certificate(r, pinfo, tree, fields)
  local raw = r:raw()
  local info, why = M.cert_names(raw)
  local md5 = M.md5_hex(raw)
  tree:add(fields.der_length, r, r:len()):set_generated()
  tree:add(fields.md5, r, md5):set_generated()
  if info then
    tree:add(fields.subject, r, info.subject):set_generated()
    tree:add(fields.issuer, r, info.issuer):set_generated()
    M.call_x509(r:tvb(), pinfo, tree)
  end
  return info, md5, why
end

-- The dissector function of a protocol whose messages are a fixed-size header, starting with the
-- protocol id and holding the body length (u16 BE) at `length_at`, then the body: several
-- messages in one TLS record are each decoded, and one split over records is gathered first.
-- o = {proto, label, id, header, length_at, not_ours (a ProtoExpert), message(tvb, off, pinfo, tree)}
function M.framed_dissector(o)
  return function(tvb, pinfo, tree)
    local total, off = tvb:len(), 0
    pinfo.cols.protocol:set(o.label)
    if not tostring(pinfo.cols.info):find(o.label .. ":", 1, true) then pinfo.cols.info:set(o.label .. ":") end
    while off < total do
      local left = total - off
      if left < o.header then
        pinfo.desegment_offset = off
        pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
        return total
      end
      if tvb(off, 1):uint() ~= o.id then
        local it = tree:add(o.proto, tvb(off))
        it:add_proto_expert_info(o.not_ours, string.format("byte %d is 0x%02x; %d bytes not decoded", off, tvb(off, 1):uint(), left))
        return total
      end
      local need = o.header + tvb(off + o.length_at, 2):uint()
      if left < need then
        pinfo.desegment_offset = off
        pinfo.desegment_len = need - left
        return total
      end
      o.message(tvb, off, pinfo, tree)
      off = off + need
    end
    return total
  end
end

-- The elements `u8 tag | u16 BE length | value` of a CAPF or TVS body, tvb[o.start, o.stop) of the
-- message at o.off, each added under o.tree with its tag and length; framing that runs past the
-- body is expert info (o.malformed). o.value(tag, range or nil, len, pinfo, item) shows a value.
-- Returns the elements read: {{name =, tag =, value =}, ...}.
-- o = {tvb, pinfo, tree, off, start, stop, names, fields = {element, tag, length}, malformed, value}
function M.add_elements(o)
  local tvb, f, read, q = o.tvb, o.fields, {}, o.start
  while q < o.stop do
    if q + 3 > o.stop then
      local it = o.tree:add(f.element, tvb(q, o.stop - q))
      it:set_text(string.format("Element at offset %d", q - o.off))
      it:add_proto_expert_info(o.malformed, string.format("element at offset %d: %d bytes left, a tag and length need 3",
                                                          q - o.off, o.stop - q))
      break
    end
    local tag, len = tvb(q, 1):uint(), tvb(q + 1, 2):uint()
    local ename = o.names[tag] or "unknown"
    local it = o.tree:add(f.element, tvb(q, math.min(3 + len, o.stop - q)))
    it:add(f.tag, tvb(q, 1))
    it:add(f.length, tvb(q + 1, 2))
    if q + 3 + len > o.stop then
      it:set_text(string.format("%s (tag %d, length %d) at offset %d", ename, tag, len, q - o.off))
      it:add_proto_expert_info(o.malformed, string.format("element %s (tag %d) at offset %d: length %d exceeds remaining %d",
                                                          ename, tag, q - o.off, len, o.stop - q - 3))
      break
    end
    local v = o.value(tag, len > 0 and tvb(q + 3, len) or nil, len, o.pinfo, it)
    it:set_text(string.format("%s (tag %d, length %d): %s", ename, tag, len, v))
    read[#read + 1] = {name = ename, tag = tag, value = v}
    q = q + 3 + len
  end
  return read
end

return M

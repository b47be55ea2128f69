-- cucm_tvs.lua: Wireshark dissector for TVS (Trust Verification Service) as CUCM and cucm-emu
-- speak it on TLS port 2445 (PROTOCOLS §4 of cucm-emu): a 10-byte header (protocol id 0x57,
-- version 1, command, reserved, SID u32 BE chosen by the phone, body length u16 BE), then
-- elements `u8 tag | u16 BE length | value`. Names as in cucm-emu's tvs/proto/message.hpp.
--
-- Registered for the application data of TLS on port 2445 (decrypt with a key log, see
-- README.md); messages split over or packed into TLS records are both handled. Over plain TCP:
-- Decode As "cucm_tvs" (tshark -d tcp.port==N,cucm_tvs).

local C = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "") .. "cucm_common.lua")

local p = Proto("cucm_tvs", "CUCM TVS")

local commands = { [0] = "None", [1] = "VerifyRequest", [2] = "VerifyResponse", [3] = "QueryRequest",
                   [4] = "QueryResponse" }
local elements = { [1] = "DeviceName", [2] = "Certificate", [7] = "Status", [8] = "Roles", [9] = "TTL" }
local statuses = { [0] = "valid", [1] = "invalid" }

local f = {
  protocol_id = ProtoField.uint8("cucm_tvs.protocol_id", "Protocol id", base.HEX),
  version = ProtoField.uint8("cucm_tvs.version", "Version", base.DEC),
  command = ProtoField.uint8("cucm_tvs.command", "Command", base.DEC, commands),
  reserved = ProtoField.uint8("cucm_tvs.reserved", "Reserved", base.DEC),
  sid = ProtoField.uint32("cucm_tvs.sid", "SID", base.DEC),
  body_length = ProtoField.uint16("cucm_tvs.body_length", "Body length", base.DEC),
  element = ProtoField.none("cucm_tvs.element", "Element"),
  tag = ProtoField.uint8("cucm_tvs.element.tag", "Tag", base.DEC, elements),
  length = ProtoField.uint16("cucm_tvs.element.length", "Length", base.DEC),
  name_prefix = ProtoField.uint8("cucm_tvs.device_name.prefix", "Leading byte", base.HEX),
  device_name = ProtoField.string("cucm_tvs.device_name", "DeviceName"),
  certificate = ProtoField.bytes("cucm_tvs.certificate", "Certificate DER"),
  status = ProtoField.uint8("cucm_tvs.status", "Status", base.DEC, statuses),
  role = ProtoField.uint8("cucm_tvs.role", "Role", base.DEC, C.roles),
  ttl = ProtoField.uint32("cucm_tvs.ttl", "TTL (seconds)", base.DEC),
  unknown = ProtoField.bytes("cucm_tvs.unknown", "Unknown element value"),
  der_length = ProtoField.uint32("cucm_tvs.cert.der_length", "Certificate DER length", base.DEC),
  md5 = ProtoField.string("cucm_tvs.cert.md5", "Certificate MD5 (certHash)"),
  cert_subject = ProtoField.string("cucm_tvs.cert.subject", "Certificate subject"),
  cert_issuer = ProtoField.string("cucm_tvs.cert.issuer", "Certificate issuer"),
}
p.fields = f

local e = {
  malformed = ProtoExpert.new("cucm_tvs.malformed", "Malformed TVS", expert.group.MALFORMED, expert.severity.ERROR),
  not_tvs = ProtoExpert.new("cucm_tvs.not_tvs", "Not a TVS message (protocol id is not 0x57)",
                            expert.group.MALFORMED, expert.severity.ERROR),
  unknown = ProtoExpert.new("cucm_tvs.unknown", "Unknown command or element", expert.group.UNDECODED, expert.severity.NOTE),
}
p.experts = e

local cert_fields = { der_length = f.der_length, md5 = f.md5, subject = f.cert_subject, issuer = f.cert_issuer }

local function element_value(tag, r, len, pinfo, it)
  if tag == 1 then
    -- A leading byte (01 from phones, meaning unknown), then CP-<model>-SEP<MAC>, no NUL.
    if len < 1 then
      it:add_proto_expert_info(e.malformed, "DeviceName is empty (the leading byte is missing)")
      return '""'
    end
    it:add(f.name_prefix, r(0, 1))
    local name = len > 1 and r(1):raw() or ""
    if len > 1 then it:add(f.device_name, r(1), name) else it:add(f.device_name, name) end
    if not name:match("^CP%-%d%d%d%d%-SEP" .. string.rep("[0-9A-F]", 12) .. "$") then
      it:add_proto_expert_info(e.malformed, "DeviceName does not read CP-<4 digits>-SEP<12 hex digits>")
    end
    return '"' .. name .. '"'
  elseif tag == 2 then
    if not r then return "empty" end
    local ct = it:add(f.certificate, r)
    local info, md5, why = C.show_certificate(r, pinfo, ct, cert_fields)
    if not info then ct:add_proto_expert_info(e.malformed, "certificate: " .. why) end
    return string.format("%d bytes DER, MD5 %s%s", len, md5, info and (", " .. info.subject) or "")
  elseif tag == 7 then
    if len ~= 1 then
      it:add_proto_expert_info(e.malformed, string.format("Status: length %d vs expected 1", len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(f.status, r)
    return string.format("%s (%d)", statuses[r:uint()] or "unknown", r:uint())
  elseif tag == 8 then
    local names = {}
    for i = 0, len - 1 do
      it:add(f.role, r(i, 1))
      names[#names + 1] = C.role_name(r(i, 1):uint())
    end
    return table.concat(names, ",")
  elseif tag == 9 then
    if len ~= 4 then
      it:add_proto_expert_info(e.malformed, string.format("TTL: length %d vs expected 4", len))
      if r then it:add(f.unknown, r) end
      return string.format("%d bytes", len)
    end
    it:add(f.ttl, r)
    return tostring(r:uint()) .. " s"
  end
  it:add_proto_expert_info(e.unknown, string.format("element tag %d (%d bytes), skipped by its length", tag, len))
  if r then it:add(f.unknown, r) end
  return string.format("%d bytes", len)
end

local function message(tvb, off, pinfo, tree)
  local version, cmd = tvb(off + 1, 1):uint(), tvb(off + 2, 1):uint()
  local sid, blen = tvb(off + 4, 4):uint(), tvb(off + 8, 2):uint()
  local name = commands[cmd] or string.format("unknown command %d", cmd)
  local mt = tree:add(p, tvb(off, 10 + blen))
  mt:append_text(string.format(", %s, SID %d", name, sid))
  mt:add(f.protocol_id, tvb(off, 1))
  local vt = mt:add(f.version, tvb(off + 1, 1))
  if version ~= 1 then vt:add_proto_expert_info(e.malformed, string.format("version %d vs expected 1", version)) end
  local ct = mt:add(f.command, tvb(off + 2, 1))
  if not commands[cmd] then ct:add_proto_expert_info(e.unknown, string.format("command %d", cmd)) end
  mt:add(f.reserved, tvb(off + 3, 1))
  mt:add(f.sid, tvb(off + 4, 4))
  mt:add(f.body_length, tvb(off + 8, 2))
  local read = C.add_elements{tvb = tvb, pinfo = pinfo, tree = mt, off = off, start = off + 10, stop = off + 10 + blen,
                              names = elements, fields = {element = f.element, tag = f.tag, length = f.length},
                              malformed = e.malformed, value = element_value}
  local shown = {}
  for _, el in ipairs(read) do  -- the certificate (tag 2) by name only: its value is long
    shown[#shown + 1] = el.tag ~= 2 and (el.name .. "=" .. el.value) or el.name
  end
  pinfo.cols.info:append(string.format(" %s SID %d {%s}", name, sid, table.concat(shown, ", ")))
end

-- Messages: the 10-byte header holds the body length at offset 8.
p.dissector = C.framed_dissector{proto = p, label = "TVS", id = 0x57, header = 10, length_at = 8,
                                 not_ours = e.not_tvs, message = message}

DissectorTable.get("tls.port"):add(2445, p)
local tcp_port = DissectorTable.get("tcp.port")
if not tcp_port:get_dissector(2445) then tcp_port:add(2445, Dissector.get("tls")) end
tcp_port:add_for_decode_as(p)

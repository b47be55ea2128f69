-- SIP (issue 21): the registrations of phone lines and the SIP trunks.
--
-- A registration is one line's binding (RFC 3261 §10): written by the registrar when a REGISTER
-- is accepted, removed by one with expires 0, and shown until expires_unix by
-- `cucm-emu sip registrations` and `device show`. Rows past their expiry are ignored when read and
-- deleted by the next write. Registrations change no file: no trigger bumps the cluster epoch or
-- a device's config_version.
CREATE TABLE sip_registration (
  device           TEXT NOT NULL REFERENCES device (name) ON DELETE CASCADE ON UPDATE CASCADE,
  line_index       INTEGER NOT NULL,
  directory_number TEXT NOT NULL,
  contact          TEXT NOT NULL,
  transport        TEXT NOT NULL CHECK (transport IN ('udp', 'tcp', 'tls')),
  source           TEXT NOT NULL DEFAULT '',  -- the peer's ip:port
  cert_type        TEXT NOT NULL DEFAULT '',  -- LSC, MIC, or '' without a client certificate
  call_id          TEXT NOT NULL DEFAULT '',
  user_agent       TEXT NOT NULL DEFAULT '',
  registered_unix  INTEGER NOT NULL,
  expires_unix     INTEGER NOT NULL,
  PRIMARY KEY (device, line_index)
);
CREATE INDEX sip_registration_expiry ON sip_registration (expires_unix);
-- The registrar finds a REGISTER's line by its directory number.
CREATE INDEX line_directory_number ON line (directory_number);

-- A SIP trunk with its SIP trunk security profile folded in (seed 003): the peer we send OPTIONS
-- to, and the X.509 subject names a TLS peer's certificate must carry (CN or a DNS SAN) to be
-- admitted on the incoming port.
CREATE TABLE sip_trunk (
  name          TEXT PRIMARY KEY,
  description   TEXT NOT NULL DEFAULT '',
  peer_host     TEXT NOT NULL,
  peer_port     INTEGER NOT NULL CHECK (peer_port BETWEEN 1 AND 65535),
  x509_subjects TEXT NOT NULL,              -- comma-separated, as CUCM's profile field
  incoming_port INTEGER NOT NULL DEFAULT 5061 CHECK (incoming_port BETWEEN 1 AND 65535)
);

-- The cluster database: phone security profiles, devices with their CAPF state and recorded
-- certificate, lines, cluster settings, VPN groups and the event log.

CREATE TABLE cluster_setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE security_profile (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  description    TEXT NOT NULL DEFAULT '',
  product        TEXT NOT NULL,             -- e.g. 'Cisco 7942', or 'Universal Device Template'
  protocol       TEXT NOT NULL CHECK (protocol IN ('SCCP', 'SIP', 'ANY')),
  security_mode  INTEGER NOT NULL CHECK (security_mode IN (1, 2, 3)),  -- non-secure, authenticated, encrypted
  tftp_encrypted INTEGER NOT NULL DEFAULT 0 CHECK (tftp_encrypted IN (0, 1)),
  capf_auth_mode TEXT NOT NULL DEFAULT 'null-string'
                 CHECK (capf_auth_mode IN ('auth-string', 'null-string', 'lsc-first', 'mic-first')),
  key_order      TEXT NOT NULL DEFAULT 'rsa' CHECK (key_order IN ('rsa', 'ec', 'ec-rsa')),
  rsa_key_size   INTEGER NOT NULL DEFAULT 2048 CHECK (rsa_key_size IN (1024, 2048, 3072, 4096)),
  ec_key_size    INTEGER NOT NULL DEFAULT 256 CHECK (ec_key_size IN (256, 384, 521)),
  sip_phone_port INTEGER NOT NULL DEFAULT 5060 CHECK (sip_phone_port BETWEEN 1 AND 65535),
  builtin        INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
);

CREATE TABLE vpn_group (
  name       TEXT PRIMARY KEY,
  url        TEXT NOT NULL,                -- e.g. https://10.201.160.201/SSLVPNphone
  cert_hash1 TEXT NOT NULL DEFAULT ''      -- base64 SHA-1 of the headend certificate (seed 001)
);

CREATE TABLE device (
  name             TEXT NOT NULL UNIQUE
                   CHECK (length(name) = 15 AND name GLOB 'SEP[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
  description      TEXT NOT NULL DEFAULT '',
  product          TEXT NOT NULL,
  protocol         TEXT NOT NULL CHECK (protocol IN ('SCCP', 'SIP')),
  profile_id       INTEGER NOT NULL REFERENCES security_profile (id),
  -- MD5 of the recorded certificate's DER, lowercase hex; '' until CAPF records one (seed 004).
  md5hash          TEXT NOT NULL DEFAULT '',
  public_key       BLOB,                   -- DER SubjectPublicKeyInfo, NULL until recorded
  certificate      BLOB,                   -- DER of the LSC or MIC on record
  cert_type        TEXT CHECK (cert_type IN ('LSC', 'MIC')),
  cert_serial      TEXT,
  cert_issuer      TEXT,
  cert_not_before  TEXT,
  cert_not_after   TEXT,
  load_information TEXT NOT NULL DEFAULT '',
  vpn_group        TEXT REFERENCES vpn_group (name) ON UPDATE CASCADE,
  config_version   INTEGER NOT NULL DEFAULT 1,
  capf_operation   TEXT NOT NULL DEFAULT 'none'
                   CHECK (capf_operation IN ('none', 'install', 'delete', 'troubleshoot')),
  capf_auth_string TEXT NOT NULL DEFAULT '',
  capf_deadline    TEXT,                   -- 'YYYY-MM-DD HH:MM:SS' UTC
  capf_status      TEXT NOT NULL DEFAULT '',
  capf_last_attempt TEXT,
  created          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))
);

CREATE TABLE line (
  device_name   TEXT NOT NULL REFERENCES device (name) ON DELETE CASCADE ON UPDATE CASCADE,
  line_index    INTEGER NOT NULL CHECK (line_index BETWEEN 1 AND 64),
  directory_number TEXT NOT NULL,
  display_name  TEXT NOT NULL DEFAULT '',
  auth_name     TEXT NOT NULL DEFAULT '',
  auth_password TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (device_name, line_index)
);

CREATE TABLE event (
  id      INTEGER PRIMARY KEY,
  time    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  source  TEXT NOT NULL DEFAULT '',   -- peer address, or 'cli'
  service TEXT NOT NULL,              -- tftp, http, capf, admin
  device  TEXT NOT NULL DEFAULT '',
  what    TEXT NOT NULL,
  result  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_device ON event (device, id);

-- Any change to what a device is served bumps its config version, so caches can tell.
CREATE TRIGGER profile_changed AFTER UPDATE ON security_profile BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE profile_id = NEW.id;
END;
CREATE TRIGGER line_inserted AFTER INSERT ON line BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE name = NEW.device_name;
END;
CREATE TRIGGER line_updated AFTER UPDATE ON line BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE name = NEW.device_name;
END;
CREATE TRIGGER line_deleted AFTER DELETE ON line BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE name = OLD.device_name;
END;
CREATE TRIGGER vpn_group_changed AFTER UPDATE ON vpn_group BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE vpn_group = NEW.name;
END;
CREATE TRIGGER device_served_fields_changed
AFTER UPDATE OF description, product, protocol, profile_id, md5hash, public_key, certificate,
                load_information, vpn_group ON device BEGIN
  UPDATE device SET config_version = config_version + 1 WHERE name = NEW.name;
END;
CREATE TRIGGER setting_inserted AFTER INSERT ON cluster_setting BEGIN
  UPDATE device SET config_version = config_version + 1;
END;
CREATE TRIGGER setting_updated AFTER UPDATE ON cluster_setting BEGIN
  UPDATE device SET config_version = config_version + 1;
END;

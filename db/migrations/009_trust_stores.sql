-- CUCM's certificate trust stores (OS Admin > Security > Certificate Management), by name:
--   CallManager-trust  what SIP TLS peers and a CA-signed CallManager certificate chain to (seed 003)
--   CAPF-trust         the CAs "By Existing Certificate" accepts for a phone's MIC (PROTOCOLS §3.5)
--   Phone-VPN-trust    VPN headend certificates, whose hashes the VPN groups carry (seed 001)
--   tomcat-trust       what a CA-signed HTTPS certificate chains to (seed 002)
-- The names are checked in code (cluster/trust_stores), so a store added later needs no migration.
-- `source` says who put a row there: 'admin' (cucm-emu trust add), 'lab' (the lab manufacturing CA
-- that serve trusts for simulated MICs), 'capf/trust' (moved from the folder CAPF used to read).
CREATE TABLE trust_certificate (
  store     TEXT NOT NULL,
  sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
  subject   TEXT NOT NULL,
  issuer    TEXT NOT NULL,
  serial    TEXT NOT NULL,                  -- hex
  not_after TEXT NOT NULL,                  -- 'YYYY-MM-DD HH:MM:SS' UTC
  pem       TEXT NOT NULL,
  source    TEXT NOT NULL DEFAULT 'admin',
  added     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  PRIMARY KEY (store, sha256)
);

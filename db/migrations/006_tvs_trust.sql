-- The certificates TVS vouches for (PROTOCOLS §4): looked up by the SHA-256 of their DER, answered
-- with their roles and the TTL a phone may cache the answer for. `source` says who put a row
-- there: 'cluster' rows mirror the cluster's own identities in pki/ and are replaced whenever
-- those change; 'admin' rows come from `cucm-emu trust add` and stay until removed.
CREATE TABLE tvs_trust (
  sha256  TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  subject TEXT NOT NULL,
  issuer  TEXT NOT NULL,
  serial  TEXT NOT NULL,                    -- hex
  pem     TEXT NOT NULL,
  roles   TEXT NOT NULL CHECK (roles <> ''), -- role names in code order, "CCM+TFTP,TVS"
  ttl     INTEGER NOT NULL DEFAULT 86400 CHECK (ttl BETWEEN 1 AND 2592000),
  source  TEXT NOT NULL CHECK (source IN ('cluster', 'admin')),
  added   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))
);

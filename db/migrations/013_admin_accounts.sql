-- The admin site's credentials (issue 22, docs/admin-api.md): users with a password, and the
-- bearer tokens scripts send to the API. Written by `cucm-emu admin passwd` and `admin token …`
-- (auth/account_store.cpp) and read by the web server; nothing here changes a phone's file, so no
-- trigger bumps the cluster epoch.
--   password_hash "$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>" (auth/password.hpp): never
--                 the password itself
--   created, changed UTC, 'YYYY-MM-DD HH:MM:SS'
CREATE TABLE admin_user (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  changed       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now'))
);

-- A token is shown once when it is made; only the SHA-256 (lowercase hex) of the whole token text
-- is kept, so a copy of the database cannot be used to call the API. Tokens go with their user.
--   name      the label given at creation, to tell tokens apart in `admin token list`
--   last_used UTC, written at most once a minute by the server ('' until first used)
-- AUTOINCREMENT: a revoked token's id is never given to a new one, so a script that revokes by
-- id cannot hit a token made since.
CREATE TABLE admin_token (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  user      TEXT NOT NULL REFERENCES admin_user (name) ON DELETE CASCADE,
  name      TEXT NOT NULL DEFAULT '',
  sha256    TEXT NOT NULL UNIQUE,
  created   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  last_used TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_token_user ON admin_token (user);

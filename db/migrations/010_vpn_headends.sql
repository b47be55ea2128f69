-- VPN groups with up to ten headend hashes and their algorithm (seed 001; usecallmanager.nz
-- documents certHash1 ... certHash10 in a phone's vpnGroup): a group's certHash1 stays its
-- first. hash_alg is the digest's name; the config's numeric <hashAlg> is 0 for SHA-1 (seed 001)
-- and, for SHA-512, the setting vpn_sha512_hash_alg, since no source we have gives that code
-- (PROTOCOLS §7.3, §9.14): 1 is our lab value [EMU]. Every column is covered by the
-- vpn_group_changed trigger (001), so a change bumps the config_version of the group's devices.
ALTER TABLE vpn_group ADD COLUMN hash_alg TEXT NOT NULL DEFAULT 'sha1' CHECK (hash_alg IN ('sha1', 'sha512'));
ALTER TABLE vpn_group ADD COLUMN cert_hash2 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash3 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash4 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash5 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash6 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash7 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash8 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash9 TEXT NOT NULL DEFAULT '';
ALTER TABLE vpn_group ADD COLUMN cert_hash10 TEXT NOT NULL DEFAULT '';
INSERT OR IGNORE INTO cluster_setting (key, value) VALUES ('vpn_sha512_hash_alg', '1');

-- The ITL's SignerVersion (PROTOCOLS §5.1, tag 28): 1.0 as every cluster served so far; 1.1 makes
-- the ITL SHA-512 and sends 88xx firmware to HTTPS 6971 for its config first (§8.1). A row, so
-- that `cluster show` lists it beside mixed_mode; changing it moves the cluster epoch, and the
-- catalog rebuilds the ITL. OR IGNORE: numbered 007 while another branch adds 006 (migrations
-- run by position), a database that ran this one as its sixth may meet it again.
INSERT OR IGNORE INTO cluster_setting (key, value) VALUES ('itl_version', '1.0');

-- Default loads per product and protocol ("load.<protocol>.<product>"): a SIP 7965 runs SIP45
-- firmware, an SCCP one SCCP45, and a product-wide "load.<product>" served both (a SIP phone got
-- the SCCP load). The seeded product-wide rows go; one an administrator changed stays, as the
-- product-wide fallback it was.
INSERT OR IGNORE INTO cluster_setting (key, value) VALUES
  ('load.SCCP.Cisco 7942', 'SCCP42.9-4-2SR3-1S'),
  ('load.SIP.Cisco 7942', 'SIP42.9-4-2SR3-1S'),
  ('load.SCCP.Cisco 7965', 'SCCP45.9-4-2SR3-1S'),
  ('load.SIP.Cisco 7965', 'SIP45.9-4-2SR3-1S'),
  ('load.SIP.Cisco 8845', 'sip88xx.14-2-1-0001-14');
DELETE FROM cluster_setting WHERE (key, value) IN (
  VALUES ('load.Cisco 7942', 'SCCP42.9-4-2SR3-1S'),
         ('load.Cisco 7965', 'SCCP45.9-4-2SR3-1S'),
         ('load.Cisco 8845', 'sip88xx.14-2-1-0001-14'));

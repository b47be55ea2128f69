-- The standard phone security profiles a new cluster has, and the cluster's default settings.
-- Builtin profiles cannot be changed or deleted (CUCM: the predefined non-secure profiles).

INSERT INTO security_profile (name, description, product, protocol, security_mode, tftp_encrypted,
                              capf_auth_mode, key_order, rsa_key_size, builtin) VALUES
  ('Universal Device Template - Model-independent Security Profile',
   'Model-independent security profile', 'Universal Device Template', 'ANY', 1, 0, 'null-string', 'rsa', 2048, 1),
  ('Cisco 7942 - Standard SCCP Non-Secure Profile',
   'Cisco 7942 - Standard SCCP Non-Secure Profile', 'Cisco 7942', 'SCCP', 1, 0, 'null-string', 'rsa', 2048, 1),
  ('Cisco 7942 - Standard SCCP Encrypted Config',
   'Encrypted configuration files, CAPF by null string', 'Cisco 7942', 'SCCP', 1, 1, 'null-string', 'rsa', 2048, 0),
  ('Cisco 7965 - Standard SCCP Non-Secure Profile',
   'Cisco 7965 - Standard SCCP Non-Secure Profile', 'Cisco 7965', 'SCCP', 1, 0, 'null-string', 'rsa', 2048, 1),
  ('Cisco 7965 - Standard SIP Non-Secure Profile',
   'Cisco 7965 - Standard SIP Non-Secure Profile', 'Cisco 7965', 'SIP', 1, 0, 'null-string', 'rsa', 2048, 1),
  ('Cisco 8845 - Standard SIP Non-Secure Profile',
   'Cisco 8845 - Standard SIP Non-Secure Profile', 'Cisco 8845', 'SIP', 1, 0, 'null-string', 'rsa', 2048, 1),
  ('Cisco 8845 - Standard SIP Encrypted Config',
   'Encrypted signalling and configuration files', 'Cisco 8845', 'SIP', 3, 1, 'null-string', 'ec-rsa', 2048, 0);

INSERT INTO cluster_setting (key, value) VALUES
  ('cluster_name', 'cucm-emu'),
  ('node_name', 'cucm-emu'),
  ('node_address', '127.0.0.1'),
  ('tftp_port', '69'),
  ('http_port', '6970'),
  ('capf_port', '3804'),
  ('tvs_port', '2445'),
  ('sip_port', '5060'),
  ('sip_tls_port', '5061'),
  ('sccp_port', '2000'),
  ('sccp_tls_port', '2443'),
  ('mixed_mode', '0'),
  ('load.Cisco 7942', 'SCCP42.9-4-2SR3-1S'),
  ('load.Cisco 7965', 'SCCP45.9-4-2SR3-1S'),
  ('load.Cisco 8845', 'sip88xx.14-2-1-0001-14');

-- The standard "Cisco 8845 - Standard SIP Encrypted Config" profile asked phones for an EC key
-- first (ec-rsa), so CAPF issued an EC LSC, and no .enc.sgn can be made for an EC key (how CUCM
-- wraps the AES key for one is not known): the phone never reached its full config. RSA keeps
-- the encrypted-config flow whole. A profile an administrator changed since is left alone.
UPDATE security_profile SET key_order = 'rsa'
 WHERE name = 'Cisco 8845 - Standard SIP Encrypted Config'
   AND description = 'Encrypted signalling and configuration files'
   AND key_order = 'ec-rsa';

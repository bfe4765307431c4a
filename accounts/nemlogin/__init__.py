"""NemLog-in (MitID Erhverv) for associations: a SAML 2.0 service provider on djangosaml2 and
pysaml2, following OIOSAML 3.0.

- ``config``: the pysaml2 configuration from settings (djangosaml2's ``SAML_CONFIG_LOADER``);
- ``attributes``: the profile's attribute names and what is read from an assertion;
- ``checks``: the refusals beyond pysaml2's own (level of assurance, CVR, replay);
- ``identities`` and ``backend``: the user behind the persistent identifier;
- ``organisations``: the association behind the CVR number; ``acting``: which one the
  person acts for in this session. The screens are in ``web/nemlogin``.
"""

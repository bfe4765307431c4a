"""Staff sign-in through the municipality's own identity provider (OpenID Connect).

Built on mozilla-django-oidc: its views run the authorization code flow with PKCE, state
and nonce; ``backend.OIDCBackend`` verifies the ID token (RS256 against the provider's
JWKS, issuer, audience, expiry, nonce) and finds the Puljeflow user by the provider's
(issuer, subject) in ``ExternalIdentity`` — linking it once, at the first sign-in, by a
verified claim to an existing active staff user. Roles stay granted in Puljeflow: nobody
is created by signing in. ``config`` reads the settings and the discovery document,
``linking`` ties a person to a user, ``views`` answer the browser.
"""

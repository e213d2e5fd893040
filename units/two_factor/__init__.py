"""The second factor (issue 10): a code from an authenticator app (django-otp's TOTP device)
after the password, with single-use recovery codes (its static device).

Interior Department accounts (and viewers) may turn it on for themselves; an Interior admin can
require it per role (``SecondFactorPolicy``). Unit staff are never asked. ``services`` holds the
rules, ``middleware`` keeps an unconfirmed sign-in on the code page, ``views`` the pages."""

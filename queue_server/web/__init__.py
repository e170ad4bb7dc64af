"""What every HTTP edge shares (the API, the pages, the admin pages, the kiosk and the board): who is calling
(``auth``), the request's context and body (``context``, ``edge``), JSON errors (``errors``), page rendering in
the reader's language (``rendering``, ``catalog``), security headers, CSRF and rate limits (``security``), the
QR codes (``qr``) and the city's OpenID provider (``oidc``).  It imports services and below, never an edge.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting (m=19 MiB, t=2, p=1).

    Django's defaults (100 MiB, p=8) cost more memory per login than a small
    server can give many parallel logins; OWASP's setting is the agreed floor.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1

# sigma in a container: the steps of docs/deploy.md, section 2, and nothing more.
# It cannot be built on sigma's development machines (see docs/deploy.md, section 9).
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1
RUN useradd --system --home-dir /srv/sigma --shell /usr/sbin/nologin sigma
WORKDIR /srv/sigma

COPY requirements/base.lock requirements/base.lock
RUN python -m venv .venv && .venv/bin/pip install --require-hashes -r requirements/base.lock

COPY . .
# Production settings refuse to load without a secret key and an SMTP server;
# collectstatic uses neither, so throwaway values do here.
RUN SIGMA_ENV=production EMAIL_HOST=unused.invalid \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
    .venv/bin/python manage.py collectstatic --noinput

USER sigma
ENV SIGMA_BIND=0.0.0.0:8000
EXPOSE 8000
CMD [".venv/bin/gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"]

# One image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango; fonts for the letters. PDFs are read and joined in Python (pypdf).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY scomm ./scomm
COPY jurisdictions ./jurisdictions
COPY optouts ./optouts
COPY correspondence ./correspondence
COPY reminders ./reminders
COPY public ./public
RUN pip install --no-cache-dir .
COPY . .
# The county map's shapes ship in the repository (public/data/, no npm needed): no image without them.
RUN test -s public/data/counties-albers-10m.json.gz
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --create-home scomm && mkdir -p /app/media && chown scomm /app/media
USER scomm
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]

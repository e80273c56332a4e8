"""The county map ships with the code: in git, in the Docker image, read without npm."""

import fnmatch
import subprocess

from django.conf import settings

from public import topojson

SHAPES = "public/data/counties-albers-10m.json.gz"


def test_the_shapes_are_in_the_repository_not_built_by_npm():
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", SHAPES],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert tracked.returncode == 0, tracked.stderr
    assert topojson.COUNTIES_FILE == settings.BASE_DIR / SHAPES


def test_the_docker_image_ships_the_shapes_and_refuses_to_build_without_them():
    ignored = [
        line.strip()
        for line in (settings.BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = SHAPES.split("/")
    for pattern in ignored:
        for depth in range(1, len(parts) + 1):
            assert not fnmatch.fnmatch("/".join(parts[:depth]), pattern), pattern
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile or "COPY public ./public" in dockerfile
    assert f"RUN test -s {SHAPES}" in dockerfile

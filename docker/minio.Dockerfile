# syntax=docker/dockerfile:1
#
# MinIO built from source. MinIO stopped publishing community binaries and images in October
# 2025, and in September 2026 the old `minio/minio` repository was removed from Docker Hub, so a
# compose file naming it no longer starts. `go install` from source is MinIO's own recommended
# install and the one the Docker-free local stack uses (see DESIGN.md). The first build
# takes a few minutes; later `docker compose up` runs reuse the image.

FROM golang:1.25-bookworm AS build
# Pinned for reproducible builds: the head of MinIO's default branch as resolved by
# `go install github.com/minio/minio@latest` (MinIO's release tags are not Go semver).
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN CGO_ENABLED=0 go install "github.com/minio/minio@${MINIO_VERSION}"

FROM debian:bookworm-slim
# curl is for the compose healthcheck (GET /minio/health/live).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 1000 --home-dir /data minio \
 && mkdir -p /data \
 && chown minio:minio /data
COPY --from=build /go/bin/minio /usr/local/bin/minio
# /data exists in the image owned by `minio`, so a new named volume mounted there inherits that
# owner and the server needs no root.
USER minio
EXPOSE 9000 9001
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--console-address", ":9001"]

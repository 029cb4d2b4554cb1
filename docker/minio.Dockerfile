# syntax=docker/dockerfile:1
#
# MinIO built from source: MinIO no longer publishes community binaries or images, and
# `go install` from source is its own recommended install (the Docker-free local stack builds it
# the same way). The first build takes a few minutes; later `docker compose up` runs reuse the image.

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

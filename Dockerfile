# syntax=docker/dockerfile:1
# Build:  docker build -t kedai .
# Run:    docker run -p 8080:8080 -v kedai_data:/data kedai   (SQLite in /data by default)

# ---- build ----
FROM rust:1-bookworm AS builder
WORKDIR /app

COPY Cargo.toml Cargo.lock ./
COPY migration/ migration/
# Workspace member (the benchmark client); cargo needs its manifest to load the workspace.
COPY bench/ bench/
COPY src/ src/
# Pages are embedded into the binary at compile time (rust-embed).
COPY web/ web/

# Cache mounts keep the crate registry and build artefacts between builds. The target dir
# is a cache mount (not in the image layer), so the binary is copied out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --release --locked --bin kedai \
 && cp target/release/kedai /usr/local/bin/kedai

# ---- runtime ----
FROM debian:bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 kedai \
 && useradd --system --uid 10001 --gid kedai --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin kedai \
 && mkdir -p /data \
 && chown kedai:kedai /data

COPY --from=builder /usr/local/bin/kedai /usr/local/bin/kedai

# SQLite database and the generated JWT secret live in /data unless DATABASE_URL /
# KEDAI_JWT_SECRET are set.
ENV KEDAI_DATA_DIR=/data \
    KEDAI_BIND=0.0.0.0:8080
WORKDIR /data
USER kedai
EXPOSE 8080
# Declared after the chown so a fresh named volume inherits kedai's ownership.
VOLUME /data

# No HEALTHCHECK: the slim image has no curl/wget.
ENTRYPOINT ["/usr/local/bin/kedai"]
CMD ["serve"]

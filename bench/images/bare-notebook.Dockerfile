# A bare JupyterLab user image (jupyterhub + jupyterlab, at the versions Galilean's image
# pins), the baseline of bench/docker_spawn.py: the same base image, user and entry point
# as images/notebook/Dockerfile, without Galilean's user side and extensions.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
ARG UV_VERSION=0.13.8
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    PATH=/opt/bare/bin:$PATH
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
# Extra certificate authorities (a corporate proxy's), as the real image takes them.
COPY images/extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
COPY requirements/user.lock.txt /tmp/user.lock.txt
RUN python3 -m venv /opt/bare \
 && /opt/bare/bin/pip install --no-cache-dir "uv==${UV_VERSION}" \
 && uv pip install --python /opt/bare/bin/python --no-cache --compile-bytecode \
      -c /tmp/user.lock.txt jupyterhub jupyterlab \
 && rm /tmp/user.lock.txt
RUN useradd --create-home --uid 1000 --shell /bin/bash jovyan
USER 1000
WORKDIR /home/jovyan
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["jupyterhub-singleuser"]

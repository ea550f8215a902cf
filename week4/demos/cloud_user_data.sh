#!/bin/bash
# EC2 user data: runs once, as root, at the instance's first boot.
# The image already holds the code and its .venv. This script
# fetches the model, verifies it and starts the service. The
# instance's IAM role lets `aws s3 cp` read the model: no keys.
# The model is the folder `python -m week4.serving.train model`
# writes, packed as one object: tar -czf model.tar.gz -C model .
# Whoever launches the instance puts two lines in front of this:
#   export MODEL_URI=s3://week4-models/titanic/v3/model.tar.gz
#   export MODEL_SHA256=<the checksum upload_model returned>
set -euo pipefail

MODEL_URI="${MODEL_URI:?set MODEL_URI to the s3:// address of the model}"
MODEL_SHA256="${MODEL_SHA256:?set MODEL_SHA256 to its SHA-256}"
APP_DIR="${APP_DIR:-/srv/week4}"
MODEL_DIR="$APP_DIR/model"  # WEEK4_MODEL_DIR in week4-api.service
ARCHIVE="$APP_DIR/model.tar.gz.part"

aws s3 cp "$MODEL_URI" "$ARCHIVE"
# A model whose checksum does not match is never unpacked where
# the service loads it.
echo "$MODEL_SHA256  $ARCHIVE" | sha256sum --check --quiet
rm -rf "$MODEL_DIR.part"
mkdir "$MODEL_DIR.part"
tar --no-same-owner -xzf "$ARCHIVE" -C "$MODEL_DIR.part"
rm "$ARCHIVE"
rm -rf "$MODEL_DIR"
mv "$MODEL_DIR.part" "$MODEL_DIR"

systemctl enable --now week4-api

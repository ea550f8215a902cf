#!/bin/bash
# EC2 user data: runs once, as root, when the instance boots for the first time.
# The image already holds the code and its .venv; this script fetches the model, verifies it
# and starts the service. The instance's IAM role lets `aws s3 cp` read the model: no keys.
# Whoever launches the instance puts two lines in front of this script:
#   export MODEL_URI=s3://week4-models/titanic/v3/model.json
#   export MODEL_SHA256=<the checksum upload_model returned>
set -euo pipefail

MODEL_URI="${MODEL_URI:?set MODEL_URI to the s3:// address of the model}"
MODEL_SHA256="${MODEL_SHA256:?set MODEL_SHA256 to the SHA-256 of the model}"
APP_DIR="${APP_DIR:-/srv/week4}"

aws s3 cp "$MODEL_URI" "$APP_DIR/model.json.part"
# A model whose checksum does not match never gets the name the service loads.
echo "$MODEL_SHA256  $APP_DIR/model.json.part" | sha256sum --check --quiet
mv "$APP_DIR/model.json.part" "$APP_DIR/model.json"

systemctl enable --now week4-api

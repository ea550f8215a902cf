#!/usr/bin/env bash
# The curl commands of docs/topics/02-flask-rest.md for the hello_flask demo.
# Start the demo first (flask --app week4.demos.hello_flask run), then run this file.
# tests/test_02_flask_clients.py runs it against the demo, served for real.
set -eu
# --8<-- [start:base]
BASE="${BASE:-http://127.0.0.1:5000}"   # the server's address: flask run's default
# --8<-- [end:base]

# --8<-- [start:hello]
curl -i "$BASE/hello/Mina"
# --8<-- [end:hello]
echo
# --8<-- [start:echo]
curl -i "$BASE/echo?size=tall&shots=2"
curl -i -X POST "$BASE/echo" -H "Content-Type: application/json" -d '{"drink": "latte"}'
# --8<-- [end:echo]
echo
# --8<-- [start:sum]
curl -i -X POST "$BASE/sum" -H "Content-Type: application/json" -d '{"numbers": [3800, 4100]}'
curl -i -X POST "$BASE/sum" -H "Content-Type: application/json" -d '{"numbers": [true]}'
curl -i -X POST "$BASE/sum" -d 'numbers=3800'
# --8<-- [end:sum]
echo

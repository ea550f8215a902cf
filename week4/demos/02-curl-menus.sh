#!/usr/bin/env bash
# The curl commands of docs/topics/02-flask-rest.md for the coffee-menu API.
# Start the API on a new database first (in exercises/02-flask-rest: rm -f menus.db, then
# flask --app app run), then run this file. The ids below assume that new database.
# tests/test_02_flask_clients.py runs it against the reference solution, served for real.
set -eu
BASE="${BASE:-http://127.0.0.1:5000}"

# --8<-- [start:read]
curl -i "$BASE/menus"
curl -i "$BASE/menus?max_price=4100"
curl -i "$BASE/menus/1"
# --8<-- [end:read]
echo
# --8<-- [start:create]
curl -i -X POST "$BASE/menus" -H "Content-Type: application/json" -d '{"name": "Mocha", "price": 4800}'
# --8<-- [end:create]
echo
# --8<-- [start:mistakes]
curl -i -X POST "$BASE/menus" -H "Content-Type: application/json" -d '{"name": "Mocha", "price": 4800}'
curl -i -X POST "$BASE/menus" -H "Content-Type: application/json" -d '{"name": "Mocha", "price": }'
curl -i -X POST "$BASE/menus" -d 'name=Mocha&price=4800'
curl -i "$BASE/menus/999"
curl -i -X PATCH "$BASE/menus"
# --8<-- [end:mistakes]
echo
# --8<-- [start:update]
curl -i -X PUT "$BASE/menus/4" -H "Content-Type: application/json" -d '{"name": "Mocha", "price": 5000}'
curl -i -X DELETE "$BASE/menus/4"
curl -i -X DELETE "$BASE/menus/4"
# --8<-- [end:update]
echo

#!/usr/bin/env bash
# Grade a class on three machines, then merge. Each machine runs one shard:
set -euo pipefail
for k in 1 2 3; do   # on machine k, only: week4 grade ... --shard k/3
  week4 grade --submissions submitted --jobs 2 --shard "$k/3" --out "shard-$k"
done
# then, with the three shard folders in one place:
week4 merge shard-1 shard-2 shard-3 --out class-grades

#!/bin/sh
# image_size.sh IMAGE LIMIT: fails, saying by how much, when IMAGE (a guest's
# .bin) is larger than LIMIT bytes or missing.
set -eu
image=$1 limit=$2
if [ ! -f "$image" ]; then
  echo "image_size: $image is missing (build the guests first: ./petrel build)" >&2
  exit 1
fi
size=$(stat -c %s "$image")
echo "image_size: $image is $size bytes (limit $limit)"
if [ "$size" -gt "$limit" ]; then
  echo "image_size: $((size - limit)) bytes over the limit" >&2
  exit 1
fi

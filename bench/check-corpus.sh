#!/bin/sh
# Applies each generated history in bench/.corpus/ (written by `node bench/corpus.mjs`)
# to a fresh scratch database, in file order, stopping at the first SQL error.
# Usage: sh bench/check-corpus.sh [app-01 app-02 …]   (default: every directory)
set -eu
cd "$(dirname "$0")/.corpus"
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}"
db="pgphase_bench_check_$$"
status=0
for dir in ${*:-app-*}; do
  dropdb --if-exists "$db" 2>/dev/null; createdb "$db"
  # psql runs the -f files in order in one session; ls sorts both name styles correctly
  set -- $(ls "$dir"/*.sql | sed 's/^/-f /')
  if psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" >/dev/null 2>"/tmp/$db.err"; then
    echo "ok   $dir ($(ls "$dir" | wc -l) files)"
  else
    echo "FAIL $dir: $(grep -m1 ERROR "/tmp/$db.err")"; status=1
  fi
done
dropdb --if-exists "$db"; rm -f "/tmp/$db.err"
exit $status

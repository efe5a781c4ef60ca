#!/usr/bin/env bash
# Re-vendor GraphiQL's browser bundle and React from the npm registry, byte for byte.
#
# The files it writes are committed: building or testing the server needs no npm. Run it
# only to change a version: edit the pins below (version and the registry's sha512
# `dist.integrity`, from `npm view PACKAGE@VERSION dist.integrity`), run it, update
# README.md beside it, and check the page in a browser (cargo test --test api graphiql).
set -euo pipefail
cd "$(dirname "$0")"

# name version integrity: file in the package -> file here
PINS=(
    "graphiql 4.1.2 sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg=="
    "react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
    "react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)
declare -A FILES=(
    [graphiql]="graphiql.min.js:graphiql.min.js graphiql.min.css:graphiql.min.css LICENSE:LICENSE.graphiql"
    [react]="umd/react.production.min.js:react.production.min.js LICENSE:LICENSE.react"
    [react-dom]="umd/react-dom.production.min.js:react-dom.production.min.js"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for pin in "${PINS[@]}"; do
    read -r name version integrity <<<"$pin"
    tarball="$(cd "$work" && npm pack --silent "$name@$version")"
    actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
    if [[ "$actual" != "$integrity" ]]; then
        echo "$name@$version: integrity $actual, expected $integrity" >&2
        exit 1
    fi
    mkdir -p "$work/$name"
    tar -xzf "$work/$tarball" -C "$work/$name"
    for mapping in ${FILES[$name]}; do
        cp "$work/$name/package/${mapping%%:*}" "./${mapping##*:}"
    done
    echo "$name@$version: ok"
done
sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js

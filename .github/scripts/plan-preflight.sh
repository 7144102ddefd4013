#!/usr/bin/env bash
# Decides whether an environment's stack can be planned or deployed from CI, and prepares the credentials.
#
# Reads the synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json) to learn its state backend and Docker
# host scheme, then checks that the matching secrets are present (docs/ci.md lists them):
#   backend  s3 -> AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY; cloud/remote -> TF_API_TOKEN;
#            http -> nothing required (TF_HTTP_USERNAME/TF_HTTP_PASSWORD when the server wants them);
#            local -> never planned in CI: the runner has no state, the plan would create everything.
#   docker   DOCKER_HOST_SECRET, or a remote dockerHost.url in the config; ssh:// -> DOCKER_SSH_KEY and
#            DOCKER_SSH_KNOWN_HOSTS (the host key is never trusted on first use);
#            tcp:// with TLS -> DOCKER_CERT + DOCKER_KEY + DOCKER_CA.
# When something is missing it prints a visible `::notice::` and writes run=false to $GITHUB_OUTPUT (or,
# with --require, an `::error::` and exits 1: deploys must not silently do nothing). Otherwise it exports
# the credentials for the next steps ($GITHUB_ENV), loads the SSH key into an agent, writes the stack's
# secret variables (TFVARS) to a file, and writes run=true and var_file=<path>.
#
# Usage: plan-preflight.sh <environment> [--require]
set -euo pipefail

environment="${1:?usage: plan-preflight.sh <environment> [--require]}"
require="${2:-}"
stack="${STACK:-monitoring-$environment}"
json="${OUTDIR:-cdktf.out}/stacks/$stack/cdk.tf.json"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
: "${GITHUB_OUTPUT:=/dev/null}" "${GITHUB_ENV:=/dev/null}"

say_skip() {
  if [ "$require" = "--require" ]; then
    echo "::error title=Cannot deploy $environment::$1"
    exit 1
  fi
  echo "::notice title=Plan skipped for $environment::$1"
  { echo "run=false"; echo "reason=$1"; } >> "$GITHUB_OUTPUT"
  exit 0
}

# Writes NAME=value to $GITHUB_ENV; the heredoc form keeps multi-line PEM keys intact.
export_env() {
  local delimiter="EOF_$RANDOM$RANDOM"
  { echo "$1<<$delimiter"; printf '%s\n' "$2"; echo "$delimiter"; } >> "$GITHUB_ENV"
}

if [ "${IS_FORK:-false}" = "true" ]; then
  say_skip "pull requests from forks get no secrets; the plan runs for branches of this repository (docs/ci.md)"
fi
if [ ! -f "$json" ]; then
  say_skip "$json does not exist; is the environment defined in main.ts and MONITORING_ENVIRONMENTS set?"
fi

backend="$(jq -r 'if .terraform.cloud then "cloud" elif .terraform.backend then (.terraform.backend | keys[0]) else "local" end' "$json")"
host_default="$(jq -r '.variable.docker_host.default // "unix:///var/run/docker.sock"' "$json")"
host="${DOCKER_HOST_SECRET:-$host_default}"
scheme="${host%%://*}"
tls="$(jq -r 'if .variable.docker_cert_material then "true" else "false" end' "$json")"

missing=()
case "$backend" in
  local) missing+=("a remote state backend (the stack keeps local state; set backend in main.ts)") ;;
  s3) if [ -z "${AWS_ACCESS_KEY_ID:-}" ] || [ -z "${AWS_SECRET_ACCESS_KEY:-}" ]; then missing+=("secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (S3 state)"); fi ;;
  http) ;;
  cloud | remote) if [ -z "${TF_API_TOKEN:-}" ]; then missing+=("secret TF_API_TOKEN (HCP Terraform state)"); fi ;;
  *) missing+=("support for the \"$backend\" backend in this script") ;;
esac
if [ "$scheme" = "unix" ]; then
  missing+=("secret ${SECRET_PREFIX:-ENV}_DOCKER_HOST (the stack targets the local socket, which on a runner is not your host)")
elif [ "$scheme" = "ssh" ]; then
  if [ -z "${DOCKER_SSH_KEY:-}" ]; then missing+=("secret ${SECRET_PREFIX:-ENV}_DOCKER_SSH_KEY (ssh:// Docker host)"); fi
  # The host key is required: without it the first connection would trust whoever answers.
  if [ -z "${DOCKER_SSH_KNOWN_HOSTS:-}" ]; then missing+=("secret ${SECRET_PREFIX:-ENV}_DOCKER_SSH_KNOWN_HOSTS (the ssh:// host's key, from ssh-keyscan checked against the host)"); fi
elif [ "$scheme" = "tcp" ] && [ "$tls" = "true" ] && { [ -z "${DOCKER_CERT:-}" ] || [ -z "${DOCKER_KEY:-}" ] || [ -z "${DOCKER_CA:-}" ]; }; then
  missing+=("secrets ${SECRET_PREFIX:-ENV}_DOCKER_CERT, _DOCKER_KEY and _DOCKER_CA (tcp:// Docker host with TLS)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  joined="$(printf '%s; ' "${missing[@]}")"
  say_skip "missing ${joined%; }"
fi

# Everything is present: hand the credentials to Terraform.
if [ -n "${DOCKER_HOST_SECRET:-}" ]; then export_env TF_VAR_docker_host "$DOCKER_HOST_SECRET"; fi
if [ "$scheme" = "tcp" ] && [ "$tls" = "true" ]; then
  export_env TF_VAR_docker_cert_material "$DOCKER_CERT"
  export_env TF_VAR_docker_key_material "$DOCKER_KEY"
  export_env TF_VAR_docker_ca_material "$DOCKER_CA"
fi
if [ "$backend" = "cloud" ] || [ "$backend" = "remote" ]; then
  tfe_host="$(jq -r '(.terraform.cloud // .terraform.backend.remote).hostname // "app.terraform.io"' "$json")"
  export_env "TF_TOKEN_${tfe_host//./_}" "$TF_API_TOKEN"
fi
if [ "$scheme" = "ssh" ]; then
  mkdir -p ~/.ssh && chmod 700 ~/.ssh
  printf '%s\n' "$DOCKER_SSH_KNOWN_HOSTS" >> ~/.ssh/known_hosts
  # Never trust a host key on first use: an unknown or changed key fails the connection.
  printf 'Host *\n  StrictHostKeyChecking yes\n' >> ~/.ssh/config
fi
if [ "$scheme" = "ssh" ] && [ "${SKIP_SSH_AGENT:-false}" != "true" ]; then
  eval "$(ssh-agent -s)" > /dev/null
  printf '%s\n' "$DOCKER_SSH_KEY" | ssh-add - 2> /dev/null
  { echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"; echo "SSH_AGENT_PID=$SSH_AGENT_PID"; } >> "$GITHUB_ENV"
fi
var_file="$tmp/$stack.tfvars"
umask 077
printf '%s\n' "${TFVARS:-}" > "$var_file"
{ echo "run=true"; echo "backend=$backend"; echo "docker_scheme=$scheme"; echo "var_file=$var_file"; } >> "$GITHUB_OUTPUT"
echo "$environment: plan with $backend state on a $scheme:// Docker host"

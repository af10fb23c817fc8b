# Shared helpers of scripts/test and scripts/develop. Source it, do not run it.
# shellcheck shell=bash

# Repository root: the folder above scripts/.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1

# pip prints one of these per package on machines whose pip.conf names local
# indexes that are not there; they are harmless noise.
PIP_NOISE_RE="^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.$"

# Colours only on a terminal or in GitHub Actions' log.
if [[ -t 2 || -n "${GITHUB_ACTIONS:-}" ]] && [[ -z "${NO_COLOR:-}" ]]; then
	_C_LOG=$'\033[1;34m' _C_WARN=$'\033[1;33m' _C_ERR=$'\033[1;31m' _C_OFF=$'\033[0m'
else
	_C_LOG="" _C_WARN="" _C_ERR="" _C_OFF=""
fi
log() { printf '%s==>%s %s\n' "$_C_LOG" "$_C_OFF" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$_C_WARN" "$_C_OFF" "$*" >&2; }
die() {
	printf '%serror:%s %s\n' "$_C_ERR" "$_C_OFF" "$*" >&2
	exit 1
}

# Run a command with its output (stdout and stderr) minus pip's noise lines;
# return the command's own exit code.
run_filtered() {
	local errexit=0 rc
	[[ $- == *e* ]] && errexit=1
	set +e
	"$@" 2>&1 | { grep -v -E "$PIP_NOISE_RE" || true; }
	rc=${PIPESTATUS[0]}
	((errexit)) && set -e
	return "$rc"
}

# True when $1 runs and is CPython 3.13 with venv.
is_python313() {
	[[ -n "$1" ]] || return 1
	"$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 13))' \
		>/dev/null 2>&1
}

# Print the path of a working Python 3.13: $PYTHON, then pyenv's 3.13.x
# (newest first), then ~/.pyenv, then python3.13 / python3 on PATH.
find_python313() {
	local candidate root
	if [[ -n "${PYTHON:-}" ]]; then
		is_python313 "$PYTHON" || die "PYTHON=$PYTHON is not a working Python 3.13 (with venv and ensurepip)."
		printf '%s\n' "$PYTHON"
		return 0
	fi
	local -a roots=()
	if command -v pyenv >/dev/null 2>&1 && root="$(pyenv root 2>/dev/null)" && [[ -n "$root" ]]; then
		roots+=("$root")
	fi
	[[ -n "${PYENV_ROOT:-}" ]] && roots+=("$PYENV_ROOT")
	roots+=("$HOME/.pyenv")
	for root in "${roots[@]}"; do
		[[ -d "$root/versions" ]] || continue
		while IFS= read -r candidate; do
			if is_python313 "$candidate"; then
				printf '%s\n' "$candidate"
				return 0
			fi
		done < <(
			shopt -s nullglob
			for candidate in "$root"/versions/3.13.*/bin/python3.13; do
				printf '%s\n' "$candidate"
			done | sort -V -r
		)
	done
	for candidate in python3.13 python3; do
		candidate="$(command -v "$candidate" 2>/dev/null)" || continue
		if is_python313 "$candidate"; then
			printf '%s\n' "$candidate"
			return 0
		fi
	done
	die "Python 3.13 not found. Install it (e.g. 'pyenv install 3.13', or your \
distribution's python3.13 with its venv module) or point PYTHON=/path/to/python3.13 at it."
}

# sha256 of the given files' contents plus the extra strings, one line.
_stamp_of() {
	local -a files=() extras=()
	while (($#)); do
		if [[ "$1" == -- ]]; then
			shift
			extras=("$@")
			break
		fi
		files+=("$1")
		shift
	done
	{
		cat "${files[@]}"
		printf '%s\n' "${extras[@]}"
	} | sha256sum | cut -d' ' -f1
}

# ensure_venv VENV STAMP_NAME REQ_FILE... [-- PIP_ARGS...]
# Create VENV with Python 3.13 if it is missing or broken, then pip install
# the requirement files (and extra pip arguments) unless the stamp file
# VENV/.stamp-STAMP_NAME holds the same hash as last time.
ensure_venv() {
	local venv="$1" stamp_name="$2"
	shift 2
	local -a req_files=() pip_args=()
	while (($#)); do
		if [[ "$1" == -- ]]; then
			shift
			pip_args=("$@")
			break
		fi
		req_files+=("$1")
		shift
	done
	local start=$SECONDS python
	if ! is_python313 "$venv/bin/python"; then
		python="$(find_python313)"
		[[ -e "$venv" ]] && warn "$venv is broken or not Python 3.13: creating it anew" && rm -rf "$venv"
		log "Creating $venv with $python ($("$python" -V 2>&1))"
		"$python" -m venv "$venv" || die "could not create $venv"
	fi
	local stamp_file="$venv/.stamp-$stamp_name" want have=""
	want="$(_stamp_of "${req_files[@]}" -- "$("$venv/bin/python" -V 2>&1)" "${pip_args[@]}")"
	[[ -f "$stamp_file" ]] && have="$(<"$stamp_file")"
	if [[ "$want" == "$have" ]]; then
		return 0
	fi
	local -a req_args=()
	local f
	for f in "${req_files[@]}"; do req_args+=(-r "$f"); done
	log "Installing $(printf '%s ' "${req_files[@]##*/}" "${pip_args[@]}")into ${venv##*/} (a few minutes the first time)"
	rm -f "$stamp_file"
	run_filtered "$venv/bin/python" -m pip install --quiet "${req_args[@]}" "${pip_args[@]}" ||
		die "pip install into $venv failed (see above)"
	printf '%s\n' "$want" >"$stamp_file"
	log "${venv##*/} ready in $((SECONDS - start)) s"
}

# The venv of scripts/test and scripts/develop: .venv with requirements_test.txt.
ensure_test_venv() {
	ensure_venv "$REPO_ROOT/.venv" requirements_test "$REPO_ROOT/requirements_test.txt"
}

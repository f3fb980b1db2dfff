#!/bin/sh
# salonops-ci: the one script the CI recipes call (GitHub Actions, GitLab CI, or any runner).
# Installed in the container image as /usr/local/bin/salonops-ci (examples/deploy/container).
#
#   salonops-ci validate [ARG...]  salonops validate (with --credentials when an age key is set)
#   salonops-ci plan [ARG...]      salonops plan --format markdown, written to $SALONOPS_PLAN_MARKDOWN
#                                  (and printed); exit 0 nothing to change, 2 changes, else an error
#   salonops-ci apply [ARG...]     salonops apply --auto-approve (a fresh plan of the same commit)
#   salonops-ci comment            post $SALONOPS_PLAN_MARKDOWN on the pull request (GitHub) or the
#                                  merge request (GitLab)
#
# ARGs go to salonops as they are (e.g. --require-signed-by FILE). Environment:
#   SALONOPS_BIN        the salonops binary (default: salonops)
#   SALONOPS_REPO       the config repository, a path or a URL (default: .)
#   SALONOPS_REF        the commit or ref to read (default: salonops's, HEAD)
#   SALONOPS_PATH       the config root inside the repository
#   SALONOPS_STATE_DIR  default .salonops/state; SALONOPS_CACHE_DIR default .salonops/cache
#   SALONOPS_PLAN_MARKDOWN  default salonops-plan.md
#   SOPS_AGE_KEY or SOPS_AGE_KEY_FILE: the age identity (never printed); SALONOPS_GIT_TOKEN for git
#   comment, GitHub: GITHUB_TOKEN, GITHUB_REPOSITORY, SALONOPS_PR_NUMBER (GITHUB_API_URL)
#   comment, GitLab: SALONOPS_GITLAB_TOKEN (api scope), CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID
# Exit codes are salonops's (0 in sync, 1 error, 2 changes, 3 refused); 64 for a usage error.
set -eu

bin=${SALONOPS_BIN:-salonops}
state=${SALONOPS_STATE_DIR:-.salonops/state}
cache=${SALONOPS_CACHE_DIR:-.salonops/cache}
markdown=${SALONOPS_PLAN_MARKDOWN:-salonops-plan.md}

usage() {
    sed -n '5,10s/^# \{0,1\}//p' "$0"
}

fail() {
    echo "salonops-ci: $*" >&2
    exit 1
}

# salonops SUBCOMMAND with the repository, ref, config root, state and cache, then the ARGs.
salonops_run() {
    subcommand=$1
    shift
    if [ -n "${SALONOPS_PATH:-}" ]; then set -- --path "$SALONOPS_PATH" "$@"; fi
    if [ -n "${SALONOPS_REF:-}" ]; then set -- --ref "$SALONOPS_REF" "$@"; fi
    set -- "$subcommand" --repo "${SALONOPS_REPO:-.}" --state-dir "$state" --cache-dir "$cache" "$@"
    "$bin" "$@"
}

# The plan cut at a line boundary before LIMIT bytes (a comment has a size limit), with a note.
cut_plan() {
    LC_ALL=C awk -v limit="$2" '
        { if (total + length($0) + 1 > limit) { cut = 1; exit } total += length($0) + 1; print }
        END { if (cut) printf "\n_(plan cut at %d bytes: the whole plan is in the job log)_\n", limit }' "$1"
}

# A file as the JSON object {"body": "..."}: control characters dropped, \ " and tab escaped,
# lines joined with \n.
json_body() {
    tab=$(printf '\t')
    LC_ALL=C tr -d '\000-\010\013-\037' <"$1" \
        | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" \
        | LC_ALL=C awk 'BEGIN { printf "{\"body\":\"" } { printf "%s\\n", $0 } END { printf "\"}\n" }'
}

comment() {
    [ -s "$markdown" ] || fail "comment: no plan in $markdown (run 'salonops-ci plan' first)"
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    # Headers go through a file (mode 0600, removed on exit): a token is never an argument,
    # which any process on the machine could read.
    umask 077
    if [ "${GITHUB_ACTIONS:-}" = true ]; then
        : "${GITHUB_TOKEN:?comment: set GITHUB_TOKEN}" "${GITHUB_REPOSITORY:?comment: set GITHUB_REPOSITORY}"
        : "${SALONOPS_PR_NUMBER:?comment: set SALONOPS_PR_NUMBER}"
        printf 'Authorization: Bearer %s\nAccept: application/vnd.github+json\nContent-Type: application/json\n' "$GITHUB_TOKEN" >"$scratch/headers"
        cut_plan "$markdown" 60000 >"$scratch/plan.md"
        json_body "$scratch/plan.md" >"$scratch/body.json"
        curl --fail --silent --show-error --output /dev/null -X POST -H "@$scratch/headers" --data-binary "@$scratch/body.json" \
            "${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY/issues/$SALONOPS_PR_NUMBER/comments"
        echo "salonops-ci: plan posted on pull request #$SALONOPS_PR_NUMBER"
    elif [ "${GITLAB_CI:-}" = true ]; then
        : "${SALONOPS_GITLAB_TOKEN:?comment: set SALONOPS_GITLAB_TOKEN (a token with the api scope)}"
        : "${CI_API_V4_URL:?}" "${CI_PROJECT_ID:?}" "${CI_MERGE_REQUEST_IID:?comment: not a merge request pipeline}"
        printf 'PRIVATE-TOKEN: %s\n' "$SALONOPS_GITLAB_TOKEN" >"$scratch/headers"
        cut_plan "$markdown" 900000 >"$scratch/plan.md"
        curl --fail --silent --show-error --output /dev/null -X POST -H "@$scratch/headers" --data-urlencode "body@$scratch/plan.md" \
            "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
        echo "salonops-ci: plan posted on merge request !$CI_MERGE_REQUEST_IID"
    else
        fail "comment: neither GitHub Actions (GITHUB_ACTIONS=true) nor GitLab CI (GITLAB_CI=true)"
    fi
}

[ $# -ge 1 ] || {
    usage >&2
    exit 64
}
command=$1
shift
case $command in
    validate)
        if [ -n "${SOPS_AGE_KEY:-}${SOPS_AGE_KEY_FILE:-}" ]; then set -- --credentials "$@"; fi
        salonops_run validate "$@"
        ;;
    plan)
        status=0
        salonops_run plan --format markdown "$@" >"$markdown" || status=$?
        cat "$markdown"
        case $status in
            0) echo "salonops-ci: nothing to change" >&2 ;;
            2) echo "salonops-ci: changes to apply (the plan is in $markdown)" >&2 ;;
            *) echo "salonops-ci: plan failed (exit $status)" >&2 ;;
        esac
        exit "$status"
        ;;
    apply)
        salonops_run apply --auto-approve "$@"
        ;;
    comment)
        [ $# -eq 0 ] || fail "comment takes no argument"
        comment
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        echo "salonops-ci: unknown subcommand '$command'" >&2
        usage >&2
        exit 64
        ;;
esac
